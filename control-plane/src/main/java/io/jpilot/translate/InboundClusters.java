package io.jpilot.translate;

import com.google.protobuf.Message;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.BindConfig;
import io.envoyproxy.envoy.config.core.v3.Pipe;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.config.ConnectionPoolSettings;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Sidecar inbound CDS (core/cluster.go buildInboundClusters, cluster_builder.go
 * buildInboundCluster): one {@code inbound|<port>||} cluster per inbound chain and the {@code
 * InboundPassthroughCluster}. With the default inbound traffic policy (PASSTHROUGH) a cluster is
 * ORIGINAL_DST and binds its upstream connections to 127.0.0.6 so iptables lets them through; a
 * Sidecar ingress defaultEndpoint makes it STATIC to that address instead.
 */
final class InboundClusters {
  private InboundClusters() {}

  static SortedMap<String, Message> generate(SidecarScope scope, ProxyView proxy) {
    SortedMap<String, Message> out = new TreeMap<>();
    for (InboundChains.Config cc : InboundChains.of(scope, proxy)) {
      Cluster c = inbound(cc, scope, proxy);
      out.put(c.getName(), c);
    }
    out.put(SidecarNames.INBOUND_PASSTHROUGH_CLUSTER, inboundPassthrough());
    return out;
  }

  /**
   * One inbound cluster. Its connection pool is the Sidecar's for the port (ingress listener, else
   * inboundConnectionPool), else the one of the DestinationRule of the service on the port (the
   * rule's port-level entry for the service port first); nothing else of the rule applies inbound.
   */
  static Cluster inbound(InboundChains.Config cc, SidecarScope scope, ProxyView proxy) {
    String name = cc.clusterName();
    Cluster.Builder b =
        Cluster.newBuilder()
            .setName(name)
            .setCommonLbConfig(Cluster.CommonLbConfig.getDefaultInstance())
            .setAltStatName(name + IstioNames.STAT_PREFIX_DELIMITER);
    Optional<Address> endpoint = defaultEndpoint(cc.defaultEndpoint(), proxy);
    if (endpoint.isPresent()) {
      b.setType(Cluster.DiscoveryType.STATIC)
          .setLoadAssignment(
              ClusterLoadAssignment.newBuilder()
                  .setClusterName(name)
                  .addEndpoints(
                      LocalityLbEndpoints.newBuilder()
                          .addLbEndpoints(
                              LbEndpoint.newBuilder()
                                  .setEndpoint(
                                      io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                                          .setAddress(endpoint.get())))));
    } else {
      b.setType(Cluster.DiscoveryType.ORIGINAL_DST)
          .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
          .setCleanupInterval(XdsProtos.seconds(SidecarNames.MAX_CLEANUP_SECONDS));
    }
    if (!isLocalhost(endpoint)) {
      b.setUpstreamBindConfig(passthroughBind());
    }
    ClusterTranslator.Wrapper w = new ClusterTranslator.Wrapper(b);
    if (cc.protocol().isHttp2()) {
      w.setH2();
    } else if (cc.protocol() == Protocol.UNSUPPORTED) {
      w.setUseDownstreamProtocol();
    }
    Optional<DestinationRule> rule = rule(cc, scope);
    Optional<ConnectionPoolSettings> pool =
        rule.flatMap(DestinationRule::trafficPolicy)
            .flatMap(tp -> tp.forPort(cc.servicePort()).connectionPool());
    Optional<ConnectionPoolSettings> sidecarPool =
        scope.sidecar().flatMap(sc -> sc.inboundConnectionPool(cc.targetPort()));
    if (sidecarPool.isPresent()) {
      pool = sidecarPool;
    }
    ClusterTranslator.applyConnectionPool(
        w,
        pool.orElse(new ConnectionPoolSettings(Optional.empty(), Optional.empty())),
        Optional.empty());
    SortedMap<String, Value> fields = new TreeMap<>();
    if (!cc.targets().isEmpty()) {
      fields.put("services", services(cc));
    }
    rule.filter(dr -> dr.trafficPolicy().isPresent())
        .ifPresent(
            dr ->
                fields.put(
                    "config",
                    XdsProtos.string(
                        IstioNames.configPath(
                            "destination-rule", dr.meta().namespace(), dr.meta().name()))));
    if (!fields.isEmpty()) {
      b.setMetadata(XdsProtos.istioMetadata(fields));
    }
    return w.build();
  }

