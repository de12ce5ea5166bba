package io.jpilot.translate;

import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
import io.envoyproxy.envoy.config.route.v3.Decorator;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.v3.Int32Range;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.config.Sidecar;
import io.jpilot.model.registry.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The inbound side of a sidecar (core/listener_inbound.go): {@code virtualInbound} on 15006 takes
 * every redirected inbound connection. Its filter chains are, in order:
 *
 * <ul>
 *   <li>{@code virtualInbound-blackhole}: traffic addressed to 15006 itself goes nowhere;
 *   <li>the passthrough chains {@code virtualInbound-catchall-http} (plaintext HTTP) and {@code
 *       virtualInbound} (anything else) to InboundPassthroughCluster;
 *   <li>one {@code 0.0.0.0_<targetPort>} chain per workload port ({@link InboundChains}), matching
 *       destination_port: an HTTP connection manager with the inline route configuration {@code
 *       inbound|<port>||} for HTTP ports, a tcp_proxy to {@code inbound|<port>||} for TCP ports,
 *       both for auto-detected ones.
 * </ul>
 *
 * <p>The original destination is restored by the original_dst listener filter, so chains match on
 * the port the client dialled. A Sidecar ingress listener with captureMode NONE becomes its own
 * listener bound to the port. Mutual TLS is not modelled: chains are the plaintext ones istiod
 * builds when PeerAuthentication says DISABLE.
 */
final class SidecarInboundListeners {
  private enum Kind {
    HTTP,
    TCP
  }

  private SidecarInboundListeners() {}

  static List<Listener> build(SidecarScope scope, ProxyView proxy) {
    List<FilterChain> virtualChains = new ArrayList<>();
    List<Listener> out = new ArrayList<>();
    for (InboundChains.Config cc : InboundChains.of(scope, proxy)) {
      List<FilterChain> chains = chains(cc);
      if (cc.bindToPort()) {
        out.add(listener(cc.name(), cc.bind(), cc.targetPort(), true, chains));
      } else {
        virtualChains.addAll(chains);
      }
    }
    List<FilterChain> all = new ArrayList<>();
    all.add(blackHoleChain());
    all.add(passthroughChain(Kind.HTTP));
    all.add(passthroughChain(Kind.TCP));
    all.addAll(virtualChains);
    out.add(
        listener(
            SidecarNames.VIRTUAL_INBOUND,
            IstioNames.WILDCARD_ADDRESS,
            SidecarNames.VIRTUAL_INBOUND_PORT,
            false,
            all));
    return out;
  }

  private static Listener listener(
      String name, String bind, int port, boolean bindToPort, List<FilterChain> chains) {
    Listener.Builder l =
        Listener.newBuilder()
            .setName(name)
            .setAddress(XdsProtos.socketAddress(bind, port))
            .setTrafficDirection(TrafficDirection.INBOUND)
            .setContinueOnListenerFiltersTimeout(true)
            .addAllFilterChains(chains);
    if (!bindToPort) {
      l.addListenerFilters(
          ListenerFilter.newBuilder()
              .setName(SidecarNames.ORIGINAL_DST)
              .setTypedConfig(XdsProtos.pack(OriginalDst.getDefaultInstance())));
    }
    httpInspector(chains).ifPresent(l::addListenerFilters);
    l.setListenerFiltersTimeout(XdsProtos.ZERO);
    return l.build();
  }

