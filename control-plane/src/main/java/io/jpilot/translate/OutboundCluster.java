package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.registry.Resolution;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.Map;
import java.util.Optional;

/**
 * The plain plan for one outbound cluster (a service port, optionally narrowed to a subset), with
 * the DestinationRule that applies and the traffic policy in force on this port after istiod's
 * merge (port-level settings, then the subset's). The cluster, endpoint and gRPC translators turn
 * it into protobuf.
 *
 * @param router true when built for a gateway (router) proxy, which never uses ORIGINAL_DST for a
 *     service's own resolution
 */
record OutboundCluster(
    ClusterKey key,
    Service service,
    ServicePort port,
    Optional<DestinationRule> rule,
    Optional<Subset> subset,
    TrafficPolicy policy,
    boolean router) {

  OutboundCluster {
    requireNonNull(key, "key");
    requireNonNull(service, "service");
    requireNonNull(port, "port");
    requireNonNull(rule, "rule");
    requireNonNull(subset, "subset");
    requireNonNull(policy, "policy");
  }

  OutboundCluster(
      ClusterKey key,
      Service service,
      ServicePort port,
      Optional<DestinationRule> rule,
      Optional<Subset> subset,
      TrafficPolicy policy) {
    this(key, service, port, rule, subset, policy, false);
  }

  String name() {
    return key.name();
  }

  /** Labels an endpoint must carry to belong to this cluster (empty for the default cluster). */
  Map<String, String> subsetLabels() {
    return subset.map(Subset::labels).orElse(Map.of());
  }

  /** A headless service (no VIP): istiod builds ORIGINAL_DST clusters for sidecars. */
  boolean headless() {
    return isHeadless(service);
  }

  /**
   * The discovery type istiod gives the cluster: from the service's resolution (convertResolution),
   * turned into ORIGINAL_DST by a PASSTHROUGH load balancer.
   */
  Cluster.DiscoveryType discoveryType() {
    if (policy.loadBalancer() == LoadBalancer.PASSTHROUGH) {
      return Cluster.DiscoveryType.ORIGINAL_DST;
    }
    return resolutionType(service, router);
  }

  /** istiod's convertResolution (gateways use EDS where sidecars pass through). */
  static Cluster.DiscoveryType resolutionType(Service service, boolean router) {
    Resolution r = service.resolution();
    switch (r) {
      case DNS_LB:
        return Cluster.DiscoveryType.STRICT_DNS;
      case DNS_ROUND_ROBIN_LB:
        return Cluster.DiscoveryType.LOGICAL_DNS;
      case PASSTHROUGH:
        return router ? Cluster.DiscoveryType.EDS : Cluster.DiscoveryType.ORIGINAL_DST;
      case CLIENT_SIDE_LB:
      default:
        return Cluster.DiscoveryType.EDS;
    }
  }

  /** True when Envoy learns the endpoints over EDS. */
  boolean usesEds() {
    return discoveryType() == Cluster.DiscoveryType.EDS;
  }

  /** True for STRICT_DNS and LOGICAL_DNS clusters, whose endpoints are inline in CDS. */
  boolean usesDns() {
    Cluster.DiscoveryType t = discoveryType();
    return t == Cluster.DiscoveryType.STRICT_DNS || t == Cluster.DiscoveryType.LOGICAL_DNS;
  }

  static boolean isHeadless(Service s) {
    String ip = s.clusterIp();
    return ip.isEmpty() || ip.equalsIgnoreCase("None");
  }
}
