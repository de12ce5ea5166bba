package io.jpilot.translate;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ClientTlsSettings;
import io.jpilot.model.config.ConnectionPoolSettings;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.LoadBalancerSettings;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What istiod's grpcgen serves to proxyless gRPC clients (GENERATOR=grpc):
 *
 * <ul>
 *   <li>LDS: the client names {@code host:port} (from {@code xds:///host:port}); short names are
 *       expanded against the proxy's DNS domain. Each match is an ApiListener named exactly as
 *       requested, whose HTTP connection manager uses RDS {@code outbound|<port>||<fqdn>}.
 *   <li>RDS: a route configuration per requested {@code outbound|<port>||<fqdn>} with the one
 *       virtual host of that service, domains with {@code host:port} forms.
 *   <li>CDS: only the requested clusters, EDS over ADS.
 *   <li>EDS: as for sidecars.
 * </ul>
 */
final class GrpcGenerator {
  private final EndpointTranslator endpoints = new EndpointTranslator();

  SortedMap<String, Message> generate(
      MeshSnapshot snapshot, ProxyView proxy, XdsType type, Set<String> names) {
    switch (type) {
      case LISTENER:
        return listeners(snapshot, proxy, names);
      case ROUTE:
        return routes(snapshot, proxy, names);
      case CLUSTER:
        return clusters(snapshot, proxy, names);
      case ENDPOINT:
        return endpoints.generate(snapshot, proxy, names);
      default:
        throw new IllegalArgumentException("type: " + type);
    }
  }

  // ---- LDS -----------------------------------------------------------------------------------

  /** What one requested host (short or expanded) asks for. {@code ports} null means all. */
  private static final class NameFilter {
    final SortedSet<String> requestedNames = new TreeSet<>();
    Set<String> ports;
  }

  SortedMap<String, Message> listeners(MeshSnapshot snapshot, ProxyView proxy, Set<String> names) {
    Map<String, NameFilter> filter = listenerNameFilter(names, proxy);
    SortedMap<String, Message> out = new TreeMap<>();
    for (Service svc : snapshot.services().values()) {
      NameFilter match;
      if (names.isEmpty()) {
        match = new NameFilter();
        match.requestedNames.add(svc.hostname());
      } else {
        match = filter.get(svc.hostname());
        if (match == null) {
          continue;
        }
      }
      // the same service may be watched as "foo" and "foo.ns": one listener per requested name
      for (String requested : match.requestedNames) {
        for (ServicePort p : svc.ports()) {
          if (match.ports != null && !match.ports.contains(Integer.toString(p.port()))) {
            continue;
          }
          Listener l = apiListener(IstioNames.joinHostPort(requested, p.port()), svc, p);
          out.put(l.getName(), l);
        }
      }
    }
    return out;
  }

  /** istiod's newListenerNameFilter: index each requested name, and its FQDN, by host. */
  static Map<String, NameFilter> listenerNameFilter(Set<String> names, ProxyView proxy) {
    Map<String, NameFilter> filter = new HashMap<>();
    for (String name : new TreeSet<>(names)) {
      if (name.startsWith(IstioNames.GRPC_INBOUND_LISTENER_PREFIX)) {
        continue; // server-side listeners are not generated
      }
      String[] hostPort = splitHostPort(name);
      boolean hasPort = hostPort != null;
      String requested = hasPort ? hostPort[0] : name;
      List<String> all = new java.util.ArrayList<>(List.of(requested));
      tryFindFqdn(requested, proxy).ifPresent(all::add);
      for (String n : all) {
        NameFilter f = filter.get(n);
        boolean existed = f != null;
        if (f == null) {
          f = new NameFilter();
        }
        f.requestedNames.add(requested);
        if (hasPort && (!existed || f.ports != null)) {
          if (f.ports == null) {
            f.ports = new TreeSet<>();
          }
          f.ports.add(hostPort[1]);
        } else if (!hasPort) {
          f.ports = null;
        }
        filter.put(n, f);
      }
    }
    return filter;
  }

  /** Go's net.SplitHostPort, or null when the name has no port. */
  static String[] splitHostPort(String name) {
    if (name.startsWith("[")) {
      int end = name.indexOf("]:");
      return end < 0 ? null : new String[] {name.substring(1, end), name.substring(end + 2)};
    }
    int colon = name.indexOf(':');
    if (colon < 0 || colon != name.lastIndexOf(':')) {
      return null;
    }
    return new String[] {name.substring(0, colon), name.substring(colon + 1)};
  }

  /**
   * istiod's tryFindFQDN: {@code foo} becomes {@code foo.<dnsDomain>}; {@code foo.<ns>} and {@code
   * foo.<ns>.svc} expand the same way when they name the proxy's own namespace.
   */
  static Optional<String> tryFindFqdn(String name, ProxyView proxy) {
    if (!name.contains(".")) {
      return Optional.of(name + "." + proxy.dnsDomain());
    }
    for (String suffix : List.of(proxy.namespace(), proxy.namespace() + ".svc")) {
      if (name.endsWith("." + suffix) && proxy.dnsDomain().startsWith(suffix)) {
        String shortName = name.substring(0, name.length() - suffix.length() - 1);
        return Optional.of(shortName + "." + proxy.dnsDomain());
      }
    }
    return Optional.empty();
  }

  private static Listener apiListener(String name, Service svc, ServicePort port) {
    ClusterKey route = ClusterKey.of(svc.hostname(), port.port());
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            // grpc ignores the stat prefix, but Envoy's schema requires one
            .setStatPrefix(route.name())
            .setRds(
                Rds.newBuilder()
                    .setConfigSource(XdsProtos.adsBare())
                    .setRouteConfigName(route.name()))
            .addHttpFilters(ListenerTranslator.faultFilter())
            .addHttpFilters(ListenerTranslator.routerFilter())
            .build();
    String address =
        OutboundCluster.isHeadless(svc) ? IstioNames.WILDCARD_ADDRESS : svc.clusterIp();
    return Listener.newBuilder()
        .setName(name)
        .setAddress(XdsProtos.socketAddress(address, port.port()))
        .setApiListener(ApiListener.newBuilder().setApiListener(XdsProtos.pack(hcm)))
        .build();
  }

  // ---- RDS -----------------------------------------------------------------------------------

  SortedMap<String, Message> routes(MeshSnapshot snapshot, ProxyView proxy, Set<String> names) {
    RoutePlanner planner = new RoutePlanner(snapshot, proxy);
    SortedMap<String, Message> out = new TreeMap<>();
    for (String name : names) {
      Optional<ClusterKey> key = ClusterKey.parse(name);
      if (key.isEmpty()) {
        continue; // istiod skips names it cannot parse
      }
      List<VirtualHostPlan> hosts = List.of();
      Optional<Service> svc = snapshot.service(key.get().host());
      if (svc.isPresent()
          && svc.get()
              .port(key.get().port())
              .filter(p -> RoutePlanner.routable(p, true))
              .isPresent()) {
        hosts = List.of(planner.virtualHost(svc.get(), key.get().port(), VirtualHostDomains.GRPC));
      }
      out.put(name, RouteTranslator.grpcRouteConfiguration(name, hosts));
    }
    return out;
  }

  // ---- CDS -----------------------------------------------------------------------------------

  /**
   * Only the requested clusters. A default cluster is built even for an unknown service (its EDS
   * answer is then empty); a subset cluster needs its DestinationRule subset. The traffic policy
   * is applied the way grpcgen does: consistent hash (ring hash or maglev) or least request, the
   * max_requests circuit breaker, and TLS only for an explicit ISTIO_MUTUAL.
   */
  SortedMap<String, Message> clusters(MeshSnapshot snapshot, ProxyView proxy, Set<String> names) {
    SortedMap<String, Message> out = new TreeMap<>();
    for (String name : names) {
      Optional<ClusterKey> key = ClusterKey.parse(name);
      if (key.isEmpty()) {
        continue;
      }
      Optional<OutboundCluster> c = OutboundClusters.resolve(snapshot, proxy, key.get());
      if (c.isPresent()) {
        out.put(
            name,
            cluster(
                name,
                c.get().policy(),
                ClusterTranslator.serviceAccounts(snapshot, c.get().service())));
      } else if (!key.get().hasSubset()) {
        out.put(name, cluster(name, LoadBalancer.UNSPECIFIED));
      }
    }
    return out;
  }

  static Cluster cluster(String name, LoadBalancer lb) {
    return cluster(name, new TrafficPolicy(lb), List.of());
  }

  /** grpcgen's edsCluster plus its applyTrafficPolicy. */
  static Cluster cluster(String name, TrafficPolicy policy, List<String> serviceAccounts) {
    Cluster.Builder b =
        Cluster.newBuilder()
            .setName(name)
            .setAltStatName(name + IstioNames.STAT_PREFIX_DELIMITER)
            .setType(Cluster.DiscoveryType.EDS)
            .setEdsClusterConfig(
                Cluster.EdsClusterConfig.newBuilder()
                    .setServiceName(name)
                    .setEdsConfig(XdsProtos.adsBare()));
    if (policy.tls().map(t -> t.mode() == ClientTlsSettings.Mode.ISTIO_MUTUAL).orElse(false)) {
      b.setTransportSocket(UpstreamTls.tlsSocket(UpstreamTls.grpcIstioMutual(serviceAccounts)));
    }
    Optional<LoadBalancerSettings> lb = policy.loadBalancerSettings();
    if (lb.flatMap(LoadBalancerSettings::consistentHash).isPresent()) {
      ClusterTranslator.applyRingHash(b, lb.get().consistentHash().get());
    } else {
      grpcLbPolicy(policy.loadBalancer()).ifPresent(b::setLbPolicy);
    }
    policy
        .connectionPool()
        .flatMap(ConnectionPoolSettings::http)
        .filter(h -> h.http2MaxRequests() > 0)
        .ifPresent(
            h ->
                b.setCircuitBreakers(
                    CircuitBreakers.newBuilder()
                        .addThresholds(
                            CircuitBreakers.Thresholds.newBuilder()
                                .setMaxRequests(XdsProtos.uint32(h.http2MaxRequests())))));
    return b.build();
  }

  /**
   * gRPC supports round_robin (its default, left unset), least_request and ring_hash. Other simple
   * policies (LEAST_CONN, RANDOM, PASSTHROUGH) have no gRPC counterpart: grpcgen leaves the default.
   */
  static Optional<Cluster.LbPolicy> grpcLbPolicy(LoadBalancer lb) {
    return lb == LoadBalancer.LEAST_REQUEST
        ? Optional.of(Cluster.LbPolicy.LEAST_REQUEST)
        : Optional.empty();
  }
}
