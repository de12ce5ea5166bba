package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.registry.Protocol;

/**
 * A Sidecar listener port: number (0 for a Unix domain socket bind), protocol as written (e.g.
 * {@code HTTP}, {@code TCP}) and an optional name.
 */
public record SidecarPort(int number, String protocol, String name) {
  public SidecarPort {
    requireNonNull(protocol, "protocol");
    requireNonNull(name, "name");
  }

  /** The protocol as istiod parses it; unknown names are {@link Protocol#UNSUPPORTED}. */
  public Protocol parsedProtocol() {
    return Protocol.parse(protocol);
  }
}
