package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * networking.istio.io DestinationRule, the parts that translation reads.
 *
 * @param workloadSelector {@code workloadSelector.matchLabels}, absent when the rule has no
 *     selector (a selector with no labels is present and empty)
 */
public record DestinationRule(
    ConfigMeta meta,
    String host,
    Optional<TrafficPolicy> trafficPolicy,
    List<Subset> subsets,
    List<String> exportTo,
    Optional<Map<String, String>> workloadSelector)
    implements IstioConfig {
  public static final String KIND = "DestinationRule";

  public DestinationRule {
    requireNonNull(meta, "meta");
    requireNonNull(host, "host");
    requireNonNull(trafficPolicy, "trafficPolicy");
    subsets = List.copyOf(subsets);
    exportTo = List.copyOf(exportTo);
    workloadSelector = workloadSelector.map(Map::copyOf);
  }

  /** A rule without a workload selector. */
  public DestinationRule(
      ConfigMeta meta,
      String host,
      Optional<TrafficPolicy> trafficPolicy,
      List<Subset> subsets,
      List<String> exportTo) {
    this(meta, host, trafficPolicy, subsets, exportTo, Optional.empty());
  }

  /** The subset named {@code name}, if this rule defines one. */
  public Optional<Subset> subset(String name) {
    return subsets.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
