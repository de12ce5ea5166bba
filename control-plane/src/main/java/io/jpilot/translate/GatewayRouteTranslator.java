package io.jpilot.translate;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.GatewayNameResolver;
import io.jpilot.model.config.VirtualService;
import io.jpilot.translate.MergedGateway.BoundServer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Gateway RDS (istiod's buildGatewayHTTPRouteConfig). A route configuration ({@code http.<port>} or
 * {@code https.<port>.<portName>.<gw>.<ns>}) holds one virtual host {@code <host>:<serverPort>} per
 * host in both a server's hosts and the hosts of a VirtualService bound to that server's Gateway;
 * its domains are exactly that host. httpsRedirect servers require TLS on their hosts. With no
 * virtual host at all, the configuration holds {@code blackhole:<port>}, which answers 404.
 */
final class GatewayRouteTranslator {

  /** One virtual host under construction: its routes and where they came from. */
  private static final class VirtualHostBuilder {
    final String name;
    final List<String> domains = new ArrayList<>();
    final List<RoutePlan> routes = new ArrayList<>();

    /** (gateway, VirtualService) pairs whose routes this host holds, in order. */
    final List<String> sources = new ArrayList<>();

    boolean requireTls;

    VirtualHostBuilder(String name, String domain) {
      this.name = name;
      this.domains.add(domain);
    }
  }

  /**
   * @param names requested route configuration names; empty means every name the proxy's listeners
   *     use
   */
  SortedMap<String, Message> routes(MeshSnapshot snapshot, ProxyView proxy, Set<String> names) {
    MergedGateway merged = GatewayMerger.merge(snapshot, proxy);
    Set<String> wanted = names.isEmpty() ? merged.serversByRouteName().keySet() : names;
    RoutePlanner planner = RoutePlanner.forGateway(snapshot, proxy);
    Map<String, List<RoutePlan>> routeCache = new HashMap<>();
    SortedMap<String, Message> out = new TreeMap<>();
    for (String name : wanted) {
      List<BoundServer> servers = merged.serversByRouteName().get(name);
      if (servers == null || servers.isEmpty()) {
        // istiod answers a route it has no server for (e.g. a deleted Gateway) with no hosts
        out.put(
            name,
            RouteConfiguration.newBuilder()
                .setName(name)
                .setValidateClusters(XdsProtos.bool(false))
                .build());
        continue;
      }
      out.put(name, routeConfiguration(name, servers, snapshot, proxy, planner, routeCache));
    }
    return out;
  }

  private RouteConfiguration routeConfiguration(
      String name,
      List<BoundServer> servers,
      MeshSnapshot snapshot,
      ProxyView proxy,
      RoutePlanner planner,
      Map<String, List<RoutePlan>> routeCache) {
    Map<String, VirtualHostBuilder> vhosts = new LinkedHashMap<>();
    for (BoundServer server : servers) {
      String gatewayName = server.gatewayName();
      int port = server.server().port().number();
      boolean tls = server.server().tls().isPresent();
      for (VirtualService vs :
          virtualServicesForGateway(snapshot, proxy.namespace(), gatewayName)) {
        List<String> vsHosts = new ArrayList<>();
        for (String h : vs.hosts()) {
          vsHosts.add(snapshot.resolveShortName(h, vs.meta().namespace()));
        }
        List<String> serverHosts = GatewayHosts.forNamespace(server.hosts(), vs.meta().namespace());
        List<String> hosts = GatewayHosts.intersection(serverHosts, vsHosts);
        if (hosts.isEmpty()) {
          continue;
        }
        String source =
            gatewayName
                + "|"
                + vs.meta().namespace()
                + "/"
                + vs.meta().name()
                + "|"
                + port
                + "|"
                + tls;
        List<RoutePlan> routes =
            routeCache.computeIfAbsent(
                source, k -> planner.routesForVirtualService(vs, port, Set.of(gatewayName), tls));
        if (routes.isEmpty()) {
          continue; // istiod: "no routes matched", the VirtualService is skipped
        }
        for (String h : hosts) {
          String hostname = h.toLowerCase(Locale.ROOT);
          VirtualHostBuilder vh =
              vhosts.computeIfAbsent(
                  hostname, k -> new VirtualHostBuilder(IstioNames.joinHostPort(k, port), k));
          vh.routes.addAll(routes);
          vh.sources.add(source);
          if (server.server().httpsRedirect()) {
            vh.requireTls = true;
          }
        }
      }
      if (server.server().httpsRedirect()) {
        for (String h : server.server().hosts()) {
          String hostname = h.toLowerCase(Locale.ROOT);
          VirtualHostBuilder vh = vhosts.get(hostname);
          if (vh == null) {
            vh = new VirtualHostBuilder(IstioNames.joinHostPort(hostname, port), hostname);
            vhosts.put(hostname, vh);
          }
          vh.requireTls = true;
        }
      }
    }
    RouteConfiguration.Builder rc =
        RouteConfiguration.newBuilder()
            .setName(name)
            .setValidateClusters(XdsProtos.bool(false))
            .setIgnorePortInHostMatching(true)
            .setMaxDirectResponseBodySizeBytes(
                XdsProtos.uint32(RouteTranslator.MAX_DIRECT_RESPONSE_BODY_BYTES));
    if (vhosts.isEmpty()) {
      int port = servers.get(0).server().port().number();
      rc.addVirtualHosts(
          VirtualHost.newBuilder()
              .setName(IstioNames.joinHostPort("blackhole", port))
              .addDomains("*"));
      return rc.build();
    }
    List<VirtualHost> out = new ArrayList<>();
    for (VirtualHostBuilder vh : collapse(vhosts)) {
      VirtualHost.Builder b =
          VirtualHost.newBuilder()
              .setName(vh.name)
              .addAllDomains(vh.domains)
              .addAllRoutes(translate(RoutePlanner.catchAllLast(vh.routes)))
              .setIncludeRequestAttemptCount(true);
      if (vh.requireTls) {
        b.setRequireTls(VirtualHost.TlsRequirementType.ALL);
      }
      out.add(b.build());
    }
    out.sort(Comparator.comparing(VirtualHost::getName));
    return rc.addAllVirtualHosts(out).build();
  }

