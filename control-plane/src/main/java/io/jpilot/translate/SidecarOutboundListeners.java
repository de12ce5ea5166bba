package io.jpilot.translate;

import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.config.CaptureMode;
import io.jpilot.model.config.SidecarEgressListener;
import io.jpilot.model.config.SidecarPort;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.Endpoint;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Resolution;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sidecar outbound listeners, as istiod's buildSidecarOutboundListeners (core/listener.go) builds
 * them from the proxy's Sidecar scope.
 *
 * <ul>
 *   <li>HTTP ports share {@code 0.0.0.0_<port>}: one chain matching plaintext HTTP (ALPN from the
 *       http_inspector) with RDS {@code "<port>"}, and a {@code PassthroughFilterChain} default
 *       chain for other traffic to the port.
 *   <li>TCP, TLS and HTTPS ports get {@code <VIP>_<port>} with the chains of {@link L4RouteChains};
 *       a headless service gets one {@code <podIP>_<port>} listener per endpoint.
 *   <li>Auto-detected ports (no protocol) get {@code <VIP>_<port>} with a TCP chain and an HTTP
 *       chain using RDS {@code <fqdn>:<port>}.
 *   <li>Services meeting on one address and port merge as istiod merges them: HTTP and TCP become
 *       auto-detected, TCP chains with distinct matches add up, ports of port-specific egress
 *       listeners are locked against the catch-all listener.
 * </ul>
 */
final class SidecarOutboundListeners {
  private final SidecarScope scope;
  private final ProxyView proxy;
  private final L4RouteChains l4;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /** One listener being assembled (istiod's outboundListenerEntry). */
  private static final class Entry {
    final int port;
    final String bind;
    final boolean bindToPort;
    Protocol protocol;
    boolean locked;
    List<OutboundChain> chains;

    Entry(
        int port, String bind, boolean bindToPort, Protocol protocol, List<OutboundChain> chains) {
      this.port = port;
      this.bind = bind;
      this.bindToPort = bindToPort;
      this.protocol = protocol;
      this.chains = new ArrayList<>(chains);
    }
  }

  private enum Kind {
    HTTP,
    TCP,
    AUTO
  }

  private SidecarOutboundListeners(SidecarScope scope, ProxyView proxy) {
    this.scope = scope;
    this.proxy = proxy;
    this.l4 = new L4RouteChains(scope.view(), proxy);
  }

  /** The outbound listeners of {@code proxy}, in no particular order (callers sort by name). */
  static List<Listener> build(SidecarScope scope, ProxyView proxy) {
    SidecarOutboundListeners b = new SidecarOutboundListeners(scope, proxy);
    for (SidecarScope.EgressListener e : scope.egressListeners()) {
      b.addEgressListener(e);
    }
    List<Listener> out = new ArrayList<>();
    String catchAll = ListenerTranslator.catchAllCluster(scope.outboundTrafficPolicy());
    for (Entry entry : b.entries.values()) {
      out.add(toListener(entry, catchAll));
    }
    return out;
  }

  private void addEgressListener(SidecarScope.EgressListener e) {
    SidecarEgressListener config = e.config();
    if (config.bind().startsWith("unix://")) {
      return; // Unix domain socket listeners are not modelled
    }
    boolean bindToPort = config.captureMode() == CaptureMode.NONE;
    String bind =
        !config.bind().isEmpty() ? config.bind() : bindToPort ? SidecarNames.LOCALHOST : "";
    List<VirtualService> vss = e.virtualServices();
    if (config.port().isPresent()) {
      SidecarPort p = config.port().get();
      Protocol protocol = p.parsedProtocol();
      for (Service svc : e.services()) {
        add(bind, bindToPort, p.number(), protocol, svc, vss);
      }
      return;
    }
    // The catch-all listener adds nothing to ports an earlier listener declared.
    for (Entry entry : entries.values()) {
      entry.locked = true;
    }
    for (Service svc : e.services()) {
      for (ServicePort port : svc.ports()) {
        Kind kind = kind(port.protocol());
        if (kind == null) {
          continue;
        }
        if (bind.isEmpty()
            && svc.resolution() == Resolution.PASSTHROUGH
            && vip(svc).equals(IstioNames.WILDCARD_ADDRESS)
            && kind != Kind.HTTP) {
          Set<String> addresses = headlessAddresses(svc, port);
          if (svc.registry() != Service.Registry.KUBERNETES
              && addresses.isEmpty()
              && svc.selector().isEmpty()) {
            // a plain NONE ServiceEntry without endpoints: one wildcard listener
            add(bind, bindToPort, port.port(), port.protocol(), svc, vss);
            continue;
          }
          // One listener per endpoint: traffic to a pod IP needs no SNI or CIDR match.
          for (String address : addresses) {
            add(address, bindToPort, port.port(), port.protocol(), svc, vss);
          }
          continue;
        }
        add(bind, bindToPort, port.port(), port.protocol(), svc, vss);
      }
    }
  }

