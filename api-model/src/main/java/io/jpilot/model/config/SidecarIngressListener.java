package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/**
 * One Sidecar ingress listener: the workload port it accepts traffic on, an optional bind address,
 * how traffic is captured, and where it is forwarded ({@code 127.0.0.1:8080}, {@code 0.0.0.0:8080},
 * {@code unix://...}; empty means the original destination).
 */
public record SidecarIngressListener(
    SidecarPort port, String bind, CaptureMode captureMode, String defaultEndpoint) {
  public SidecarIngressListener {
    requireNonNull(port, "port");
    requireNonNull(bind, "bind");
    requireNonNull(captureMode, "captureMode");
    requireNonNull(defaultEndpoint, "defaultEndpoint");
  }
}
