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
 */
public record Sidecar(
    ConfigMeta meta,
    Optional<Map<String, String>> workloadSelector,
    List<SidecarIngressListener> ingress,
    List<SidecarEgressListener> egress,
    Optional<OutboundTrafficPolicy> outboundTrafficPolicy)
    implements IstioConfig {
  public static final String KIND = "Sidecar";

  public Sidecar {
    requireNonNull(meta, "meta");
    workloadSelector = workloadSelector.map(Map::copyOf);
    ingress = List.copyOf(ingress);
    egress = List.copyOf(egress);
    requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
  }

  /** True when the selector (if any) is a subset of {@code labels}. */
  public boolean selects(Map<String, String> labels) {
    return workloadSelector.map(s -> labels.entrySet().containsAll(s.entrySet())).orElse(true);
  }
}
