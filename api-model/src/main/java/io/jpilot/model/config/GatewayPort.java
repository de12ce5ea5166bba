package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.registry.Protocol;

/**
 * A Gateway server's port.
 *
 * @param protocolName the protocol as written (HTTP, HTTPS, GRPC, HTTP2, MONGO, TCP, TLS, ...)
 * @param targetPort the deprecated targetPort, 0 when unset (it has no effect on Gateways)
 */
public record GatewayPort(int number, String name, String protocolName, int targetPort) {
  public GatewayPort {
    requireNonNull(name, "name");
    requireNonNull(protocolName, "protocolName");
  }

  public Protocol protocol() {
    return Protocol.parse(protocolName);
  }
}
