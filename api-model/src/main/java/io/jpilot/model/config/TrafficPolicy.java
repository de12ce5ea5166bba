package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * DestinationRule {@code trafficPolicy} (top level or a subset's).
 *
 * @param loadBalancer {@code loadBalancer.simple}, UNSPECIFIED when not set; always equal to the
 *     {@code simple} of {@code loadBalancerSettings} when those are present
 * @param loadBalancerSettings the whole {@code loadBalancer} block, absent when not set
 */
public record TrafficPolicy(
    LoadBalancer loadBalancer,
    Optional<LoadBalancerSettings> loadBalancerSettings,
    Optional<ConnectionPoolSettings> connectionPool,
    Optional<OutlierDetection> outlierDetection,
    Optional<ClientTlsSettings> tls,
    List<PortTrafficPolicy> portLevelSettings,
    Optional<RetryBudget> retryBudget) {
  public static final TrafficPolicy EMPTY = new TrafficPolicy(LoadBalancer.UNSPECIFIED);

  public TrafficPolicy {
    requireNonNull(loadBalancer, "loadBalancer");
    requireNonNull(loadBalancerSettings, "loadBalancerSettings");
    requireNonNull(connectionPool, "connectionPool");
    requireNonNull(outlierDetection, "outlierDetection");
    requireNonNull(tls, "tls");
    portLevelSettings = List.copyOf(portLevelSettings);
    requireNonNull(retryBudget, "retryBudget");
    if (loadBalancerSettings.isPresent()) {
      loadBalancer = loadBalancerSettings.get().simple();
    } else if (loadBalancer != LoadBalancer.UNSPECIFIED) {
      loadBalancerSettings = Optional.of(LoadBalancerSettings.simple(loadBalancer));
    }
  }

  /** A policy with only {@code loadBalancer.simple} set (nothing when UNSPECIFIED). */
  public TrafficPolicy(LoadBalancer loadBalancer) {
    this(
        loadBalancer,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        Optional.empty());
  }

  /** The four fields a port-level entry carries, nothing else. */
  public static TrafficPolicy of(
      Optional<LoadBalancerSettings> loadBalancer,
      Optional<ConnectionPoolSettings> connectionPool,
      Optional<OutlierDetection> outlierDetection,
      Optional<ClientTlsSettings> tls) {
    return new TrafficPolicy(
        LoadBalancer.UNSPECIFIED,
        loadBalancer,
        connectionPool,
        outlierDetection,
        tls,
        List.of(),
        Optional.empty());
  }

  /** The port-level entry for {@code port}, if any (the first one, as istiod takes it). */
  public Optional<PortTrafficPolicy> portLevel(int port) {
    return portLevelSettings.stream().filter(p -> p.port() == port).findFirst();
  }

  /**
   * istiod's GetPortLevelTrafficPolicy: the policy that applies on {@code port}. A port-level entry
   * replaces this policy wholesale, so fields it leaves out fall back to their defaults.
   */
  public TrafficPolicy forPort(int port) {
    return portLevel(port)
        .map(p -> of(p.loadBalancer(), p.connectionPool(), p.outlierDetection(), p.tls()))
        .orElse(this);
  }

  /**
   * Field-by-field overlay (istiod's MergeTrafficPolicy without port-level): each field set in
   * {@code override} wins. Port-level settings are not carried over.
   */
  public TrafficPolicy overlay(TrafficPolicy override) {
    if (override == null) {
      return this;
    }
    return merge(this, override, false);
  }

  /**
   * istiod's MergeSubsetTrafficPolicy for one port: start from the rule's policy for the port (its
   * port-level entry replaces it), overlay the subset's policy field by field; when the subset has
   * a port-level entry for the port, that entry's four fields replace the merged ones even where it
   * leaves them unset.
   */
  public static TrafficPolicy forSubset(
      Optional<TrafficPolicy> rule, Optional<TrafficPolicy> subset, int port) {
    requireNonNull(rule, "rule");
    requireNonNull(subset, "subset");
    Optional<TrafficPolicy> original = rule.map(p -> p.forPort(port));
    if (subset.isEmpty()) {
      return original.orElse(EMPTY);
    }
    boolean subsetPortLevel = subset.get().portLevel(port).isPresent();
    TrafficPolicy subsetPolicy = subset.get().forPort(port);
    if (original.isEmpty()) {
      return subsetPolicy;
    }
    return merge(original.get(), subsetPolicy, subsetPortLevel);
  }

  private static TrafficPolicy merge(TrafficPolicy base, TrafficPolicy over, boolean replace) {
    return new TrafficPolicy(
        LoadBalancer.UNSPECIFIED,
        replace || over.loadBalancerSettings.isPresent()
            ? over.loadBalancerSettings
            : base.loadBalancerSettings,
        replace || over.connectionPool.isPresent() ? over.connectionPool : base.connectionPool,
        replace || over.outlierDetection.isPresent()
            ? over.outlierDetection
            : base.outlierDetection,
        replace || over.tls.isPresent() ? over.tls : base.tls,
        List.of(),
        over.retryBudget.isPresent() ? over.retryBudget : base.retryBudget);
  }
}