  /**
   * The DestinationRule istiod consults for an inbound cluster: the one without a workload selector
   * that applies to the first service on the port, as seen from the proxy's namespace.
   */
  private static Optional<DestinationRule> rule(InboundChains.Config cc, SidecarScope scope) {
    if (cc.targets().isEmpty()) {
      return Optional.empty();
    }
    return scope
        .snapshot()
        .destinationRule(
            cc.targets().get(0).service().hostname(),
            scope.namespace(),
            Map.of(),
            scope.rootNamespace());
  }

  /** {@code istio.services}: the services served on this workload port. */
  private static Value services(InboundChains.Config cc) {
    List<SortedMap<String, String>> services = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (ServiceTargets.Target t : cc.targets()) {
      Service s = t.service();
      if (!seen.add(s.hostname())) {
        continue;
      }
      SortedMap<String, String> info = new TreeMap<>();
      info.put("host", s.hostname());
      info.put("name", s.name());
      info.put("namespace", s.namespace());
      services.add(info);
    }
    return XdsProtos.listOfStructs(services);
  }

  /**
   * Where a Sidecar ingress defaultEndpoint points: {@code 127.0.0.1:<port>} (or {@code [::1]}),
   * {@code 0.0.0.0:<port>} (the proxy's IPv4 address), {@code [::]:<port>} (its IPv6 address) or a
   * {@code unix://} socket. Empty for no (or an unusable) endpoint.
   */
  static Optional<Address> defaultEndpoint(String endpoint, ProxyView proxy) {
    if (endpoint.isEmpty()) {
      return Optional.empty();
    }
    if (endpoint.startsWith("unix://")) {
      return Optional.of(
          Address.newBuilder()
              .setPipe(Pipe.newBuilder().setPath(endpoint.substring("unix://".length())))
              .build());
    }
    int colon = endpoint.lastIndexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    String host = endpoint.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(endpoint.substring(colon + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    String address;
    switch (host) {
      case "0.0.0.0":
        address =
            proxy.ips().stream()
                .filter(ip -> !ip.contains(":"))
                .findFirst()
                .orElse(SidecarNames.LOCALHOST);
        break;
      case "::":
        address =
            proxy.ips().stream()
                .filter(ip -> ip.contains(":"))
                .findFirst()
                .orElse(SidecarNames.LOCALHOST_IPV6);
        break;
      case "::1":
        address = SidecarNames.LOCALHOST_IPV6;
        break;
      default:
        address = SidecarNames.LOCALHOST;
        break;
    }
    return Optional.of(
        Address.newBuilder()
            .setSocketAddress(SocketAddress.newBuilder().setAddress(address).setPortValue(port))
            .build());
  }

  private static boolean isLocalhost(Optional<Address> a) {
    if (a.isEmpty() || !a.get().hasSocketAddress()) {
      return false;
    }
    String ip = a.get().getSocketAddress().getAddress();
    return ip.equals(SidecarNames.LOCALHOST) || ip.equals(SidecarNames.LOCALHOST_IPV6);
  }

  private static BindConfig passthroughBind() {
    return BindConfig.newBuilder()
        .setSourceAddress(
            SocketAddress.newBuilder()
                .setAddress(SidecarNames.INBOUND_PASSTHROUGH_BIND_IPV4)
                .setPortValue(0))
        .build();
  }

  /** PassthroughCluster's shape, renamed, bound to 127.0.0.6. */
  static Cluster inboundPassthrough() {
    return ClusterTranslator.passthrough().toBuilder()
        .setName(SidecarNames.INBOUND_PASSTHROUGH_CLUSTER)
        .setAltStatName(SidecarNames.INBOUND_PASSTHROUGH_CLUSTER + IstioNames.STAT_PREFIX_DELIMITER)
        .clearFilters()
        .setUpstreamBindConfig(passthroughBind())
        .build();
  }
}
