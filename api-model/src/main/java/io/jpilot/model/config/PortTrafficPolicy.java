package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One entry of {@code trafficPolicy.portLevelSettings}. For its port it replaces the enclosing
 * policy's four fields wholesale: a field left out here falls back to the default, not to the
 * enclosing policy (istiod's GetPortLevelTrafficPolicy).
 */
public record PortTrafficPolicy(
    int port,
    Optional<LoadBalancerSettings> loadBalancer,
    Optional<ConnectionPoolSettings> connectionPool,
    Optional<OutlierDetection> outlierDetection,
    Optional<ClientTlsSettings> tls) {
  public PortTrafficPolicy {
    requireNonNull(loadBalancer, "loadBalancer");
    requireNonNull(connectionPool, "connectionPool");
    requireNonNull(outlierDetection, "outlierDetection");
    requireNonNull(tls, "tls");
  }
}
