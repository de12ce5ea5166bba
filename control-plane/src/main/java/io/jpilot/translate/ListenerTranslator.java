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
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Sidecar outbound LDS: {@code virtualOutbound} on 15001 (original destination, catch-all to
 * PassthroughCluster), one {@code 0.0.0.0_<port>} HTTP listener per HTTP service port using RDS
 * route {@code "<port>"}, and one {@code <VIP>_<port>} TCP proxy listener per other service port
 * with a VIP. All per-port listeners are bind_to_port false: virtualOutbound hands them the
 * connections.
 */
final class ListenerTranslator {

  SortedMap<String, Message> sidecarListeners(MeshSnapshot snapshot, ProxyView proxy) {
    SortedMap<String, Message> out = new TreeMap<>();
    out.put(IstioNames.VIRTUAL_OUTBOUND, virtualOutbound());
    SortedSet<Integer> httpPorts = new TreeSet<>();
    for (Service svc : snapshot.services().values()) {
      for (ServicePort p : svc.ports()) {
        if (p.protocol().isHttp()) {
          httpPorts.add(p.port());
        } else if (p.protocol() != Protocol.UDP && !OutboundCluster.isHeadless(svc)) {
          Listener tcp = tcpListener(svc, p);
          out.put(tcp.getName(), tcp);
        }
      }
    }
    for (int port : httpPorts) {
      Listener http = httpListener(port);
      out.put(http.getName(), http);
    }
    return out;
  }

  static Listener virtualOutbound() {
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
                .addFilters(tcpProxy(IstioNames.PASSTHROUGH_CLUSTER)))
        .setUseOriginalDst(XdsProtos.bool(true))
        .setTrafficDirection(TrafficDirection.OUTBOUND)
        .build();
  }

  /** {@code 0.0.0.0_<port>}: an HTTP connection manager using RDS route {@code "<port>"}. */
  static Listener httpListener(int port) {
    String name = IstioNames.listenerName(IstioNames.WILDCARD_ADDRESS, port);
    HttpConnectionManager hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix("outbound_" + name + IstioNames.STAT_PREFIX_DELIMITER)
            .setRds(
                Rds.newBuilder()
                    .setConfigSource(XdsProtos.adsSidecar())
                    .setRouteConfigName(Integer.toString(port)))
            .addHttpFilters(faultFilter())
            .addHttpFilters(httpFilter(IstioNames.CORS_FILTER, Cors.getDefaultInstance()))
            .addHttpFilters(routerFilter())
            .setUseRemoteAddress(XdsProtos.bool(false))
            .addUpgradeConfigs(
                HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType("websocket"))
            .setStreamIdleTimeout(XdsProtos.ZERO)
            .setNormalizePath(XdsProtos.bool(true))
            .setPathWithEscapedSlashesAction(
                HttpConnectionManager.PathWithEscapedSlashesAction.KEEP_UNCHANGED)
            .build();
    return Listener.newBuilder()
        .setName(name)
        .setAddress(XdsProtos.socketAddress(IstioNames.WILDCARD_ADDRESS, port))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName(IstioNames.HTTP_CONNECTION_MANAGER)
                        .setTypedConfig(XdsProtos.pack(hcm))))
        .setBindToPort(XdsProtos.bool(false))
        .setTrafficDirection(TrafficDirection.OUTBOUND)
        .build();
  }

  /** {@code <VIP>_<port>}: a TCP proxy to the service's default outbound cluster. */
  static Listener tcpListener(Service svc, ServicePort port) {
    String cluster = ClusterKey.of(svc.hostname(), port.port()).name();
    return Listener.newBuilder()
        .setName(IstioNames.listenerName(svc.clusterIp(), port.port()))
        .setAddress(XdsProtos.socketAddress(svc.clusterIp(), port.port()))
        .addFilterChains(FilterChain.newBuilder().addFilters(tcpProxy(cluster)))
        .setBindToPort(XdsProtos.bool(false))
        .setTrafficDirection(TrafficDirection.OUTBOUND)
        .build();
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
