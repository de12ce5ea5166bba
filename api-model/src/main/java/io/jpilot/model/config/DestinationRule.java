package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/** networking.istio.io DestinationRule, the parts that translation reads. */
public record DestinationRule(
    ConfigMeta meta,
    String host,
    Optional<TrafficPolicy> trafficPolicy,
    List<Subset> subsets,
    List<String> exportTo)
    implements IstioConfig {
  public static final String KIND = "DestinationRule";

  public DestinationRule {
    requireNonNull(meta, "meta");
    requireNonNull(host, "host");
    requireNonNull(trafficPolicy, "trafficPolicy");
    subsets = List.copyOf(subsets);
    exportTo = List.copyOf(exportTo);
  }
}
