package io.jpilot.translate;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.ServerTls;
import io.jpilot.model.config.Subset;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import io.jpilot.translate.MergedGateway.BoundServer;
import io.jpilot.translate.MergedGateway.ServerPort;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Gateway LDS (istiod's buildGatewayListeners): one {@code <bind>_<port>} listener per port the
 * gateway proxy listens on. HTTP servers share one filter chain whose connection manager uses RDS
 * {@code http.<port>}; each HTTPS server that terminates TLS gets a filter chain matching its SNI
 * hosts, with its DownstreamTlsContext and RDS {@code https.<port>.<portName>.<gw>.<ns>}; TLS
 * passthrough servers get SNI filter chains to tcp_proxy. A tls_inspector reads SNI and ALPN
 * whenever a chain needs them.
 */
final class GatewayListenerTranslator {
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
  static final java.time.Duration TRANSPORT_SOCKET_CONNECT_TIMEOUT =
      java.time.Duration.ofSeconds(15);

  /** The Server header gateways send (istiod's ProxyHeaders default for gateways). */
  static final String SERVER_NAME = "istio-envoy";

  /** Istio's mTLS ALPN values; AUTO_PASSTHROUGH chains accept only these. */
  static final List<String> ALL_ISTIO_MTLS_ALPNS =
      List.of("istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2");

  /** istiod's filterChainOpts, before it becomes a FilterChain. */
  private record ChainOpts(
      List<String> sniHosts,
      List<String> applicationProtocols,
      Optional<DownstreamTlsContext> tls,
      List<Filter> filters) {}

  SortedMap<String, Message> listeners(MeshSnapshot snapshot, ProxyView proxy) {
    SortedMap<String, Message> out = new TreeMap<>();
    MergedGateway merged = GatewayMerger.merge(snapshot, proxy);
    if (merged.isEmpty()) {
      return out;
    }
    String wildcard = wildcard(proxy);
    Map<String, List<ChainOpts>> chainsByListener = new LinkedHashMap<>();
    Map<String, String> bindByListener = new LinkedHashMap<>();
    Map<String, Integer> portByListener = new LinkedHashMap<>();
    Map<String, Set<String>> claimedSni = new LinkedHashMap<>();
    for (ServerPort port : merged.serverPorts()) {
      String bind = port.bind().isEmpty() ? wildcard : port.bind();
      String name = IstioNames.listenerName(bind, port.number());
      MergedGateway.MergedServers servers = merged.servers().get(port);
      if (servers == null) {
        continue;
      }
      List<ChainOpts> chains = chainsByListener.computeIfAbsent(name, k -> new ArrayList<>());
      bindByListener.putIfAbsent(name, bind);
      portByListener.putIfAbsent(name, port.number());
      if (Protocol.parse(port.protocol()).isHttp()) {
        chains.add(
            new ChainOpts(
                List.of(),
                List.of(),
                Optional.empty(),
                List.of(hcm(servers.routeName(), statPrefix(name)))));
        continue;
      }
      for (BoundServer s : servers.servers()) {
        Optional<MergedGateway.TlsServerInfo> info = merged.tls(s);
        if (s.server().isHttpsWithTermination()) {
          String prefix = s.server().name().isEmpty() ? statPrefix(name) : s.server().name();
          chains.add(
              new ChainOpts(
                  info.map(MergedGateway.TlsServerInfo::sniHosts).orElse(List.of()),
                  List.of(),
                  Optional.of(GatewayTlsContexts.downstream(s.server().tls().orElseThrow())),
                  List.of(
                      hcm(info.map(MergedGateway.TlsServerInfo::routeName).orElse(""), prefix))));
        } else {
          chains.addAll(
              tcpChains(
                  snapshot,
                  proxy,
                  s,
                  info,
                  claimedSni.computeIfAbsent(name, k -> new HashSet<>())));
        }
      }
    }
    chainsByListener.forEach(
        (name, chains) -> {
          if (!chains.isEmpty()) {
            out.put(
                name, listener(name, bindByListener.get(name), portByListener.get(name), chains));
          }
        });
    return out;
  }

  /**
   * istiod's createGatewayTCPFilterChainOpts: AUTO_PASSTHROUGH gives one SNI chain per service port
   * (and subset) the server's hosts cover; the other TCP and passthrough servers are routed by
   * VirtualService tcp and tls routes.
   */
  private static List<ChainOpts> tcpChains(
      MeshSnapshot snapshot,
      ProxyView proxy,
      BoundServer s,
      Optional<MergedGateway.TlsServerInfo> info,
      Set<String> claimedSni) {
    Optional<ServerTls> tls = s.server().tls();
    if (tls.isPresent() && tls.get().mode() == ServerTls.Mode.AUTO_PASSTHROUGH) {
      return autoPassthroughChains(
          snapshot, proxy, info.map(MergedGateway.TlsServerInfo::sniHosts).orElse(List.of()));
    }
    GatewayL4Routes routes = new GatewayL4Routes(snapshot, proxy);
    if (tls.isEmpty()) {
      // opaque TCP: the first matching tcp route
      return routes.tcp(s).stream()
          .map(f -> new ChainOpts(List.of(), List.of(), Optional.empty(), f))
          .toList();
    }
    if (!s.server().isPassthrough()) {
      // TLS terminated here, then forwarded by a tcp route
      return routes.tcp(s).stream()
          .map(
              f ->
                  new ChainOpts(
                      info.map(MergedGateway.TlsServerInfo::sniHosts).orElse(List.of()),
                      List.of(),
                      Optional.of(GatewayTlsContexts.downstream(tls.get(), true)),
                      f))
          .toList();
    }
    // TLS passthrough: one chain per tls route match, by SNI
    List<ChainOpts> out = new ArrayList<>();
    for (GatewayL4Routes.Chain c : routes.tls(s, claimedSni)) {
      out.add(new ChainOpts(c.sniHosts(), List.of(), Optional.empty(), c.filters()));
    }
    return out;
  }

  /** istiod's builtAutoPassthroughFilterChains: SNI {@code outbound_.<port>_.<subset>_.<host>}. */
  private static List<ChainOpts> autoPassthroughChains(
      MeshSnapshot snapshot, ProxyView proxy, List<String> hosts) {
    List<ChainOpts> out = new ArrayList<>();
    for (Service svc : snapshot.services().values()) {
      if (svc.meshExternal() || !svc.visibleTo(proxy.namespace())) {
        continue;
      }
      boolean covered = false;
      for (String h : hosts) {
        if (GatewayHosts.subsetOf(svc.hostname(), h)) {
          covered = true;
          break;
        }
      }
      if (!covered) {
        continue;
      }
      Optional<DestinationRule> dr = snapshot.destinationRule(svc.hostname(), proxy.namespace());
      for (ServicePort p : svc.ports()) {
        if (p.protocol() == Protocol.UDP) {
          continue;
        }
        String cluster = sniClusterName(p.port(), "", svc.hostname());
        out.add(
            new ChainOpts(
                List.of(cluster),
                ALL_ISTIO_MTLS_ALPNS,
                Optional.empty(),
                List.of(ListenerTranslator.tcpProxy(cluster))));
        if (dr.isPresent()) {
          for (Subset subset : dr.get().subsets()) {
            String subsetCluster = sniClusterName(p.port(), subset.name(), svc.hostname());
            out.add(
                new ChainOpts(
                    List.of(subsetCluster),
                    ALL_ISTIO_MTLS_ALPNS,
                    Optional.empty(),
                    List.of(ListenerTranslator.tcpProxy(subsetCluster))));
          }
        }
      }
    }
    return out;
  }

  private static Listener listener(String name, String bind, int port, List<ChainOpts> chains) {
    Listener.Builder l =
        Listener.newBuilder()
            .setName(name)
            .setAddress(XdsProtos.socketAddress(bind, port))
            .setTrafficDirection(TrafficDirection.OUTBOUND)
            .setMaxConnectionsToAcceptPerSocketEvent(XdsProtos.uint32(1));
    for (ChainOpts c : chains) {
      if (!c.sniHosts().isEmpty() || c.tls().isPresent()) {
        l.addListenerFilters(
            ListenerFilter.newBuilder()
                .setName(TLS_INSPECTOR)
                .setTypedConfig(XdsProtos.pack(TlsInspector.getDefaultInstance())));
        break;
      }
    }
    for (ChainOpts c : chains) {
      FilterChain.Builder fc =
          FilterChain.newBuilder()
              .addAllFilters(c.filters())
              .setTransportSocketConnectTimeout(
                  XdsProtos.duration(TRANSPORT_SOCKET_CONNECT_TIMEOUT));
      filterChainMatch(c).ifPresent(fc::setFilterChainMatch);
      c.tls().ifPresent(t -> fc.setTransportSocket(GatewayTlsContexts.transportSocket(t)));
      l.addFilterChains(fc);
    }
    return l.build();
  }

  /** istiod's toFilterChainMatch: none for a match-all chain; a {@code *} SNI matches all. */
  private static Optional<FilterChainMatch> filterChainMatch(ChainOpts c) {
    boolean allSni = c.sniHosts().isEmpty() || c.sniHosts().contains("*");
    if (allSni && c.applicationProtocols().isEmpty()) {
      return Optional.empty();
    }
    FilterChainMatch.Builder m =
        FilterChainMatch.newBuilder().addAllApplicationProtocols(c.applicationProtocols());
    if (!allSni) {
      m.addAllServerNames(c.sniHosts().stream().sorted().toList());
    }
    return Optional.of(m.build());
  }

  /** {@code outbound_<listener>;}: istiod's stat prefix for gateway connection managers. */
  private static String statPrefix(String listenerName) {
    return "outbound_" + listenerName + IstioNames.STAT_PREFIX_DELIMITER;
  }

  /** istiod's gateway HTTP connection manager (buildGatewayConnectionManager), with RDS. */
  static Filter hcm(String routeName, String statPrefix) {
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(statPrefix)
            .setRds(
                Rds.newBuilder()
                    .setConfigSource(XdsProtos.adsSidecar())
                    .setRouteConfigName(routeName))
            .addHttpFilters(ListenerTranslator.faultFilter())
            .addHttpFilters(
                ListenerTranslator.httpFilter(IstioNames.CORS_FILTER, Cors.getDefaultInstance()))
            .addHttpFilters(ListenerTranslator.routerFilter())
            .setUseRemoteAddress(XdsProtos.bool(true))
            .setForwardClientCertDetails(
                HttpConnectionManager.ForwardClientCertDetails.SANITIZE_SET)
            .setSetCurrentClientCertDetails(
                HttpConnectionManager.SetCurrentClientCertDetails.newBuilder()
                    .setSubject(XdsProtos.bool(true))
                    .setCert(true)
                    .setDns(true)
                    .setUri(true))
            .setServerName(SERVER_NAME)
            .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
            .addUpgradeConfigs(
                HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType("websocket"))
            .setStreamIdleTimeout(XdsProtos.ZERO)
            .setNormalizePath(XdsProtos.bool(true))
            .setPathWithEscapedSlashesAction(
                HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED)
            .build();
    return Filter.newBuilder()
        .setName(IstioNames.HTTP_CONNECTION_MANAGER)
        .setTypedConfig(XdsProtos.pack(hcm))
        .build();
  }

  /** istiod's BuildDNSSrvSubsetKey: {@code outbound_.<port>_.<subset>_.<host>}. */
  static String sniClusterName(int port, String subset, String host) {
    return "outbound_." + port + "_." + subset + "_." + host;
  }

  /** The proxy's wildcard bind: {@code ::} for an IPv6-only proxy, else {@code 0.0.0.0}. */
  static String wildcard(ProxyView proxy) {
    if (!proxy.ips().isEmpty() && proxy.ips().stream().allMatch(ip -> ip.contains(":"))) {
      return "::";
    }
    return IstioNames.WILDCARD_ADDRESS;
  }
}
