package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.GatewayNameResolver;
import io.jpilot.model.config.L4Match;
import io.jpilot.model.config.TcpRoute;
import io.jpilot.model.config.TlsMatch;
import io.jpilot.model.config.TlsRoute;
import io.jpilot.model.config.VirtualService;
import io.jpilot.translate.MergedGateway.BoundServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Filter chains of gateway TCP and TLS-passthrough servers from VirtualService {@code tcp[]} and
 * {@code tls[]} routes (istiod's buildGatewayNetworkFiltersFromTCPRoutes and
 * buildGatewayNetworkFiltersFromTLSRoutes). Only VirtualServices bound to the server's Gateway
 * whose hosts meet the server's hosts count; a route matches on its port and gateways.
 */
final class GatewayL4Routes {
  /** One chain: the SNI hosts it matches (none for a TCP server) and its tcp_proxy. */
  record Chain(List<String> sniHosts, List<Filter> filters) {
    Chain {
      sniHosts = List.copyOf(sniHosts);
      filters = List.copyOf(filters);
    }
  }

  private final MeshSnapshot snapshot;
  private final ProxyView proxy;
  private final L4RouteChains l4;

  GatewayL4Routes(MeshSnapshot snapshot, ProxyView proxy) {
    this.snapshot = requireNonNull(snapshot, "snapshot");
    this.proxy = requireNonNull(proxy, "proxy");
    this.l4 = new L4RouteChains(snapshot, proxy);
  }

  /** The tcp_proxy of the first tcp[] route that matches the server (opaque or terminated TCP). */
  Optional<List<Filter>> tcp(BoundServer s) {
    int port = s.server().port().number();
    for (VirtualService vs : virtualServices(s)) {
      for (TcpRoute tcp : vs.tcp()) {
        if (anyMatch(tcp.match(), port, s.gatewayName(), vs) && !tcp.route().isEmpty()) {
          return Optional.of(l4.networkFilters(tcp.route(), port, vs));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * One chain per tls[] match of the server's VirtualServices, matching its SNI hosts. A match
   * whose SNI hosts another chain on the listener already claims (per bind) is skipped, so Envoy
   * never sees two identical matches.
   *
   * @param claimed {@code <bind>|<sni>} entries of the listener, updated here
   */
  List<Chain> tls(BoundServer s, Set<String> claimed) {
    int port = s.server().port().number();
    List<Chain> out = new ArrayList<>();
    for (VirtualService vs : virtualServices(s)) {
      for (TlsRoute tls : vs.tls()) {
        if (tls.route().isEmpty()) {
          continue;
        }
        for (TlsMatch m : tls.match()) {
          if (!matches(m.port(), m.gateways(), port, s.gatewayName(), vs)) {
            continue;
          }
          String bind = s.server().bind();
          boolean duplicate = false;
          for (String sni : m.sniHosts()) {
            if (claimed.contains(bind + "|" + sni)) {
              duplicate = true;
            }
          }
          if (duplicate) {
            continue; // istiod rejects the rule for this server port
          }
          for (String sni : m.sniHosts()) {
            claimed.add(bind + "|" + sni);
          }
          out.add(new Chain(m.sniHosts(), l4.networkFilters(tls.route(), port, vs)));
        }
      }
    }
    return out;
  }

  /**
   * The Gateway's VirtualServices whose hosts meet the server's (istiod's
   * pickMatchingGatewayHosts).
   */
  private List<VirtualService> virtualServices(BoundServer s) {
    List<VirtualService> out = new ArrayList<>();
    for (VirtualService vs :
        GatewayRouteTranslator.virtualServicesForGateway(
            snapshot, proxy.namespace(), s.gatewayName())) {
      if (hostsMeet(s.hosts(), vs)) {
        out.add(vs);
      }
    }
    return out;
  }

  private static boolean hostsMeet(List<String> serverHosts, VirtualService vs) {
    for (String vsHost : vs.hosts()) {
      for (String gwHost : serverHosts) {
        String h = gwHost;
        int slash = h.indexOf('/');
        if (slash >= 0) {
          if (!h.substring(0, slash).equals(vs.meta().namespace())) {
            continue;
          }
          h = h.substring(slash + 1);
        }
        if (GatewayHosts.matches(h, vsHost)) {
          return true;
        }
      }
    }
    return false;
  }

  /** istiod's l4MultiMatch: no matches match; else any whose port and gateways match. */
  private static boolean anyMatch(
      List<L4Match> matches, int port, String gatewayName, VirtualService vs) {
    if (matches.isEmpty()) {
      return true;
    }
    for (L4Match m : matches) {
      if (matches(m.port(), m.gateways(), port, gatewayName, vs)) {
        return true;
      }
    }
    return false;
  }

  /** istiod's l4SingleMatch: the port (when set) and the gateways (when named) match. */
  private static boolean matches(
      int matchPort, List<String> gateways, int serverPort, String gatewayName, VirtualService vs) {
    if (matchPort != 0 && matchPort != serverPort) {
      return false;
    }
    if (gateways.isEmpty()) {
      return true;
    }
    for (String g : gateways) {
      if (GatewayNameResolver.resolve(g, vs.meta().namespace()).equals(gatewayName)) {
        return true;
      }
    }
    return false;
  }
}
