package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.jpilot.model.Hosts;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.L4Match;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.TcpRoute;
import io.jpilot.model.config.TlsMatch;
import io.jpilot.model.config.TlsRoute;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Outbound filter chains for non-HTTP service ports (istiod's tls.go and networkfilter.go): TLS and
 * HTTPS ports get one chain per VirtualService {@code tls[]} SNI match, TCP-like ports one per
 * {@code tcp[]} match (destination subnets become CIDR matches), and a port no route claims gets a
 * chain straight to the service's default cluster. A chain's route is a tcp_proxy to one cluster
 * (stat prefix: the cluster) or to weighted clusters (stat prefix: {@code <vs>.<namespace>}).
 */
final class L4RouteChains {
  private final MeshSnapshot view;
  private final ProxyView proxy;

  /**
   * @param view resolves destination services (the proxy's whole scope)
   */
  L4RouteChains(MeshSnapshot view, ProxyView proxy) {
    this.view = requireNonNull(view, "view");
    this.proxy = requireNonNull(proxy, "proxy");
  }

  /** The listener's VirtualServices that name {@code hostname} (wildcards either way). */
  List<VirtualService> configsForHost(String hostname, List<VirtualService> virtualServices) {
    List<VirtualService> out = new ArrayList<>();
    for (VirtualService vs : virtualServices) {
      for (String h : vs.hosts()) {
        if (Hosts.matches(view.resolveShortName(h, vs.meta().namespace()), hostname)) {
          out.add(vs);
          break;
        }
      }
    }
    return out;
  }

  /**
   * istiod's buildSidecarOutboundTLSFilterChainOpts. {@code cidrs} are the service's CIDR matches
   * (empty for a VIP listener); {@code bind} is the listener's address.
   */
  List<OutboundChain> tlsChains(
      Service service,
      int listenPort,
      String bind,
      List<String> cidrs,
      List<VirtualService> configs) {
    List<OutboundChain> out = new ArrayList<>();
    Set<String> handled = new HashSet<>();
    boolean hasTlsMatch = false;
    List<String> destinationCidrs = cidrs;
    for (VirtualService vs : configs) {
      for (TlsRoute tls : vs.tls()) {
        if (tls.route().isEmpty()) {
          continue;
        }
        for (TlsMatch m : tls.match()) {
          if (!staticMatch(
              m.gateways(), m.sourceLabels(), m.port(), m.sourceNamespace(), listenPort)) {
            continue;
          }
          if (!m.destinationSubnets().isEmpty() && listenPort > 0) {
            destinationCidrs = m.destinationSubnets();
          }
          String runtime =
              String.join(",", m.sniHosts()) + "|" + String.join(",", m.destinationSubnets());
          if (handled.add(runtime)) {
            out.add(
                OutboundChain.tcp(
                    m.sniHosts(),
                    destinationCidrs,
                    Optional.of(vs.meta().key()),
                    networkFilters(tls.route(), listenPort, vs)));
            hasTlsMatch = true;
          }
        }
      }
    }
    if (!hasTlsMatch) {
      String vip =
          OutboundCluster.isHeadless(service) ? IstioNames.WILDCARD_ADDRESS : service.clusterIp();
      if (vip.contains("/")) {
        vip = "";
      }
      List<String> sni = List.of();
      if (!cidrs.isEmpty()
          || vip.isEmpty()
          || (vip.equals(IstioNames.WILDCARD_ADDRESS)
              && bind.equals(IstioNames.WILDCARD_ADDRESS))) {
        sni = List.of(service.hostname());
      }
      out.add(OutboundChain.tcp(sni, cidrs, Optional.empty(), defaultFilters(service, listenPort)));
    }
    return out;
  }

  /** istiod's buildSidecarOutboundTCPFilterChainOpts. */
  List<OutboundChain> tcpChains(
      Service service, int listenPort, List<String> cidrs, List<VirtualService> configs) {
    List<OutboundChain> out = new ArrayList<>();
    boolean defaultRouteAdded = false;
    outer:
    for (VirtualService vs : configs) {
      for (TcpRoute tcp : vs.tcp()) {
        if (tcp.route().isEmpty()) {
          continue;
        }
        List<Filter> filters = networkFilters(tcp.route(), listenPort, vs);
        if (tcp.match().isEmpty()) {
          out.add(OutboundChain.tcp(List.of(), cidrs, Optional.of(vs.meta().key()), filters));
          defaultRouteAdded = true;
          break outer;
        }
        List<String> subnets = new ArrayList<>();
        for (L4Match m : tcp.match()) {
          if (!staticMatch(
              m.gateways(), m.sourceLabels(), m.port(), m.sourceNamespace(), listenPort)) {
            continue;
          }
          if (m.destinationSubnets().isEmpty() || listenPort == 0) {
            out.add(OutboundChain.tcp(List.of(), cidrs, Optional.of(vs.meta().key()), filters));
            defaultRouteAdded = true;
            break outer;
          }
          subnets.addAll(m.destinationSubnets());
        }
        if (!subnets.isEmpty()) {
          out.add(OutboundChain.tcp(List.of(), subnets, Optional.empty(), filters));
          List<String> a = new ArrayList<>(subnets);
          List<String> b = new ArrayList<>(cidrs);
          a.sort(null);
          b.sort(null);
          if (a.equals(b)) {
            defaultRouteAdded = true; // the service's own chain would be identical
          }
        }
      }
    }
    if (!defaultRouteAdded) {
      out.add(
          OutboundChain.tcp(
              List.of(), cidrs, Optional.empty(), defaultFilters(service, listenPort)));
    }
    return out;
  }

  /** Matches decided at generation time: gateways (mesh), source labels, port, namespace. */
  private boolean staticMatch(
      List<String> gateways,
      Map<String, String> sourceLabels,
      int port,
      String sourceNamespace,
      int listenPort) {
    boolean gatewayMatch = gateways.isEmpty() || gateways.contains(IstioNames.MESH_GATEWAY);
    boolean labelMatch = proxy.labels().entrySet().containsAll(sourceLabels.entrySet());
    boolean portMatch = port == 0 || port == listenPort;
    boolean nsMatch = sourceNamespace.isEmpty() || sourceNamespace.equals(proxy.namespace());
    return gatewayMatch && labelMatch && portMatch && nsMatch;
  }

  /** A tcp_proxy to the service's default cluster (the only port, else the listener port). */
  private List<Filter> defaultFilters(Service service, int listenPort) {
    int port = service.ports().size() == 1 ? service.ports().get(0).port() : listenPort;
    return List.of(ListenerTranslator.tcpProxy(ClusterKey.of(service.hostname(), port).name()));
  }

  /** istiod's buildOutboundNetworkFilters for a route's destinations. */
  List<Filter> networkFilters(List<RouteDestination> routes, int listenPort, VirtualService vs) {
    List<RouteDestination> weighted = new ArrayList<>();
    for (RouteDestination rd : routes) {
      if (rd.weight() > 0) {
        weighted.add(rd);
      }
    }
    if (routes.size() == 1 || weighted.isEmpty()) {
      return List.of(
          ListenerTranslator.tcpProxy(
              destinationCluster(routes.get(0).destination(), vs, listenPort)));
    }
    TcpProxy.WeightedCluster.Builder wc = TcpProxy.WeightedCluster.newBuilder();
    for (RouteDestination rd : weighted) {
      wc.addClusters(
          TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
              .setName(destinationCluster(rd.destination(), vs, listenPort))
              .setWeight(rd.weight()));
    }
    TcpProxy tcp =
        TcpProxy.newBuilder()
            .setStatPrefix(vs.meta().name() + "." + vs.meta().namespace())
            .setWeightedClusters(wc)
            .build();
    return List.of(
        Filter.newBuilder()
            .setName(IstioNames.TCP_PROXY)
            .setTypedConfig(XdsProtos.pack(tcp))
            .build());
  }

  /**
   * istiod's GetDestinationCluster: the destination's port, else the service's only port, else the
   * listener port. Short hosts resolve against the VirtualService's namespace.
   */
  String destinationCluster(Destination d, VirtualService vs, int listenPort) {
    String host = view.resolveShortName(d.host(), vs.meta().namespace());
    int port = listenPort;
    if (d.port() != 0) {
      port = d.port();
    } else {
      Optional<Service> svc = view.service(host);
      if (svc.isPresent() && svc.get().ports().size() == 1) {
        port = svc.get().ports().get(0).port();
      }
    }
    return new ClusterKey(port, d.subset(), host).name();
  }

  /** Ports whose traffic is TLS the sidecar does not terminate: routed by SNI. */
  static boolean isTls(Protocol p) {
    return p == Protocol.HTTPS || p == Protocol.TLS;
  }
}
