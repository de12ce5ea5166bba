package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One Sidecar egress listener. Without a port it is the catch-all listener (at most one, last).
 * {@code hosts} are {@code namespace/dnsName} imports: the namespace may be {@code *} (any), {@code
 * .} (the Sidecar's namespace) or prefixed with {@code ~} (exclude); the name may be {@code *} or
 * start with {@code *.}.
 */
public record SidecarEgressListener(
    Optional<SidecarPort> port, String bind, CaptureMode captureMode, List<String> hosts) {
  public SidecarEgressListener {
    requireNonNull(port, "port");
    requireNonNull(bind, "bind");
    requireNonNull(captureMode, "captureMode");
    hosts = List.copyOf(hosts);
  }

  /** The listener the default (absent) Sidecar has: import everything visible, all ports. */
  public static final SidecarEgressListener IMPORT_ALL =
      new SidecarEgressListener(Optional.empty(), "", CaptureMode.DEFAULT, List.of("*/*"));
}
