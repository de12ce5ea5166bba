package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/** DestinationRule trafficPolicy; grows with the API. */
public record TrafficPolicy(LoadBalancer loadBalancer) {
  public static final TrafficPolicy EMPTY = new TrafficPolicy(LoadBalancer.UNSPECIFIED);

  public TrafficPolicy {
    requireNonNull(loadBalancer, "loadBalancer");
  }

  /** Field-by-field overlay: each field set in {@code override} wins (istiod's subset merge). */
  public TrafficPolicy overlay(TrafficPolicy override) {
    if (override == null) {
      return this;
    }
    return new TrafficPolicy(
        override.loadBalancer != LoadBalancer.UNSPECIFIED ? override.loadBalancer : loadBalancer);
  }
}
