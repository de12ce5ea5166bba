package io.jpilot.translate;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.OutboundTrafficPolicy;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Sidecar LDS: the outbound listeners of the proxy's Sidecar scope ({@link
 * SidecarOutboundListeners}), {@code virtualOutbound} on 15001 (original destination; unknown
 * traffic goes to PassthroughCluster under ALLOW_ANY, to BlackHoleCluster under REGISTRY_ONLY) and
 * the inbound side ({@link SidecarInboundListeners}: {@code virtualInbound} on 15006).
 */
final class ListenerTranslator {

  SortedMap<String, Message> sidecarListeners(SidecarScope scope, ProxyView proxy) {
    SortedMap<String, Message> out = new TreeMap<>();
    for (Listener l : SidecarOutboundListeners.build(scope, proxy)) {
      out.put(l.getName(), l);
    }
    out.put(
        IstioNames.VIRTUAL_OUTBOUND,
        virtualOutbound(catchAllCluster(scope.outboundTrafficPolicy())));
    for (Listener l : SidecarInboundListeners.build(scope, proxy)) {
      out.put(l.getName(), l);
    }
    return out;
  }

  /**
   * Where traffic to unknown destinations goes: PassthroughCluster (or the egress proxy's cluster)
   * under ALLOW_ANY, BlackHoleCluster under REGISTRY_ONLY.
   */
  static String catchAllCluster(OutboundTrafficPolicy policy) {
    if (policy.mode() == OutboundTrafficPolicy.Mode.REGISTRY_ONLY) {
      return IstioNames.BLACK_HOLE_CLUSTER;
    }
    if (policy.egressProxy().isPresent()) {
      Destination d = policy.egressProxy().get();
      return new ClusterKey(d.port(), d.subset(), d.host()).name();
    }
    return IstioNames.PASSTHROUGH_CLUSTER;
  }

  static Listener virtualOutbound(String catchAllCluster) {
    return Listener.newBuilder()
        .setName(IstioNames.VIRTUAL_OUTBOUND)
        .setAddress(
            XdsProtos.socketAddress(IstioNames.WILDCARD_ADDRESS, IstioNames.VIRTUAL_OUTBOUND_PORT))
        .addFilterChains(
            FilterChain.newBuilder()
                .setName(IstioNames.VIRTUAL_OUTBOUND_BLACK_HOLE)
                .setFilterChainMatch(
                    FilterChainMatch.newBuilder()
                        .setDestinationPort(XdsProtos.uint32(IstioNames.VIRTUAL_OUTBOUND_PORT)))
                .addFilters(tcpProxy(IstioNames.BLACK_HOLE_CLUSTER)))
        .addFilterChains(
            FilterChain.newBuilder()
                .setName(IstioNames.VIRTUAL_OUTBOUND_CATCH_ALL_TCP)
                .addFilters(tcpProxy(catchAllCluster)))
        .setUseOriginalDst(XdsProtos.bool(true))
        .setTrafficDirection(TrafficDirection.OUTBOUND)
        .build();
  }

  /** An outbound HTTP connection manager using RDS route {@code rds}. */
  static Filter httpConnectionManager(String statPrefix, String rds) {
    HttpConnectionManager hcm =
        baseConnectionManager(statPrefix)
            .setRds(
                Rds.newBuilder().setConfigSource(XdsProtos.adsSidecar()).setRouteConfigName(rds))
            .build();
    return Filter.newBuilder()
        .setName(IstioNames.HTTP_CONNECTION_MANAGER)
        .setTypedConfig(XdsProtos.pack(hcm))
        .build();
  }

  /** The settings every sidecar HTTP connection manager shares (listener_builder.go). */
  static HttpConnectionManager.Builder baseConnectionManager(String statPrefix) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .addHttpFilters(faultFilter())
        .addHttpFilters(httpFilter(IstioNames.CORS_FILTER, Cors.getDefaultInstance()))
        .addHttpFilters(routerFilter())
        .setUseRemoteAddress(XdsProtos.bool(false))
        .addUpgradeConfigs(
            HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType("websocket"))
        .setStreamIdleTimeout(XdsProtos.ZERO)
        .setNormalizePath(XdsProtos.bool(true))
        .setPathWithEscapedSlashesAction(
            HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED);
  }

  /** tcp_proxy with istiod's stat prefix for it: the cluster name. */
  static Filter tcpProxy(String cluster) {
    return Filter.newBuilder()
        .setName(IstioNames.TCP_PROXY)
        .setTypedConfig(
            XdsProtos.pack(
                TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build()))
        .build();
  }

  static HttpFilter routerFilter() {
    return httpFilter(IstioNames.ROUTER_FILTER, Router.getDefaultInstance());
  }

  static HttpFilter faultFilter() {
    return httpFilter(IstioNames.FAULT_FILTER, HTTPFault.getDefaultInstance());
  }

  static HttpFilter httpFilter(String name, Message config) {
    return HttpFilter.newBuilder().setName(name).setTypedConfig(XdsProtos.pack(config)).build();
  }
}