  /** Endpoint addresses of a headless service port, the proxy's own address left out. */
  private Set<String> headlessAddresses(Service svc, ServicePort port) {
    Set<String> out = new LinkedHashSet<>();
    String self = proxy.ips().isEmpty() ? "" : proxy.ips().get(0);
    for (Endpoint e : scope.view().endpoints(svc.hostname())) {
      if (e.servicePortName().equals(port.name())
          && IstioNames.isIpLiteral(e.address())
          && !e.address().equals(self)) {
        out.add(e.address());
      }
    }
    return out;
  }

  /** The address the service listens on: its VIP, or 0.0.0.0 when it has none. */
  private static String vip(Service svc) {
    return OutboundCluster.isHeadless(svc) ? IstioNames.WILDCARD_ADDRESS : svc.clusterIp();
  }

  private static Kind kind(Protocol p) {
    if (p.isHttp()) {
      return Kind.HTTP;
    }
    switch (p) {
      case UNSUPPORTED:
        return Kind.AUTO;
      case UDP:
        return null;
      default:
        return Kind.TCP;
    }
  }

  /** istiod's buildSidecarOutboundListener for one service on one port. */
  private void add(
      String bindIn,
      boolean bindToPort,
      int port,
      Protocol protocol,
      Service svc,
      List<VirtualService> vss) {
    Kind kind = kind(protocol);
    if (kind == null) {
      return;
    }
    String bind = bindIn;
    List<String> cidrs = List.of();
    if (kind == Kind.HTTP) {
      if (bind.isEmpty()) {
        bind = IstioNames.WILDCARD_ADDRESS;
      }
    } else if (bind.isEmpty()) {
      String vip = vip(svc);
      if (vip.contains("/")) {
        bind = IstioNames.WILDCARD_ADDRESS;
        cidrs = List.of(vip);
      } else {
        bind = vip;
      }
    }
    String key = IstioNames.listenerName(bind, port);
    Entry cur = entries.get(key);
    if (cur != null && cur.locked) {
      return;
    }
    Kind curKind = cur == null ? null : kind(cur.protocol);
    Protocol listenerProtocol = protocol;
    List<OutboundChain> chains;
    boolean merge;
    boolean upgrade = false;
    switch (kind) {
      case HTTP:
        if (cur != null && curKind != Kind.TCP) {
          return; // the port's HTTP listener exists: RDS carries every service on it
        }
        OutboundChain http = OutboundChain.http(rdsName(port, Kind.HTTP, bind, svc));
        if (bind.equals(IstioNames.WILDCARD_ADDRESS)) {
          http = http.sniffedHttp();
          listenerProtocol = Protocol.UNSUPPORTED;
        }
        chains = List.of(http);
        merge = cur != null;
        upgrade = merge;
        break;
      case TCP:
        chains = tcpChains(svc, port, protocol, bind, cidrs, vss);
        merge = cur != null;
        upgrade = cur != null && curKind == Kind.HTTP;
        break;
      default: // AUTO
        if (cur != null && curKind == Kind.AUTO) {
          chains = tcpChains(svc, port, protocol, bind, cidrs, vss);
          merge = true;
        } else {
          List<OutboundChain> both =
              new ArrayList<>(tcpChains(svc, port, protocol, bind, cidrs, vss));
          both.add(OutboundChain.http(rdsName(port, Kind.AUTO, bind, svc)).sniffedHttp());
          chains = both;
          merge = cur != null && curKind == Kind.TCP;
          upgrade = merge;
        }
        break;
    }
    if (cur != null && conflictsOnWellKnownPort(protocol, cur.protocol)) {
      return; // MySQL and Mongo speak first: they cannot share a port with sniffing
    }
    if (!merge) {
      entries.put(key, new Entry(port, bind, bindToPort, listenerProtocol, chains));
      return;
    }
    for (OutboundChain incoming : chains) {
      boolean conflict = false;
      for (OutboundChain existing : cur.chains) {
        if (existing.conflictsWith(incoming)) {
          conflict = true;
          break;
        }
      }
      if (!conflict) {
        cur.chains.add(incoming);
      }
    }
    if (upgrade) {
      cur.protocol = Protocol.UNSUPPORTED;
    }
  }

