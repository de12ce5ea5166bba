package io.jpilot.model.registry;

import static java.util.Objects.requireNonNull;

/**
 * One port of a service. {@code targetPort} is the number to dial on the workload, or 0 when the
 * Service names it ({@code targetPortName}) and it must be resolved per endpoint.
 */
public record ServicePort(
    String name, int port, int targetPort, String targetPortName, Protocol protocol) {
  public ServicePort {
    requireNonNull(name, "name");
    requireNonNull(targetPortName, "targetPortName");
    requireNonNull(protocol, "protocol");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
  }
}
