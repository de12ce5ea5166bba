package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.GatewayNameResolver;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpMirror;
import io.jpilot.model.config.HttpRetry;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Plans the virtual hosts and routes of one listener port for one proxy, the way istiod's
 * BuildSidecarOutboundVirtualHosts, BuildSidecarVirtualHostWrapper and
 * BuildHTTPRoutesForVirtualService do. A service routed by a VirtualService gets that
 * VirtualService's routes; any other service (or one whose VirtualServices yield no route on this
 * port) gets istiod's {@code default} route. VirtualService hosts that name no service get virtual
 * hosts of their own on route {@code "80"} (or on the port of a service the same VirtualService
 * routes).
 *
 * <p>{@link #routesForVirtualService(VirtualService, int, Set, boolean)} is the reusable part: the
 * routes of one VirtualService on one listener port for a set of gateway names ({@code mesh} for
 * sidecars).
 *
 * <p>Sidecar and proxyless planners take what does not depend on the proxy from the snapshot's
 * {@link RoutePlanCache} (VirtualService routes, default routes, virtual host names and domains),
 * so the views of every namespace plan the same objects; gateway planners plan everything anew.
 */
final class RoutePlanner {
  /** istiod puts VirtualService hosts that match no service on this port only. */
  static final int NON_REGISTRY_HOSTS_PORT = 80;

  private static final Set<String> MESH = Set.of(IstioNames.MESH_GATEWAY);

  private static final Comparator<VirtualHostPlan> BY_NAME =
      Comparator.comparing(VirtualHostPlan::name);

  private final MeshSnapshot snapshot;
  private final ProxyView proxy;
  private final VirtualServiceIndex virtualServices;

  private final boolean wholeServiceLookup;

  /** Plans shared between the views of the full snapshot; null for gateways. */
  private final RoutePlanCache shared;

  /** The classes of the proxy's DNS domain, made on first use. */
  private VirtualHostDomains.DomainClasses domainClasses;

  /** A planner for a sidecar or a proxyless gRPC client. */
  RoutePlanner(MeshSnapshot snapshot, ProxyView proxy) {
    this(snapshot, proxy, false);
  }

  private RoutePlanner(MeshSnapshot snapshot, ProxyView proxy, boolean wholeServiceLookup) {
    this.snapshot = requireNonNull(snapshot, "snapshot");
    this.proxy = requireNonNull(proxy, "proxy");
    this.virtualServices = VirtualServiceIndex.forProxy(snapshot, proxy);
    this.wholeServiceLookup = wholeServiceLookup;
    this.shared = wholeServiceLookup ? null : RoutePlanCache.of(snapshot);
  }

  /**
   * A planner for a gateway proxy: destinations without a port resolve against the whole service
   * (its only port), as istiod's gateway route builder looks services up.
   */
  static RoutePlanner forGateway(MeshSnapshot snapshot, ProxyView proxy) {
    return new RoutePlanner(snapshot, proxy, true);
  }

  /** True for ports that carry HTTP routes: HTTP protocols, plus sniffed ones when asked. */
  static boolean routable(ServicePort p, boolean includeSniffed) {
    return p.protocol().isHttp() || (includeSniffed && p.protocol() == Protocol.UNSUPPORTED);
  }

  // ---- virtual hosts ---------------------------------------------------------------------------

  /** The virtual hosts one VirtualService (or the default route) contributes on a port. */
  private record Wrapper(
      List<String> virtualServiceHosts, List<Service> services, List<RoutePlan> routes) {}

  /**
   * Sidecar route configuration {@code "<port>"}: virtual hosts for the VirtualServices on the port
   * (their non-registry hosts first, then their services), then one per other service with an HTTP
   * port equal to {@code listenerPort}; domains deduplicated across hosts in that order; sorted by
   * name.
   */
  List<VirtualHostPlan> virtualHosts(int listenerPort, VirtualHostDomains style) {
    Map<String, Service> servicesByName = servicesByName(listenerPort);
    List<String> wildcardServiceHosts = new ArrayList<>();
    for (String h : servicesByName.keySet()) {
      if (VirtualServiceIndex.isWildcard(h)) {
        wildcardServiceHosts.add(h);
      }
    }
    List<Wrapper> wrappers = new ArrayList<>();
    // services are the values of servicesByName, one object per (lower-cased) name
    Set<Service> routed = identitySet(servicesByName.size());
    for (VirtualServiceIndex.Entry e : virtualServices.entries()) {
      if (listenerPort != NON_REGISTRY_HOSTS_PORT
          && !selects(e, servicesByName, wildcardServiceHosts)) {
        continue; // istiod's selectVirtualServices: only VirtualServices for a service here
      }
      List<RoutePlan> routes = routesForVirtualService(e.vs(), listenerPort);
      if (routes.isEmpty()) {
        continue;
      }
      List<String> hosts = new ArrayList<>();
      List<Service> services = new ArrayList<>();
      separateHostsAndServices(e, servicesByName, hosts, services);
      if (services.isEmpty() && listenerPort != NON_REGISTRY_HOSTS_PORT) {
        continue;
      }
      wrappers.add(new Wrapper(hosts, services, routes));
      routed.addAll(services);
    }
    for (Map.Entry<String, Service> e : servicesByName.entrySet()) {
      if (!routed.contains(e.getValue())) {
        wrappers.add(
            new Wrapper(
                List.of(),
                List.of(e.getValue()),
                List.of(defaultRoute(e.getValue(), listenerPort))));
      }
    }

    // every wrapper's services together are exactly the values of servicesByName
    KnownFqdns knownFqdns = new KnownFqdns(servicesByName, listenerPort);
    // virtual host names: those of plain VirtualService hosts by name, those of services by the
    // service (a service's name is its hostname and the port, so the same service means the same
    // name); a plain host is never a service's hostname here, but the check stays exact
    Set<String> hostNames = new HashSet<>();
    Set<Service> named = identitySet(servicesByName.size());
    Set<String> seenDomains = new HashSet<>(wrappers.size() * 8);
    List<VirtualHostPlan> out = new ArrayList<>(wrappers.size());
    for (Wrapper w : wrappers) {
      for (String host : w.virtualServiceHosts()) {
        String h = host.toLowerCase(Locale.ROOT);
        String name = IstioNames.joinHostPort(h, listenerPort);
        if (!hostNames.add(name) || namedService(h, servicesByName, named)) {
          continue; // an older VirtualService already named this host
        }
        List<String> domains =
            style == VirtualHostDomains.SIDECAR
                ? List.of(IstioNames.ipv6Compliant(h))
                : List.of(IstioNames.ipv6Compliant(h), name);
        domains = dedupe(domains, seenDomains);
        if (!domains.isEmpty()) {
          out.add(new VirtualHostPlan(name, domains, w.routes()));
        }
      }
      for (Service svc : w.services()) {
        if (!named.add(svc)) {
          continue; // routed by an older VirtualService
        }
        RoutePlanCache.ServiceDomains sd = serviceDomains(svc, listenerPort, style);
        String name = sd.name();
        if (!hostNames.isEmpty() && hostNames.contains(name)) {
          continue; // a plain VirtualService host of the same name came first
        }
        List<String> domains = dedupe(sd, seenDomains, knownFqdns);
        if (!domains.isEmpty()) {
          out.add(new VirtualHostPlan(name, domains, w.routes()));
        }
      }
    }
    out.sort(BY_NAME);
    return out;
  }

  /**
   * The name and domains of {@code svc}'s virtual host on {@code port}, shared with every proxy
   * whose DNS domain is of the same class for the service.
   */
  private RoutePlanCache.ServiceDomains serviceDomains(
      Service svc, int port, VirtualHostDomains style) {
    if (shared == null) {
      return planDomains(svc, port, style);
    }
    if (domainClasses == null) {
      domainClasses = new VirtualHostDomains.DomainClasses(proxy.dnsDomain());
    }
    return shared.domains(
        svc, port, style, domainClasses.of(svc.hostname()), () -> planDomains(svc, port, style));
  }

  private RoutePlanCache.ServiceDomains planDomains(
      Service svc, int port, VirtualHostDomains style) {
    List<String> alt = style.altHosts(svc.hostname(), port, proxy.dnsDomain());
    return new RoutePlanCache.ServiceDomains(
        IstioNames.joinHostPort(svc.hostname(), port), style.forService(svc, port, alt), alt);
  }

  /**
   * The services with an HTTP port {@code port}, by lower-cased hostname, iterated in name order
   * (the last service of a name wins). The snapshot lists services sorted by hostname, so the names
   * usually arrive in order and a hashed map keeps it; otherwise they are sorted.
   */
  private Map<String, Service> servicesByName(int port) {
    Map<String, Service> out = new LinkedHashMap<>(snapshot.services().size() * 2);
    String previous = null;
    boolean ordered = true;
    for (Service svc : snapshot.services().values()) {
      if (!hasRoutablePort(svc, port)) {
        continue;
      }
      String name = svc.hostname().toLowerCase(Locale.ROOT);
      if (ordered && previous != null && name.compareTo(previous) <= 0) {
        ordered = false;
      }
      previous = name;
      out.put(name, svc);
    }
    return ordered ? out : new TreeMap<>(out);
  }

  /** Whether the service's port {@code port} (the first one with that number) carries HTTP. */
  private static boolean hasRoutablePort(Service svc, int port) {
    for (ServicePort p : svc.ports()) {
      if (p.port() == port) {
        return routable(p, false);
      }
    }
    return false;
  }

  private static Set<Service> identitySet(int expectedSize) {
    return Collections.newSetFromMap(new IdentityHashMap<>(expectedSize));
  }

  /** Whether {@code host} is the hostname of a service that already has its virtual host. */
  private static boolean namedService(
      String host, Map<String, Service> servicesByName, Set<Service> named) {
    Service svc = servicesByName.get(host);
    return svc != null && svc.hostname().equals(host) && named.contains(svc);
  }

  /**
   * istiod's knownFQDNs of dedupeDomains: the hostnames of the services on the port, and each as
   * {@code host:port}. The second form is recognised by taking it apart rather than built for every
   * service.
   */
  static final class KnownFqdns {
    /** The services by lower-cased hostname; a hostname is known when its service is there. */
    private final Map<String, Service> servicesByName;

    private final String portSuffix;

    KnownFqdns(Collection<Service> services, int port) {
      this(byLowerCaseName(services), port);
    }

    /**
     * @param servicesByName services by lower-cased hostname, as {@link #servicesByName(int)}
     *     lists them: the known hostnames are those of its values
     */
    KnownFqdns(Map<String, Service> servicesByName, int port) {
      this.servicesByName = servicesByName;
      this.portSuffix = ":" + port;
    }

    private static Map<String, Service> byLowerCaseName(Collection<Service> services) {
      Map<String, Service> out = new HashMap<>();
      for (Service svc : services) {
        out.put(svc.hostname().toLowerCase(Locale.ROOT), svc);
      }
      return out;
    }

    private boolean isHostname(String h) {
      return isHostname(h, h.toLowerCase(Locale.ROOT));
    }

    private boolean isHostname(String h, String lower) {
      Service svc = servicesByName.get(lower);
      return svc != null && svc.hostname().equals(h);
    }

    boolean contains(String d) {
      return contains(d, d.toLowerCase(Locale.ROOT));
    }

    /** {@link #contains(String)} for {@code d} whose lower-case form is {@code lower}. */
    boolean contains(String d, String lower) {
      if (isHostname(d, lower)) {
        return true;
      }
      if (!d.endsWith(portSuffix)) {
        return false;
      }
      // d == IstioNames.joinHostPort(host, port) for a known host?
      String host = d.substring(0, d.length() - portSuffix.length());
      if (host.indexOf(':') < 0) {
        return isHostname(host);
      }
      if (host.length() < 2 || host.charAt(0) != '[' || host.charAt(host.length() - 1) != ']') {
        return false;
      }
      String inner = host.substring(1, host.length() - 1);
      return inner.indexOf(':') >= 0 && isHostname(inner);
    }
  }

  /**
   * istiod's dedupeDomains for a service's domains. Returns the shared list itself when nothing is
   * dropped, so it stays shared.
   */
  private static List<String> dedupe(
      RoutePlanCache.ServiceDomains sd, Set<String> seen, KnownFqdns knownFqdns) {
    List<String> domains = sd.domains();
    List<String> out = null;
    for (int i = 0; i < domains.size(); i++) {
      String d = domains.get(i);
      // an expanded short name that is some service's FQDN, or a domain of an earlier host
      boolean keep =
          !(sd.alternative(i) && knownFqdns.contains(d, sd.lowerDomain(i)))
              && seen.add(sd.lowerDomain(i));
      if (!keep && out == null) {
        out = new ArrayList<>(domains.subList(0, i));
      } else if (keep && out != null) {
        out.add(d);
      }
    }
    return out == null ? domains : out;
  }

  /** istiod's dedupeDomains for a plain VirtualService host (no alternative names). */
  private static List<String> dedupe(List<String> domains, Set<String> seen) {
    List<String> out = new ArrayList<>(domains.size());
    for (String d : domains) {
      if (seen.add(d.toLowerCase(Locale.ROOT))) {
        out.add(d);
      }
    }
    return out;
  }

  /**
   * istiod's selectVirtualServices: a VirtualService applies on a port when one of its hosts names,
   * or overlaps with, a service on that port.
   */
  private static boolean selects(
      VirtualServiceIndex.Entry e,
      Map<String, Service> servicesByName,
      List<String> wildcardServiceHosts) {
    for (String h : e.hosts()) {
      if (servicesByName.containsKey(h)) {
        return true;
      }
      // a wildcard host is checked against every service; a plain one only against wildcard ones
      Iterable<String> candidates =
          VirtualServiceIndex.isWildcard(h) ? servicesByName.keySet() : wildcardServiceHosts;
      for (String svcHost : candidates) {
        if (VirtualServiceIndex.hostsMatch(h, svcHost)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * istiod's separateVSHostsAndServices: exact hosts that are services on this port become those
   * services; other exact hosts stay plain hosts. A wildcard host takes the services it covers for
   * which this VirtualService is the most specific, and stays a plain host only if it covers none.
   */
  private void separateHostsAndServices(
      VirtualServiceIndex.Entry e,
      Map<String, Service> servicesByName,
      List<String> hosts,
      List<Service> services) {
    // the services are servicesByName's values: the same service is the same object
    List<Service> matched = services;
    for (String h : e.hosts()) {
      if (VirtualServiceIndex.isWildcard(h)) {
        continue;
      }
      Service svc = servicesByName.get(h);
      if (svc != null) {
        addOnce(matched, svc);
      } else {
        hosts.add(h);
      }
    }
    for (String h : e.hosts()) {
      if (!VirtualServiceIndex.isWildcard(h)) {
        continue;
      }
      boolean found = false;
      for (Map.Entry<String, Service> s : servicesByName.entrySet()) {
        if (!VirtualServiceIndex.hostsMatch(s.getKey(), h)) {
          continue;
        }
        found = true;
        if (virtualServices.mostSpecific(s.getKey()).map(v -> v == e.vs()).orElse(false)) {
          addOnce(matched, s.getValue());
        }
      }
      if (!found) {
        hosts.add(h);
      }
    }
  }

  private static void addOnce(List<Service> services, Service svc) {
    for (Service s : services) {
      if (s == svc) {
        return;
      }
    }
    services.add(svc);
  }

  /** The single virtual host for one service port (proxyless gRPC route configurations). */
  VirtualHostPlan virtualHost(Service svc, int listenerPort, VirtualHostDomains style) {
    return new VirtualHostPlan(
        IstioNames.joinHostPort(svc.hostname(), listenerPort),
        style.forService(svc, listenerPort, proxy.dnsDomain()),
        routes(svc, listenerPort));
  }

  /**
   * The routes for a service on a listener port: those of the first VirtualService (in precedence
   * order) that yields routes there, else the default route.
   */
  List<RoutePlan> routes(Service svc, int listenerPort) {
    for (VirtualService vs : virtualServices.candidates(svc.hostname().toLowerCase(Locale.ROOT))) {
      List<RoutePlan> routes = routesForVirtualService(vs, listenerPort);
      if (!routes.isEmpty()) {
        return routes;
      }
    }
    return List.of(defaultRoute(svc, listenerPort));
  }

  /** istiod's BuildDefaultHTTPOutboundRoute, with the service's consistent-hash policy if any. */
  RoutePlan defaultRoute(Service svc, int port) {
    Optional<RouteAction.HashPolicy> hash =
        shared != null && shared.hashFree() ? Optional.empty() : hashPolicyForService(svc, port);
    if (hash.isEmpty()) {
      return shared == null
          ? plainDefaultRoute(svc, port)
          : shared.defaultRoute(svc, port, () -> plainDefaultRoute(svc, port));
    }
    RoutePlan plain = plainDefaultRoute(svc, port);
    return new RoutePlan(
        plain.name(),
        plain.match(),
        plain.targets(),
        false,
        plain.timeout(),
        plain.virtualService(),
        plain.operation(),
        Optional.empty(),
        port,
        false,
        List.of(),
        meshDefaultRetryPolicy(),
        false,
        List.of(hash.get()),
        Optional.empty());
  }

  /** istiod's BuildDefaultHTTPOutboundRoute: prefix "/", the default cluster, default retries. */
  static RoutePlan plainDefaultRoute(Service svc, int port) {
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

  // ---- one VirtualService -------------------------------------------------------------------

  /**
   * The routes of {@code vs} for a sidecar ({@code mesh}) on {@code listenerPort}: the ones shared
   * by all proxies when they apply to this one (no hash policy for any of its destinations).
   */
  List<RoutePlan> routesForVirtualService(VirtualService vs, int listenerPort) {
    if (shared != null) {
      RoutePlanCache.SharedRoutes sr =
          shared.routes(vs, listenerPort, () -> planShared(vs, listenerPort));
      if (sr != null && hashFree(sr.hashDestinations())) {
        return sr.routes();
      }
    }
    return routesForVirtualService(vs, listenerPort, MESH, false);
  }

  /** The routes of {@code vs} as if no destination had a hash policy, and those destinations. */
  private RoutePlanCache.SharedRoutes planShared(VirtualService vs, int listenerPort) {
    List<Destination> asked = new ArrayList<>();
    List<RoutePlan> routes =
        routesForVirtualService(
            vs,
            listenerPort,
            MESH,
            false,
            d -> {
              asked.add(d);
              return Optional.empty();
            });
    return new RoutePlanCache.SharedRoutes(routes, asked);
  }

  /** Whether none of {@code destinations} has a hash policy for this proxy. */
  private boolean hashFree(List<Destination> destinations) {
    if (shared.hashFree()) {
      return true;
    }
    for (Destination d : destinations) {
      if (!HashPolicies.forDestination(snapshot, proxy, d).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * istiod's BuildHTTPRoutesForVirtualService: each http[] entry times each of its matches becomes
   * one route. Matches for another port, for other source labels or namespaces, or limited to
   * gateways not in {@code gatewayNames} are skipped; nothing follows the first catch-all route.
   *
   * @param gatewayNames the gateways the routes are built for, as {@code namespace/name}, or {@code
   *     mesh} for sidecars
   * @param tls whether the listener terminates TLS (the scheme a redirect keeps by default)
   */
  List<RoutePlan> routesForVirtualService(
      VirtualService vs, int listenerPort, Set<String> gatewayNames, boolean tls) {
    return routesForVirtualService(
        vs, listenerPort, gatewayNames, tls, d -> hashPolicy(d, listenerPort));
  }

  /**
   * @param hashes the hash policy of a resolved destination
   */
  private List<RoutePlan> routesForVirtualService(
      VirtualService vs,
      int listenerPort,
      Set<String> gatewayNames,
      boolean tls,
      Function<Destination, Optional<RouteAction.HashPolicy>> hashes) {
    // every route of the VirtualService carries the same istio.config metadata
    Optional<Metadata> metadata = Optional.of(RouteTranslator.configMetadata(vs.meta().key()));
    List<RoutePlan> out = new ArrayList<>();
    for (HttpRoute http : vs.http()) {
      if (http.delegate().isPresent()) {
        continue; // a delegate that could not be merged: istiod drops the route
      }
      if (http.match().isEmpty()) {
        addIfPresent(
            out, translate(vs, metadata, http, Optional.empty(), listenerPort, tls, hashes));
        break; // matches everything: later entries are unreachable
      }
      boolean catchAll = false;
      for (HttpMatch m : http.match()) {
        if (!applies(m, vs.meta().namespace(), listenerPort, gatewayNames)) {
          continue;
        }
        Optional<HttpMatch> match = Optional.of(m);
        addIfPresent(out, translate(vs, metadata, http, match, listenerPort, tls, hashes));
        if (RoutePlan.isCatchAll(match)) {
          catchAll = true;
          break;
        }
      }
      if (catchAll) {
        break;
      }
    }
    return List.copyOf(out); // immutable: every virtual host plan of the VirtualService shares it
  }

  private static void addIfPresent(List<RoutePlan> out, Optional<RoutePlan> route) {
    if (route.isPresent()) {
      out.add(route.get());
    }
  }

  /** istiod's port and source checks of TranslateRoute: does this match apply here at all? */
  private boolean applies(
      HttpMatch m, String vsNamespace, int listenerPort, Set<String> gatewayNames) {
    if (m.port() != 0 && m.port() != listenerPort) {
      return false;
    }
    return sourceMatches(m, vsNamespace, gatewayNames);
  }

  /**
   * istiod's SortVHostRoutes, which gateways apply to the routes of all their VirtualServices for
   * one host: catch-all routes move to the end, other routes keep their order.
   */
  static List<RoutePlan> catchAllLast(List<RoutePlan> routes) {
    List<RoutePlan> out = new ArrayList<>();
    List<RoutePlan> catchAll = new ArrayList<>();
    for (RoutePlan r : routes) {
      (r.isCatchAll() ? catchAll : out).add(r);
    }
    out.addAll(catchAll);
    return out;
  }

  /**
   * istiod's sourceMatchHTTP: a match limited to gateways applies to those gateways only; otherwise
   * its source labels must be a subset of the proxy's and its source namespace the proxy's.
   */
  private boolean sourceMatches(HttpMatch m, String vsNamespace, Set<String> gatewayNames) {
    if (!m.gateways().isEmpty()) {
      for (String g : m.gateways()) {
        if (gatewayNames.contains(GatewayNameResolver.resolve(g, vsNamespace))) {
          return true;
        }
      }
      return false;
    }
    if (!m.sourceLabels().isEmpty()
        && !proxy.labels().entrySet().containsAll(m.sourceLabels().entrySet())) {
      return false;
    }
    return m.sourceNamespace().isEmpty() || m.sourceNamespace().equals(proxy.namespace());
  }

  /**
   * istiod's TranslateRoute, up to the protobuf, for a match that applies here. Empty when the
   * route could not be valid for Envoy: a redirect code without an Envoy value (istiod would send a
   * route without an action) or no destination left.
   */
  private Optional<RoutePlan> translate(
      VirtualService vs,
      Optional<Metadata> metadata,
      HttpRoute http,
      Optional<HttpMatch> match,
      int listenerPort,
      boolean tls,
      Function<Destination, Optional<RouteAction.HashPolicy>> hashes) {
    if (http.redirect().isPresent()
        && RouteTranslator.redirectCode(http.redirect().get().redirectCode()).isEmpty()) {
      return Optional.empty();
    }
    String name = http.name();
    if (match.isPresent() && !match.get().name().isEmpty()) {
      name = name + "." + match.get().name();
    }
    String path = RoutePlan.operationPath(match);

    if (http.redirect().isPresent() || http.directResponse().isPresent()) {
      return Optional.of(
          new RoutePlan(
              name,
              match,
              List.of(),
              false,
              http.timeout().orElse(Duration.ZERO),
              Optional.of(vs.meta().key()),
              vsOperation(vs, listenerPort, path),
              Optional.of(http),
              listenerPort,
              tls,
              List.of(),
              Optional.empty(),
              false,
              List.of(),
              metadata));
    }

    List<RoutePlan.Target> targets = new ArrayList<>(http.route().size());
    List<RouteAction.HashPolicy> hashPolicies = List.of();
    boolean weighted = http.route().size() != 1;
    boolean consistentHash = false;
    ClusterKey firstKey = null;
    for (RouteDestination rd : http.route()) {
      if (weighted && rd.weight() == 0) {
        continue; // istiod drops weight-0 destinations
      }
      Destination d = resolved(vs, rd.destination());
      ClusterKey key = destinationKey(d, listenerPort);
      if (firstKey == null) {
        firstKey = key;
      }
      String cluster = key.name();
      Optional<RouteAction.HashPolicy> hash = hashes.apply(d);
      if (hash.isPresent()) {
        if (hashPolicies.isEmpty()) {
          hashPolicies = new ArrayList<>();
        }
        hashPolicies.add(hash.get());
      }
      consistentHash = !weighted && hash.isPresent();
      targets.add(new RoutePlan.Target(cluster, weighted ? rd.weight() : 0, rd.headers()));
    }
    if (targets.isEmpty()) {
      // no destination left: Envoy would reject an empty weighted_clusters
      return Optional.empty();
    }
    String operation =
        !weighted && firstKey.parsesBack()
            ? IstioNames.joinHostPort(firstKey.host(), firstKey.port()) + path
            : vsOperation(vs, listenerPort, path);
    return Optional.of(
        new RoutePlan(
            name,
            match,
            targets,
            weighted,
            http.timeout().orElse(Duration.ZERO),
            Optional.of(vs.meta().key()),
            operation,
            Optional.of(http),
            listenerPort,
            tls,
            mirrors(vs, http, listenerPort),
            http.retries().isPresent() ? http.retries() : meshDefaultRetryPolicy(),
            consistentHash,
            hashPolicies,
            metadata));
  }

  /** The decorator operation naming the VirtualService: {@code <name>:<port><path>}. */
  private static String vsOperation(VirtualService vs, int listenerPort, String path) {
    return vs.meta().name() + ":" + listenerPort + path;
  }

  /**
   * istiod's MirrorPercent / MirrorPercentByPolicy with TranslateRequestMirrorPolicy's clusters.
   */
  private List<RoutePlan.Mirror> mirrors(VirtualService vs, HttpRoute http, int listenerPort) {
    if (http.mirror().isEmpty() && http.mirrors().isEmpty()) {
      return List.of();
    }
    List<RoutePlan.Mirror> out = new ArrayList<>();
    if (http.mirror().isPresent()) {
      String cluster = destinationCluster(resolved(vs, http.mirror().get()), listenerPort);
      if (http.mirrorPercentage().isPresent()) {
        double p = http.mirrorPercentage().get().value();
        if (p > 0) {
          out.add(new RoutePlan.Mirror(cluster, perMillion(p), true));
        }
      } else if (http.mirrorPercent().isPresent()) {
        int p = http.mirrorPercent().get();
        if (p > 0) {
          out.add(new RoutePlan.Mirror(cluster, p, false));
        }
      } else {
        out.add(new RoutePlan.Mirror(cluster, 100, false));
      }
    }
    for (HttpMirror m : http.mirrors()) {
      String cluster = destinationCluster(resolved(vs, m.destination()), listenerPort);
      if (m.percentage().isPresent()) {
        double p = m.percentage().get().value();
        if (p > 0) {
          out.add(new RoutePlan.Mirror(cluster, perMillion(p), true));
        }
      } else {
        out.add(new RoutePlan.Mirror(cluster, 100, false));
      }
    }
    return out;
  }

  /**
   * The destination with its host resolved against the VirtualService's namespace (the same string
   * every time, see {@link ShortNames}).
   */
  private Destination resolved(VirtualService vs, Destination d) {
    return new Destination(
        ShortNames.resolve(snapshot, d.host(), vs.meta().namespace()), d.subset(), d.port());
  }

  /** istiod's translatePercentToFractionalPercent: value × 10000 per million, truncated. */
  static long perMillion(double percent) {
    return (long) (percent * 10000);
  }

  /**
   * istiod's GetDestinationCluster: the destination's port, else the service's only port, else the
   * listener port. Sidecars (and proxyless clients) look services up among those with the listener
   * port, each reduced to that one port, so for them an unset port is always the listener port;
   * gateways look up whole services, so a single-port service's port wins there.
   */
  private String destinationCluster(Destination d, int listenerPort) {
    return destinationKey(d, listenerPort).name();
  }

  private ClusterKey destinationKey(Destination d, int listenerPort) {
    int port = listenerPort;
    if (d.port() != 0) {
      port = d.port();
    } else if (wholeServiceLookup) {
      Optional<Service> svc = snapshot.service(d.host());
      if (svc.isPresent() && svc.get().ports().size() == 1) {
        port = svc.get().ports().get(0).port();
      }
    }
    return new ClusterKey(port, d.subset(), d.host());
  }

  // ---- hooks for DestinationRule and mesh config ------------------------------------------------

  /**
   * istiod's HashForHTTPDestination turned into a route hash_policy: the consistentHash of the
   * DestinationRule for the destination's host (subset port-level, subset, port-level, top-level).
   */
  Optional<RouteAction.HashPolicy> hashPolicy(Destination destination, int listenerPort) {
    List<RouteAction.HashPolicy> found = HashPolicies.forDestination(snapshot, proxy, destination);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /** istiod's hashForService for a service without a VirtualService (its default route). */
  Optional<RouteAction.HashPolicy> hashPolicyForService(Service svc, int port) {
    List<RouteAction.HashPolicy> found = HashPolicies.forService(snapshot, proxy, svc, port);
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /**
   * MeshConfig defaultHttpRetryPolicy; none is configured, so istiod's built-in default applies.
   */
  Optional<HttpRetry> meshDefaultRetryPolicy() {
    return Optional.empty();
  }
}