  /**
   * istiod's buildHTTPInspector: enabled where some chain matches HTTP ALPN values, disabled (by a
   * destination port predicate) on the ports where none does.
   */
  private static Optional<ListenerFilter> httpInspector(List<FilterChain> chains) {
    SortedMap<Integer, Boolean> needs = new TreeMap<>();
    for (FilterChain fc : chains) {
      int port = fc.getFilterChainMatch().getDestinationPort().getValue();
      boolean http =
          fc.getFilterChainMatch().getApplicationProtocolsList().contains("http/1.1")
              || fc.getFilterChainMatch().getApplicationProtocolsList().contains("h2c");
      needs.merge(port, http, Boolean::logicalOr);
    }
    if (!needs.containsValue(true)) {
      return Optional.empty();
    }
    ListenerFilter.Builder f =
        ListenerFilter.newBuilder()
            .setName(SidecarNames.HTTP_INSPECTOR)
            .setTypedConfig(XdsProtos.pack(HttpInspector.getDefaultInstance()));
    List<ListenerFilterChainMatchPredicate> ranges = new ArrayList<>();
    needs.forEach(
        (port, http) -> {
          if (!http) {
            ranges.add(
                ListenerFilterChainMatchPredicate.newBuilder()
                    .setDestinationPortRange(
                        Int32Range.newBuilder().setStart(port).setEnd(port + 1))
                    .build());
          }
        });
    if (ranges.size() == 1) {
      f.setFilterDisabled(ranges.get(0));
    } else if (ranges.size() > 1) {
      f.setFilterDisabled(
          ListenerFilterChainMatchPredicate.newBuilder()
              .setOrMatch(
                  ListenerFilterChainMatchPredicate.MatchSet.newBuilder().addAllRules(ranges)));
    }
    return Optional.of(f.build());
  }

  private static FilterChain blackHoleChain() {
    return FilterChain.newBuilder()
        .setName(SidecarNames.VIRTUAL_INBOUND_BLACK_HOLE)
        .setFilterChainMatch(
            FilterChainMatch.newBuilder()
                .setDestinationPort(XdsProtos.uint32(SidecarNames.VIRTUAL_INBOUND_PORT)))
        .addFilters(ListenerTranslator.tcpProxy(IstioNames.BLACK_HOLE_CLUSTER))
        .build();
  }

  /** The chains for one workload port; auto-detected ports get an HTTP and a TCP chain. */
  private static List<FilterChain> chains(InboundChains.Config cc) {
    Protocol p = cc.protocol();
    List<FilterChain> out = new ArrayList<>();
    if (p.isHttp()) {
      out.add(chain(cc, Kind.HTTP, false));
    } else if (p == Protocol.UNSUPPORTED) {
      out.add(chain(cc, Kind.HTTP, true));
      out.add(chain(cc, Kind.TCP, false));
    } else {
      out.add(chain(cc, Kind.TCP, false));
    }
    return out;
  }

  private static FilterChain chain(InboundChains.Config cc, Kind kind, boolean sniffed) {
    FilterChainMatch.Builder m =
        FilterChainMatch.newBuilder()
            .setDestinationPort(XdsProtos.uint32(cc.targetPort()))
            .setTransportProtocol(SidecarNames.RAW_BUFFER);
    if (sniffed) {
      m.addAllApplicationProtocols(SidecarNames.PLAINTEXT_HTTP_ALPNS);
    }
    FilterChain.Builder fc = FilterChain.newBuilder().setName(cc.name()).setFilterChainMatch(m);
    if (kind == Kind.HTTP) {
      fc.addFilters(
          httpConnectionManager(
              "inbound_" + cc.name() + IstioNames.STAT_PREFIX_DELIMITER,
              cc.clusterName(),
              cc.servicePort(),
              cc.hostname(),
              cc.protocol()));
    } else {
      fc.addFilters(ListenerTranslator.tcpProxy(cc.clusterName()));
    }
    cc.sidecar().ifPresent(sc -> fc.setMetadata(sidecarMetadata(sc)));
    return fc.build();
  }

