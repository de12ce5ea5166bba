package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Plans the virtual hosts and routes of one listener port for one proxy, the way istiod's
 * BuildSidecarOutboundVirtualHosts and BuildHTTPRoutesForVirtualService do. A service routed by a
 * VirtualService gets that VirtualService's routes; any other service (or one whose VirtualService
 * yields no route on this port) gets istiod's {@code default} route.
 */
final class RoutePlanner {
  private final MeshSnapshot snapshot;
  private final ProxyView proxy;
  private final VirtualServiceIndex virtualServices;

  RoutePlanner(MeshSnapshot snapshot, ProxyView proxy) {
    this.snapshot = requireNonNull(snapshot, "snapshot");
    this.proxy = requireNonNull(proxy, "proxy");
    this.virtualServices = VirtualServiceIndex.forProxy(snapshot, proxy);
  }

  /** True for ports that carry HTTP routes: HTTP protocols, plus sniffed ones when asked. */
  static boolean routable(ServicePort p, boolean includeSniffed) {
    return p.protocol().isHttp() || (includeSniffed && p.protocol() == Protocol.UNSUPPORTED);
  }

  /**
   * Sidecar route configuration {@code "<port>"}: one virtual host per service with an HTTP port
   * equal to {@code listenerPort}, sorted by name, domains deduplicated across hosts.
   */
  List<VirtualHostPlan> virtualHosts(int listenerPort, VirtualHostDomains style) {
    List<Service> services = new ArrayList<>();
    for (Service svc : snapshot.services().values()) {
      if (svc.port(listenerPort).filter(p -> routable(p, false)).isPresent()) {
        services.add(svc);
      }
    }
    Set<String> knownFqdns = new HashSet<>();
    for (Service svc : services) {
      knownFqdns.add(svc.hostname());
      knownFqdns.add(IstioNames.joinHostPort(svc.hostname(), listenerPort));
    }
    Set<String> seenDomains = new HashSet<>();
    List<VirtualHostPlan> out = new ArrayList<>();
    for (Service svc : services) {
      List<String> alt = style.altHosts(svc.hostname(), listenerPort, proxy.dnsDomain());
      List<String> domains = new ArrayList<>();
      for (String d : style.forService(svc, listenerPort, proxy.dnsDomain())) {
        if (seenDomains.contains(d.toLowerCase(Locale.ROOT))
            || (alt.contains(d) && knownFqdns.contains(d))) {
          continue;
        }
        domains.add(d);
        seenDomains.add(d.toLowerCase(Locale.ROOT));
      }
      if (!domains.isEmpty()) {
        out.add(
            new VirtualHostPlan(
                IstioNames.joinHostPort(svc.hostname(), listenerPort),
                domains,
                routes(svc, listenerPort)));
      }
    }
    out.sort(Comparator.comparing(VirtualHostPlan::name));
    return out;
  }

  /** The single virtual host for one service port (proxyless gRPC route configurations). */
  VirtualHostPlan virtualHost(Service svc, int listenerPort, VirtualHostDomains style) {
    return new VirtualHostPlan(
        IstioNames.joinHostPort(svc.hostname(), listenerPort),
        style.forService(svc, listenerPort, proxy.dnsDomain()),
        routes(svc, listenerPort));
  }

  /** The routes for a service on a listener port: its VirtualService's, else the default route. */
  List<RoutePlan> routes(Service svc, int listenerPort) {
    Optional<VirtualService> vs = virtualServices.forHost(svc.hostname());
    if (vs.isPresent()) {
      List<RoutePlan> routes = routesForVirtualService(vs.get(), listenerPort);
      if (!routes.isEmpty()) {
        return routes;
      }
    }
    return List.of(
        defaultRoute(svc, listenerPort)
            .withHashPolicies(HashPolicies.forService(snapshot, proxy, svc, listenerPort)));
  }

