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
import io.jpilot.translate.RoutePlanCache.ServiceDomains;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
      (a, b) -> a.name().compareTo(b.name());

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

  /**
   * The virtual hosts one VirtualService (or the default route) contributes on a port: plain hosts
   * and the positions of services in the port's {@link PortServices}.
   */
  private record Wrapper(List<String> virtualServiceHosts, int[] services, List<RoutePlan> routes) {}

  /**
   * Sidecar route configuration {@code "<port>"}: virtual hosts for the VirtualServices on the port
   * (their non-registry hosts first, then their services), then one per other service with an HTTP
   * port equal to {@code listenerPort}; domains deduplicated across hosts in that order; sorted by
   * name.
   */
  List<VirtualHostPlan> virtualHosts(int listenerPort, VirtualHostDomains style) {
    PortServices ps = portServices(listenerPort);
    int n = ps.size();
    boolean[] routed = new boolean[n];
    List<Wrapper> wrappers = new ArrayList<>();
    boolean plainHosts = false;
    IntList found = new IntList();
    List<VirtualServiceIndex.Entry> entries = virtualServices.entries();
    for (int i = 0; i < entries.size(); i++) {
      VirtualServiceIndex.Entry e = entries.get(i);
      if (listenerPort != NON_REGISTRY_HOSTS_PORT && !selects(e, ps)) {
        continue; // istiod's selectVirtualServices: only VirtualServices for a service here
      }
      List<RoutePlan> routes = routesForVirtualService(e.vs(), listenerPort);
      if (routes.isEmpty()) {
        continue;
      }
      found.clear();
      List<String> hosts = separateHostsAndServices(e, ps, found);
      if (found.size() == 0 && listenerPort != NON_REGISTRY_HOSTS_PORT) {
        continue;
      }
      int[] services = found.toArray();
      wrappers.add(new Wrapper(hosts, services, routes));
      plainHosts |= !hosts.isEmpty();
      for (int s : services) {
        routed[s] = true;
      }
    }
    // every wrapper's services together (with the unrouted ones) are exactly those of ps
    KnownFqdns knownFqdns = new KnownFqdns(ps, listenerPort);
    List<VirtualHostPlan> out =
        plainHosts
            ? withPlainHosts(wrappers, routed, ps, listenerPort, style, knownFqdns)
            : servicesOnly(wrappers, routed, ps, listenerPort, style, knownFqdns);
    out.sort(BY_NAME);
    return out;
  }

  /**
   * The virtual hosts when no VirtualService here has a plain (non-service) host: each service
   * once, with the routes of the first VirtualService naming it, else its default route. When the
   * domain lists are known to be pairwise disjoint, dedupe only drops alternative names that are
   * service FQDNs, and the order of the hosts does not matter.
   */
  private List<VirtualHostPlan> servicesOnly(
      List<Wrapper> wrappers,
      boolean[] routed,
      PortServices ps,
      int listenerPort,
      VirtualHostDomains style,
      KnownFqdns knownFqdns) {
    int n = ps.size();
    ServiceDomains[] domains = new ServiceDomains[n];
    @SuppressWarnings("unchecked")
    List<RoutePlan>[] routesOf = new List[n];
    int[] order = new int[n];
    int count = 0;
    for (int w = 0; w < wrappers.size(); w++) {
      Wrapper wrapper = wrappers.get(w);
      for (int s : wrapper.services()) {
        if (domains[s] != null) {
          continue; // routed by an older VirtualService
        }
        domains[s] = serviceDomains(ps.service(s), listenerPort, style);
        routesOf[s] = wrapper.routes();
        order[count++] = s;
      }
    }
    for (int s = 0; s < n; s++) {
      if (!routed[s]) {
        domains[s] = serviceDomains(ps.service(s), listenerPort, style);
        routesOf[s] = defaultRoutes(ps.service(s), listenerPort);
        order[count++] = s;
      }
    }
    List<VirtualHostPlan> out = new ArrayList<>(count);
    // checked after every list above was taken, so it speaks for all of them
    if (shared != null && shared.disjointDomains(listenerPort, style)) {
      for (int s = 0; s < n; s++) { // name order: the sort after finds it sorted
        ServiceDomains sd = domains[s];
        if (sd != null) {
          List<String> kept = sd.keptBesides(ps);
          if (kept == null) {
            kept = sd.rememberKept(ps, withoutKnownAlternatives(sd, knownFqdns));
          }
          addPlan(out, sd, kept, routesOf[s]);
        }
      }
      return out;
    }
    Set<String> seenDomains = new HashSet<>(count * 8);
    for (int k = 0; k < count; k++) {
      int s = order[k];
      ServiceDomains sd = domains[s];
      addPlan(out, sd, dedupe(sd, seenDomains, knownFqdns), routesOf[s]);
    }
    return out;
  }

  private static void addPlan(
      List<VirtualHostPlan> out, ServiceDomains sd, List<String> kept, List<RoutePlan> routes) {
    if (kept == sd.domains()) {
      out.add(sd.plan(routes));
    } else if (!kept.isEmpty()) {
      out.add(new VirtualHostPlan(sd.name(), kept, routes));
    }
  }

  /** The general case: plain VirtualService hosts and services, deduplicated in order. */
  private List<VirtualHostPlan> withPlainHosts(
      List<Wrapper> wrappers,
      boolean[] routed,
      PortServices ps,
      int listenerPort,
      VirtualHostDomains style,
      KnownFqdns knownFqdns) {
    int n = ps.size();
    List<Wrapper> all = new ArrayList<>(wrappers);
    for (int s = 0; s < n; s++) {
      if (!routed[s]) {
        all.add(
            new Wrapper(List.of(), new int[] {s}, defaultRoutes(ps.service(s), listenerPort)));
      }
    }
    // virtual host names: those of plain VirtualService hosts by name, those of services by the
    // service (a service's name is its hostname and the port, so the same service means the same
    // name); a plain host is never a service's hostname here, but the check stays exact
    Set<String> hostNames = new HashSet<>();
    boolean[] named = new boolean[n];
    Set<String> seenDomains = new HashSet<>(all.size() * 8);
    List<VirtualHostPlan> out = new ArrayList<>(all.size());
    for (Wrapper w : all) {
      for (String host : w.virtualServiceHosts()) {
        String h = host.toLowerCase(Locale.ROOT);
        String name = IstioNames.joinHostPort(h, listenerPort);
        if (!hostNames.add(name) || namedService(h, ps, named)) {
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
      for (int s : w.services()) {
        if (named[s]) {
          continue; // routed by an older VirtualService
        }
        named[s] = true;
        ServiceDomains sd = serviceDomains(ps.service(s), listenerPort, style);
        if (!hostNames.isEmpty() && hostNames.contains(sd.name())) {
          continue; // a plain VirtualService host of the same name came first
        }
        addPlan(out, sd, dedupe(sd, seenDomains, knownFqdns), w.routes());
      }
    }
    return out;
  }

  /**
   * The name and domains of {@code svc}'s virtual host on {@code port}, shared with every proxy
   * whose DNS domain is of the same class for the service.
   */
  private ServiceDomains serviceDomains(Service svc, int port, VirtualHostDomains style) {
    if (shared == null) {
      return planDomains(svc, port, style);
    }
    if (domainClasses == null) {
      domainClasses = new VirtualHostDomains.DomainClasses(proxy.dnsDomain(), shared::canonical);
    }
    return shared.domains(
        svc, port, style, domainClasses.of(svc.hostname()), () -> planDomains(svc, port, style));
  }

  private ServiceDomains planDomains(Service svc, int port, VirtualHostDomains style) {
    List<String> alt = style.altHosts(svc.hostname(), port, proxy.dnsDomain());
    return new ServiceDomains(
        IstioNames.joinHostPort(svc.hostname(), port), style.forService(svc, port, alt), alt);
  }

  /**
   * The services of this planner's snapshot on {@code port}, built once per snapshot (view), and
   * shared through the full snapshot by every view with the very same service map (views without
   * a Sidecar of their own share one), as they depend on nothing else.
   */
  private PortServices portServices(int port) {
    return snapshot.derived(
        new PortServicesKey(port),
        view ->
            view.unscoped()
                .derived(
                    new SharedPortServicesKey(view.services(), port),
                    full -> PortServices.of(view, port)));
  }

  private record PortServicesKey(int port) {}

  /** A service map, by identity, and a port. */
  private static final class SharedPortServicesKey {
    final Map<String, Service> services;
    final int port;

    SharedPortServicesKey(Map<String, Service> services, int port) {
      this.services = services;
      this.port = port;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SharedPortServicesKey k && k.services == services && k.port == port;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(services) * 31 + port;
    }
  }

  /**
   * The services of one snapshot with an HTTP port {@code port}, by lower-cased hostname, in name
   * order (the last service of a name wins), each at a position of its own.
   */
  static final class PortServices {
    private final String[] names;
    private final Service[] services;
    private final Map<String, Integer> positions;
    private final List<String> wildcardNames;

    /** One bit per name's hash: a name whose bit is clear is not among them. */
    private final long[] nameBits;

    private PortServices(Map<String, Service> byName) {
      int n = byName.size();
      this.nameBits = new long[Math.max(1, Integer.highestOneBit(Math.max(1, n)) / 2)];
      this.names = new String[n];
      this.services = new Service[n];
      this.positions = new HashMap<>(n * 2);
      List<String> wildcards = new ArrayList<>();
      int i = 0;
      for (Map.Entry<String, Service> e : byName.entrySet()) {
        names[i] = e.getKey();
        services[i] = e.getValue();
        positions.put(e.getKey(), i);
        int bit = bit(e.getKey());
        nameBits[bit >>> 6] |= 1L << bit;
        if (VirtualServiceIndex.isWildcard(e.getKey())) {
          wildcards.add(e.getKey());
        }
        i++;
      }
      this.wildcardNames = List.copyOf(wildcards);
    }

    /**
     * The snapshot lists services sorted by hostname, so the lower-cased names usually arrive in
     * order and a hashed map keeps it; otherwise they are sorted.
     */
    static PortServices of(MeshSnapshot snapshot, int port) {
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
      return new PortServices(ordered ? out : new TreeMap<>(out));
    }

    int size() {
      return names.length;
    }

    String name(int i) {
      return names[i];
    }

    Service service(int i) {
      return services[i];
    }

    /** The position of the lower-cased hostname {@code name}, or -1. */
    int position(String name) {
      Integer i = positions.get(name);
      return i == null ? -1 : i;
    }

    /** A bit of the 64-bit words of {@link #nameBits} for {@code name}. */
    private int bit(String name) {
      int h = name.hashCode();
      return (h ^ (h >>> 16)) & (nameBits.length * 64 - 1);
    }

    /** The service of the lower-cased hostname {@code name}, or null. */
    Service byName(String name) {
      int bit = bit(name);
      if ((nameBits[bit >>> 6] & (1L << bit)) == 0) {
        return null;
      }
      Integer i = positions.get(name);
      return i == null ? null : services[i];
    }
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

  /** A growable list of positions. */
  private static final class IntList {
    private int[] values = new int[4];
    private int size;

    void clear() {
      size = 0;
    }

    int size() {
      return size;
    }

    /** Adds {@code v} unless it is there already. */
    void addOnce(int v) {
      for (int i = 0; i < size; i++) {
        if (values[i] == v) {
          return;
        }
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }

  /** Whether {@code host} is the hostname of a service that already has its virtual host. */
  private static boolean namedService(String host, PortServices ps, boolean[] named) {
    int i = ps.position(host);
    return i >= 0 && ps.service(i).hostname().equals(host) && named[i];
  }

  /**
   * istiod's knownFQDNs of dedupeDomains: the hostnames of the services on the port, and each as
   * {@code host:port}. The second form is recognised by taking it apart rather than built for every
   * service.
   */
  static final class KnownFqdns {
    /** The service of a lower-cased hostname; a hostname is known when its service is there. */
    private final Function<String, Service> byLowerName;

    private final String portSuffix;

    KnownFqdns(Collection<Service> services, int port) {
      this(byLowerCaseName(services)::get, port);
    }

    /** The hostnames of the services of {@code ps}. */
    KnownFqdns(PortServices ps, int port) {
      this(ps::byName, port);
    }

    private KnownFqdns(Function<String, Service> byLowerName, int port) {
      this.byLowerName = byLowerName;
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
      Service svc = byLowerName.apply(lower);
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
  private static List<String> dedupe(ServiceDomains sd, Set<String> seen, KnownFqdns knownFqdns) {
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

  /**
   * {@link #dedupe(ServiceDomains, Set, KnownFqdns)} when no earlier host can have any of the
   * domains: only alternative names that are service FQDNs go.
   */
  private static List<String> withoutKnownAlternatives(ServiceDomains sd, KnownFqdns knownFqdns) {
    if (!sd.anyAlternative()) {
      return sd.domains();
    }
    List<String> domains = sd.domains();
    List<String> out = null;
    for (int i = 0; i < domains.size(); i++) {
      String d = domains.get(i);
      boolean keep = !(sd.alternative(i) && knownFqdns.contains(d, sd.lowerDomain(i)));
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
  private static boolean selects(VirtualServiceIndex.Entry e, PortServices ps) {
    List<String> hosts = e.hosts();
    for (int i = 0; i < hosts.size(); i++) {
      String h = hosts.get(i);
      if (ps.position(h) >= 0) {
        return true;
      }
      // a wildcard host is checked against every service; a plain one only against wildcard ones
      if (VirtualServiceIndex.isWildcard(h)) {
        for (int s = 0; s < ps.size(); s++) {
          if (VirtualServiceIndex.hostsMatch(h, ps.name(s))) {
            return true;
          }
        }
      } else {
        for (String svcHost : ps.wildcardNames) {
          if (VirtualServiceIndex.hostsMatch(h, svcHost)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * istiod's separateVSHostsAndServices: exact hosts that are services on this port become those
   * services (their positions go to {@code services}); other exact hosts stay plain hosts, which
   * are returned. A wildcard host takes the services it covers for which this VirtualService is the
   * most specific, and stays a plain host only if it covers none.
   */
  private List<String> separateHostsAndServices(
      VirtualServiceIndex.Entry e, PortServices ps, IntList services) {
    List<String> hosts = null;
    List<String> vsHosts = e.hosts();
    boolean wildcards = false;
    for (int i = 0; i < vsHosts.size(); i++) {
      String h = vsHosts.get(i);
      if (VirtualServiceIndex.isWildcard(h)) {
        wildcards = true;
        continue;
      }
      int s = ps.position(h);
      if (s >= 0) {
        services.addOnce(s);
      } else {
        hosts = add(hosts, h);
      }
    }
    if (wildcards) {
      for (int i = 0; i < vsHosts.size(); i++) {
        String h = vsHosts.get(i);
        if (!VirtualServiceIndex.isWildcard(h)) {
          continue;
        }
        boolean found = false;
        for (int s = 0; s < ps.size(); s++) {
          if (!VirtualServiceIndex.hostsMatch(ps.name(s), h)) {
            continue;
          }
          found = true;
          if (virtualServices.mostSpecific(ps.name(s)).map(v -> v == e.vs()).orElse(false)) {
            services.addOnce(s);
          }
        }
        if (!found) {
          hosts = add(hosts, h);
        }
      }
    }
    return hosts == null ? List.of() : hosts;
  }

  private static List<String> add(List<String> list, String s) {
    List<String> out = list == null ? new ArrayList<>() : list;
    out.add(s);
    return out;
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
    return defaultRoutes(svc, listenerPort);
  }

  /** {@link #defaultRoute} as a one-route list, the same list for every view when shared. */
  List<RoutePlan> defaultRoutes(Service svc, int port) {
    if (shared != null && shared.hashFree()) {
      return shared.defaultRoutes(svc, port, () -> plainDefaultRoute(svc, port));
    }
    return List.of(defaultRoute(svc, port));
  }

  /** istiod's BuildDefaultHTTPOutboundRoute, with the service's consistent-hash policy if any. */
  RoutePlan defaultRoute(Service svc, int port) {
    Optional<RouteAction.HashPolicy> hash =
        shared != null && shared.hashFree() ? Optional.empty() : hashPolicyForService(svc, port);
    if (hash.isEmpty()) {
      return shared == null
          ? plainDefaultRoute(svc, port)
          : shared.defaultRoutes(svc, port, () -> plainDefaultRoute(svc, port)).get(0);
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
