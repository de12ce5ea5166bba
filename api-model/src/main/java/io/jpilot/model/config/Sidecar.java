package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * networking.istio.io Sidecar: which services and config a workload's proxy imports (egress), which
 * ports it accepts traffic on (ingress), and its outbound traffic policy.
 *
 * @param workloadSelector the selector labels; absent means "every workload in the namespace"
 *     (present but empty selects every workload too, yet ranks as a selector-bearing Sidecar)
 * @param inboundConnectionPool the connection pool of every inbound cluster whose ingress listener
 *     sets none
 */
public record Sidecar(
    ConfigMeta meta,
    Optional<Map<String, String>> workloadSelector,
    List<SidecarIngressListener> ingress,
    List<SidecarEgressListener> egress,
    Optional<OutboundTrafficPolicy> outboundTrafficPolicy,
    Optional<ConnectionPoolSettings> inboundConnectionPool)
    implements IstioConfig {
  public static final String KIND = "Sidecar";

  public Sidecar {
    requireNonNull(meta, "meta");
    workloadSelector = workloadSelector.map(Map::copyOf);
    ingress = List.copyOf(ingress);
    egress = List.copyOf(egress);
    requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
    requireNonNull(inboundConnectionPool, "inboundConnectionPool");
  }

  /** A Sidecar without an inbound connection pool. */
  public Sidecar(
      ConfigMeta meta,
      Optional<Map<String, String>> workloadSelector,
      List<SidecarIngressListener> ingress,
      List<SidecarEgressListener> egress,
      Optional<OutboundTrafficPolicy> outboundTrafficPolicy) {
    this(meta, workloadSelector, ingress, egress, outboundTrafficPolicy, Optional.empty());
  }

  /**
   * istiod's InboundConnectionPoolForPort: the ingress listener's pool for {@code port}, else the
   * Sidecar-wide one.
   */
  public Optional<ConnectionPoolSettings> inboundConnectionPool(int port) {
    for (SidecarIngressListener in : ingress) {
      if (in.port().number() == port && in.connectionPool().isPresent()) {
        return in.connectionPool();
      }
    }
    return inboundConnectionPool;
  }

  /** True when the selector (if any) is a subset of {@code labels}. */
  public boolean selects(Map<String, String> labels) {
    return workloadSelector.map(s -> labels.entrySet().containsAll(s.entrySet())).orElse(true);
  }
}