  /**
   * istiod's collapseDuplicateRoutes: hosts holding exactly the same routes (from the same
   * VirtualServices) and the same TLS requirement become one virtual host, named after the most
   * specific of them, with all their domains.
   */
  private static List<VirtualHostBuilder> collapse(Map<String, VirtualHostBuilder> vhosts) {
    List<String> hostnames = new ArrayList<>(vhosts.keySet());
    hostnames.sort(GatewayHosts.MORE_SPECIFIC_FIRST);
    // hosts merge when their (requireTls, sources) are equal, so one lookup finds the partner
    Map<List<Object>, VirtualHostBuilder> byRoutes = new HashMap<>();
    List<VirtualHostBuilder> out = new ArrayList<>();
    for (String h : hostnames) {
      VirtualHostBuilder vh = vhosts.get(h);
      VirtualHostBuilder into = byRoutes.putIfAbsent(List.of(vh.requireTls, vh.sources), vh);
      if (into != null) {
        into.domains.addAll(vh.domains);
      } else {
        out.add(vh);
      }
    }
    return out;
  }

  private static List<Route> translate(List<RoutePlan> plans) {
    List<Route> out = new ArrayList<>();
    for (RoutePlan plan : plans) {
      out.add(RouteTranslator.route(plan, RouteTranslator.Flavour.SIDECAR));
    }
    return out;
  }

  /**
   * istiod's VirtualServicesForGateway: the VirtualServices visible to the proxy's namespace whose
   * {@code gateways} name this Gateway; private ones (exported to their own namespace) first, then
   * those exported to the proxy's namespace, then public ones, each oldest first.
   */
  static List<VirtualService> virtualServicesForGateway(
      MeshSnapshot snapshot, String proxyNamespace, String gatewayName) {
    List<VirtualService> privateOnes = new ArrayList<>();
    List<VirtualService> exported = new ArrayList<>();
    List<VirtualService> publicOnes = new ArrayList<>();
    for (VirtualService vs : snapshot.virtualServices()) {
      boolean bound = false;
      for (String g : vs.gateways()) {
        if (GatewayNameResolver.resolve(g, vs.meta().namespace()).equals(gatewayName)) {
          bound = true;
          break;
        }
      }
      if (!bound) {
        continue;
      }
      List<String> exportTo = vs.exportTo();
      if (exportTo.isEmpty() || exportTo.contains("*")) {
        publicOnes.add(vs);
      } else if (exportTo.contains("~")) {
        continue;
      } else {
        String ns = vs.meta().namespace();
        boolean toOwn = exportTo.contains(".") || exportTo.contains(ns);
        if (toOwn && ns.equals(proxyNamespace)) {
          privateOnes.add(vs);
        } else if (exportTo.contains(proxyNamespace)) {
          exported.add(vs);
        }
      }
    }
    List<VirtualService> out = new ArrayList<>(privateOnes);
    out.addAll(exported);
    out.addAll(publicOnes);
    return out;
  }
}
