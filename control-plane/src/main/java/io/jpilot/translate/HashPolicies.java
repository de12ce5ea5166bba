package io.jpilot.translate;

import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ConsistentHash;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.LoadBalancerSettings;
import io.jpilot.model.config.PortTrafficPolicy;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.registry.Service;
import java.util.List;
import java.util.Optional;

/**
 * The route side of consistent-hash load balancing: the {@code hash_policy} of a route action, from
 * the DestinationRule of the route's destination (istiod's HashForHTTPDestination and
 * ConsistentHashToHashPolicy). The hash key comes from, in order of precedence, the subset's
 * port-level settings, the subset, the rule's port-level settings, the rule's top level; port-level
 * settings count only when the route names the destination port.
 */
final class HashPolicies {
  private HashPolicies() {}

  /**
   * The hash policy for one route destination.
   *
   * @param destination with its host already resolved to an FQDN; port 0 when the route does not
   *     name one
   */
  static List<RouteAction.HashPolicy> forDestination(
      MeshSnapshot snapshot, ProxyView proxy, Destination destination) {
    Optional<DestinationRule> dr = rule(snapshot, proxy, destination.host());
    if (dr.isEmpty()) {
      return List.of();
    }
    Optional<TrafficPolicy> top = dr.get().trafficPolicy();
    Optional<TrafficPolicy> subsetPolicy = Optional.empty();
    for (Subset s : dr.get().subsets()) {
      if (s.name().equals(destination.subset())) {
        subsetPolicy = s.trafficPolicy();
        break;
      }
    }
    if (top.isEmpty() && subsetPolicy.isEmpty()) {
      return List.of(); // no load balancer settings anywhere: the common case
    }
    Optional<ConsistentHash> hash = top.flatMap(HashPolicies::hash);
    Optional<ConsistentHash> portHash = portLevelHash(top, destination.port());
    Optional<ConsistentHash> subsetHash = subsetPolicy.flatMap(HashPolicies::hash);
    Optional<ConsistentHash> subsetPortHash = portLevelHash(subsetPolicy, destination.port());
    Optional<ConsistentHash> chosen =
        subsetPortHash.or(() -> subsetHash).or(() -> portHash).or(() -> hash);
    return chosen.flatMap(HashPolicies::toHashPolicy).map(List::of).orElse(List.of());
  }

  /**
   * The hash policy of istiod's default route for a service port (no VirtualService): the rule's
   * port-level hash for that port, else its top-level one.
   */
  static List<RouteAction.HashPolicy> forService(
      MeshSnapshot snapshot, ProxyView proxy, Service svc, int port) {
    Optional<DestinationRule> dr = rule(snapshot, proxy, svc.hostname());
    if (dr.isEmpty()) {
      return List.of();
    }
    Optional<TrafficPolicy> top = dr.get().trafficPolicy();
    Optional<ConsistentHash> hash = top.flatMap(HashPolicies::hash);
    Optional<PortTrafficPolicy> pl = top.flatMap(p -> p.portLevel(port));
    if (pl.isPresent()) {
      Optional<ConsistentHash> plHash =
          pl.get().loadBalancer().flatMap(LoadBalancerSettings::consistentHash);
      if (plHash.isPresent()) {
        hash = plHash;
      }
    }
    return hash.flatMap(HashPolicies::toHashPolicy).map(List::of).orElse(List.of());
  }

  /** The rule istiod's sidecar scope holds for a host: only hosts in the registry have one. */
  private static Optional<DestinationRule> rule(
      MeshSnapshot snapshot, ProxyView proxy, String host) {
    if (snapshot.service(host).isEmpty()) {
      return Optional.empty();
    }
    return snapshot.destinationRule(host, proxy);
  }

  private static Optional<ConsistentHash> hash(TrafficPolicy p) {
    return p.loadBalancerSettings().flatMap(LoadBalancerSettings::consistentHash);
  }

  /** The consistent hash of the port-level entry for an explicitly named port. */
  private static Optional<ConsistentHash> portLevelHash(Optional<TrafficPolicy> p, int port) {
    if (port == 0 || p.isEmpty()) {
      return Optional.empty();
    }
    return p.get()
        .portLevel(port)
        .flatMap(PortTrafficPolicy::loadBalancer)
        .flatMap(LoadBalancerSettings::consistentHash);
  }

  /** istiod's ConsistentHashToHashPolicy; empty when no hash key is set. */
  static Optional<RouteAction.HashPolicy> toHashPolicy(ConsistentHash h) {
    RouteAction.HashPolicy.Builder b = RouteAction.HashPolicy.newBuilder();
    switch (h.hashKey()) {
      case HTTP_HEADER_NAME:
        b.setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(h.httpHeaderName()));
        break;
      case HTTP_COOKIE:
        ConsistentHash.HttpCookie c = h.httpCookie().orElseThrow();
        RouteAction.HashPolicy.Cookie.Builder cookie =
            RouteAction.HashPolicy.Cookie.newBuilder().setName(c.name()).setPath(c.path());
        c.ttl().ifPresent(ttl -> cookie.setTtl(XdsProtos.duration(ttl)));
        for (ConsistentHash.Attribute a : c.attributes()) {
          cookie.addAttributes(
              RouteAction.HashPolicy.CookieAttribute.newBuilder()
                  .setName(a.name())
                  .setValue(a.value()));
        }
        b.setCookie(cookie);
        break;
      case USE_SOURCE_IP:
        b.setConnectionProperties(
            RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(h.useSourceIp()));
        break;
      case HTTP_QUERY_PARAMETER_NAME:
        b.setQueryParameter(
            RouteAction.HashPolicy.QueryParameter.newBuilder().setName(h.httpQueryParameterName()));
        break;
      case NONE:
      default:
        return Optional.empty();
    }
    return Optional.of(b.build());
  }
}