  /** The passthrough chains istiod builds for unmatched ports (plaintext). */
  private static FilterChain passthroughChain(Kind kind) {
    String cluster = SidecarNames.INBOUND_PASSTHROUGH_CLUSTER;
    FilterChainMatch.Builder m =
        FilterChainMatch.newBuilder().setTransportProtocol(SidecarNames.RAW_BUFFER);
    FilterChain.Builder fc = FilterChain.newBuilder();
    if (kind == Kind.HTTP) {
      m.addAllApplicationProtocols(SidecarNames.PLAINTEXT_HTTP_ALPNS);
      fc.setName(SidecarNames.VIRTUAL_INBOUND_CATCH_ALL_HTTP)
          .addFilters(
              httpConnectionManager(
                  cluster + IstioNames.STAT_PREFIX_DELIMITER,
                  cluster,
                  0,
                  "",
                  Protocol.UNSUPPORTED));
    } else {
      fc.setName(SidecarNames.VIRTUAL_INBOUND).addFilters(ListenerTranslator.tcpProxy(cluster));
    }
    return fc.setFilterChainMatch(m).build();
  }

  /**
   * The inbound connection manager: an inline route configuration named after the cluster, one
   * virtual host {@code inbound|http|<port>} for any domain, and istiod's default inbound route.
   */
  static Filter httpConnectionManager(
      String statPrefix, String cluster, int port, String hostname, Protocol protocol) {
    RouteConfiguration rc =
        RouteConfiguration.newBuilder()
            .setName(cluster)
            .addVirtualHosts(
                VirtualHost.newBuilder()
                    .setName(SidecarNames.INBOUND_VHOST_PREFIX + port)
                    .addDomains("*")
                    .addRoutes(defaultInboundRoute(cluster, port, hostname, protocol)))
            .setValidateClusters(XdsProtos.bool(false))
            .build();
    HttpConnectionManager.Builder hcm =
        ListenerTranslator.baseConnectionManager(statPrefix)
            .setRouteConfig(rc)
            .setForwardClientCertDetails(
                HttpConnectionManager.ForwardClientCertDetails.APPEND_FORWARD)
            .setSetCurrentClientCertDetails(
                HttpConnectionManager.SetCurrentClientCertDetails.newBuilder()
                    .setSubject(XdsProtos.bool(true))
                    .setDns(true)
                    .setUri(true));
    if (protocol.isHttp2()) {
      hcm.setHttp2ProtocolOptions(
          io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions.getDefaultInstance());
    }
    return Filter.newBuilder()
        .setName(IstioNames.HTTP_CONNECTION_MANAGER)
        .setTypedConfig(XdsProtos.pack(hcm.build()))
        .build();
  }

  /** istiod's BuildDefaultHTTPInboundRoute: no timeout, retries only before the request. */
  static Route defaultInboundRoute(String cluster, int port, String hostname, Protocol protocol) {
    RouteAction.Builder action =
        RouteAction.newBuilder()
            .setCluster(cluster)
            .setTimeout(XdsProtos.ZERO)
            .setMaxStreamDuration(
                RouteAction.MaxStreamDuration.newBuilder()
                    .setMaxStreamDuration(XdsProtos.ZERO)
                    .setGrpcTimeoutHeaderMax(XdsProtos.ZERO));
    if (protocol != Protocol.GRPC && protocol != Protocol.GRPC_WEB) {
      action.setRetryPolicy(
          RetryPolicy.newBuilder()
              .setRetryOn(SidecarNames.INBOUND_RETRY_ON)
              .setNumRetries(XdsProtos.uint32(2)));
    }
    return Route.newBuilder()
        .setName(IstioNames.DEFAULT_ROUTE)
        .setMatch(RouteMatch.newBuilder().setPrefix("/"))
        .setRoute(action)
        .setDecorator(
            Decorator.newBuilder().setOperation(IstioNames.joinHostPort(hostname, port) + "/*"))
        .build();
  }

  /** {@code istio.config} naming the Sidecar that declared an ingress listener. */
  private static io.envoyproxy.envoy.config.core.v3.Metadata sidecarMetadata(Sidecar sc) {
    SortedMap<String, com.google.protobuf.Value> fields = new TreeMap<>();
    fields.put(
        "config",
        XdsProtos.string(
            IstioNames.configPath("sidecar", sc.meta().namespace(), sc.meta().name())));
    return XdsProtos.istioMetadata(fields);
  }
}