  private static boolean conflictsOnWellKnownPort(Protocol incoming, Protocol existing) {
    boolean wellKnown =
        incoming == Protocol.MONGO
            || incoming == Protocol.MYSQL
            || existing == Protocol.MONGO
            || existing == Protocol.MYSQL;
    return wellKnown && incoming != existing;
  }

  /**
   * The route configuration of an HTTP chain: the port, or {@code <fqdn>:<port>} for an
   * auto-detected port on the service's own address.
   */
  private static String rdsName(int port, Kind kind, String bind, Service svc) {
    if (kind == Kind.AUTO && !bind.equals(IstioNames.WILDCARD_ADDRESS)) {
      return svc.hostname() + ":" + port;
    }
    return Integer.toString(port);
  }

  private List<OutboundChain> tcpChains(
      Service svc,
      int port,
      Protocol protocol,
      String bind,
      List<String> cidrs,
      List<VirtualService> vss) {
    List<VirtualService> configs = l4.configsForHost(svc.hostname(), vss);
    if (L4RouteChains.isTls(protocol)) {
      return l4.tlsChains(svc, port, bind, cidrs, configs);
    }
    return l4.tcpChains(svc, port, cidrs, configs);
  }

  /** istiod's buildListenerFromEntry. */
  private static Listener toListener(Entry e, String catchAllCluster) {
    String name = IstioNames.listenerName(e.bind, e.port);
    Listener.Builder l =
        Listener.newBuilder()
            .setName(name)
            .setAddress(XdsProtos.socketAddress(e.bind, e.port))
            .setTrafficDirection(TrafficDirection.OUTBOUND)
            .setContinueOnListenerFiltersTimeout(true);
    if (!e.bindToPort) {
      l.setBindToPort(XdsProtos.bool(false));
    }
    boolean tlsInspector = false;
    boolean httpInspector = false;
    for (OutboundChain c : e.chains) {
      tlsInspector |= !c.sniHosts().isEmpty();
      httpInspector |= !c.applicationProtocols().isEmpty();
    }
    if (tlsInspector) {
      l.addListenerFilters(
          ListenerFilter.newBuilder()
              .setName(SidecarNames.TLS_INSPECTOR)
              .setTypedConfig(XdsProtos.pack(TlsInspector.getDefaultInstance())));
    }
    if (httpInspector) {
      l.addListenerFilters(
          ListenerFilter.newBuilder()
              .setName(SidecarNames.HTTP_INSPECTOR)
              .setTypedConfig(XdsProtos.pack(HttpInspector.getDefaultInstance())));
    }
    // the mesh protocolDetectionTimeout default (0s): no timeout
    l.setListenerFiltersTimeout(XdsProtos.ZERO);
    FilterChain defaultChain = null;
    List<FilterChain> chains = new ArrayList<>();
    for (OutboundChain c : e.chains) {
      FilterChain.Builder fc = FilterChain.newBuilder();
      c.metadata().ifPresent(fc::setMetadata);
      if (c.isHttp()) {
        fc.addFilters(
            ListenerTranslator.httpConnectionManager(
                "outbound_" + name + IstioNames.STAT_PREFIX_DELIMITER, c.rds().get()));
      } else {
        fc.addAllFilters(c.networkFilters());
      }
      if (c.matchesAll()) {
        defaultChain = fc.build();
      } else {
        chains.add(fc.setFilterChainMatch(c.toMatch()).build());
      }
    }
    if (defaultChain != null && chains.isEmpty()) {
      chains.add(defaultChain);
      defaultChain = null;
    } else if (defaultChain == null) {
      defaultChain =
          FilterChain.newBuilder()
              .setFilterChainMatch(FilterChainMatch.getDefaultInstance())
              .setName(SidecarNames.PASSTHROUGH_FILTER_CHAIN)
              .addFilters(ListenerTranslator.tcpProxy(catchAllCluster))
              .build();
    }
    l.addAllFilterChains(chains);
    if (defaultChain != null) {
      l.setDefaultFilterChain(defaultChain);
    }
    return l.build();
  }
}
