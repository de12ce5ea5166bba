package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.Map;
import java.util.Optional;

/**
 * The plain plan for one outbound cluster (a service port, optionally narrowed to a subset), with
 * the DestinationRule that applies and the traffic policy after the subset overlay. The cluster,
 * endpoint and gRPC translators turn it into protobuf.
 */
record OutboundCluster(
    ClusterKey key,
    Service service,
    ServicePort port,
    Optional<DestinationRule> rule,
    Optional<Subset> subset,
    TrafficPolicy policy) {

  OutboundCluster {
    requireNonNull(key, "key");
    requireNonNull(service, "service");
    requireNonNull(port, "port");
    requireNonNull(rule, "rule");
    requireNonNull(subset, "subset");
    requireNonNull(policy, "policy");
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

  /** True when Envoy learns the endpoints over EDS (not ORIGINAL_DST). */
  boolean usesEds() {
    return !headless() && policy.loadBalancer() != LoadBalancer.PASSTHROUGH;
  }

  static boolean isHeadless(Service s) {
    String ip = s.clusterIp();
    return ip.isEmpty() || ip.equalsIgnoreCase("None");
  }
}
