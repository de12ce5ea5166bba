package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/** A named subset of a service's endpoints, selected by labels. */
public record Subset(String name, Map<String, String> labels, Optional<TrafficPolicy> trafficPolicy) {
  public Subset {
    requireNonNull(name, "name");
    labels = Map.copyOf(labels);
    requireNonNull(trafficPolicy, "trafficPolicy");
  }
}
