package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One Sidecar ingress listener: the workload port it accepts traffic on, an optional bind address,
 * how traffic is captured, where it is forwarded ({@code 127.0.0.1:8080}, {@code 0.0.0.0:8080},
 * {@code unix://...}; empty means the original destination) and the connection pool of its inbound
 * cluster.
 */
public record SidecarIngressListener(
    SidecarPort port,
    String bind,
    CaptureMode captureMode,
    String defaultEndpoint,
    Optional<ConnectionPoolSettings> connectionPool) {
  public SidecarIngressListener {
    requireNonNull(port, "port");
    requireNonNull(bind, "bind");
    requireNonNull(captureMode, "captureMode");
    requireNonNull(defaultEndpoint, "defaultEndpoint");
    requireNonNull(connectionPool, "connectionPool");
  }

  /** A listener without its own connection pool. */
  public SidecarIngressListener(
      SidecarPort port, String bind, CaptureMode captureMode, String defaultEndpoint) {
    this(port, bind, captureMode, defaultEndpoint, Optional.empty());
  }
}