  /** istiod's BuildDefaultHTTPOutboundRoute. */
  static RoutePlan defaultRoute(Service svc, int port) {
    String cluster = ClusterKey.of(svc.hostname(), port).name();
    return new RoutePlan(
        IstioNames.DEFAULT_ROUTE,
        Optional.empty(),
        List.of(new RoutePlan.Target(cluster, 0)),
        false,
        Duration.ZERO,
        Optional.empty(),
        IstioNames.joinHostPort(svc.hostname(), port) + "/*");
  }

  /**
   * Each http[] entry times each of its matches becomes one route; matches for another port or for
   * other source labels are skipped; nothing follows the first catch-all route.
   */
  List<RoutePlan> routesForVirtualService(VirtualService vs, int listenerPort) {
    List<RoutePlan> out = new ArrayList<>();
    for (HttpRoute http : vs.http()) {
      if (http.match().isEmpty()) {
        translate(vs, http, Optional.empty(), listenerPort).ifPresent(out::add);
        break; // matches everything: later entries are unreachable
      }
      boolean catchAll = false;
      for (HttpMatch m : http.match()) {
        Optional<RoutePlan> r = translate(vs, http, Optional.of(m), listenerPort);
        if (r.isPresent()) {
          out.add(r.get());
          if (r.get().isCatchAll()) {
            catchAll = true;
            break;
          }
        }
      }
      if (catchAll) {
        break;
      }
    }
    return out;
  }

  private Optional<RoutePlan> translate(
      VirtualService vs, HttpRoute http, Optional<HttpMatch> match, int listenerPort) {
    if (match.isPresent()) {
      HttpMatch m = match.get();
      if (m.port() != 0 && m.port() != listenerPort) {
        return Optional.empty();
      }
      if (!proxy.labels().entrySet().containsAll(m.sourceLabels().entrySet())) {
        return Optional.empty();
      }
    }
    String name = http.name();
    if (match.isPresent() && !match.get().name().isEmpty()) {
      name = name + "." + match.get().name();
    }
    List<RoutePlan.Target> targets = new ArrayList<>();
    boolean weighted = http.route().size() > 1;
    for (RouteDestination rd : http.route()) {
      if (weighted && rd.weight() == 0) {
        continue; // istiod drops weight-0 destinations
      }
      targets.add(
          new RoutePlan.Target(
              destinationCluster(vs, rd.destination(), listenerPort), weighted ? rd.weight() : 0));
    }
    if (targets.isEmpty()) {
      // no destination left (redirects and direct responses are not modelled yet)
      return Optional.empty();
    }
    String operation;
    if (!weighted) {
      ClusterKey key = ClusterKey.parse(targets.get(0).cluster()).orElseThrow();
      operation = IstioNames.joinHostPort(key.host(), key.port()) + RoutePlan.operationPath(match);
    } else {
      operation = vs.meta().name() + ":" + listenerPort + RoutePlan.operationPath(match);
    }
    return Optional.of(
        new RoutePlan(
            name,
            match,
            targets,
            weighted,
            http.timeout().orElse(Duration.ZERO),
            Optional.of(vs.meta().key()),
            operation)
            .withHashPolicies(HashPolicies.forRoute(snapshot, proxy, vs, http.route())));
  }

  /**
   * istiod's GetDestinationCluster: the destination's port, else the service's only port, else the
   * listener port. Short hosts resolve against the VirtualService's namespace.
   */
  private String destinationCluster(VirtualService vs, Destination d, int listenerPort) {
    String host = snapshot.resolveShortName(d.host(), vs.meta().namespace());
    int port = listenerPort;
    if (d.port() != 0) {
      port = d.port();
    } else {
      Optional<Service> svc = snapshot.service(host);
      if (svc.isPresent() && svc.get().ports().size() == 1) {
        port = svc.get().ports().get(0).port();
      }
    }
    return new ClusterKey(port, d.subset(), host).name();
  }
}
