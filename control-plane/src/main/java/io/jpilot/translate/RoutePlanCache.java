package io.jpilot.translate;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.LoadBalancerSettings;
import io.jpilot.model.config.PortTrafficPolicy;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.Service;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The parts of sidecar route planning that do not depend on the proxy, planned once per full
 * snapshot and shared by the views of every namespace (kept with the snapshot, see {@link
 * MeshSnapshot#unscoped()} and {@link MeshSnapshot#derived}).
 *
 * <p>Every entry is keyed on the identity of the objects it is computed from plus every other
 * input it reads, so a remembered value is the one that would be computed:
 *
 * <ul>
 *   <li>a VirtualService's routes on a listener port for the mesh gateway, planned as if no
 *       destination had a consistent-hash policy; {@link SharedRoutes#hashDestinations} lists the
 *       destinations whose policy the caller must find empty for its proxy before using them.
 *       VirtualServices with matches on source labels or namespaces are not shared;
 *   <li>istiod's default route of a service port, without hash policy (the same check applies);
 *   <li>a service port's virtual host name and domains for one class of proxy DNS domain: the
 *       proxy's own domain when the service is in the proxy's namespace, else only what follows
 *       {@code .svc.} in it (see {@link VirtualHostDomains#classOf}).
 * </ul>
 *
 * <p>Shared values are immutable, so plans of different views hold the very same lists and
 * strings, and {@link VirtualHostCache} finds them equal by identity. Bounded: past {@link
 * #MAX_ENTRIES} per kind, answers are computed and not kept. Safe for concurrent callers; two
 * racing on one key may both compute it, and either result is the same.
 */
final class RoutePlanCache {
  static final int MAX_ENTRIES = 32_768;

  /**
   * Routes of one VirtualService on one port, planned without hash policies.
   *
   * @param routes the routes; valid for a proxy when every destination of {@code hashDestinations}
   *     has no hash policy for it
   * @param hashDestinations the resolved destinations whose hash policy the planning asked for
   */
  record SharedRoutes(List<RoutePlan> routes, List<Destination> hashDestinations) {
    SharedRoutes {
      routes = List.copyOf(routes);
      hashDestinations = List.copyOf(hashDestinations);
    }
  }

  /**
   * A service port's virtual host name and domains, with what dedupe needs of each domain: its
   * lower-case form and whether it is one of the alternative names (istiod's altHosts).
   */
  static final class ServiceDomains {
    private final String name;
    private final List<String> domains;
    private final List<String> lowerDomains;
    private final boolean[] alternative;
    private final boolean anyAlternative;

    /** The plan of the last caller whose domains were kept whole, for the next one to share. */
    private volatile VirtualHostPlan plan;

    ServiceDomains(String name, List<String> domains, List<String> altHosts) {
      this.name = name;
      this.domains = List.copyOf(domains);
      String[] lower = new String[domains.size()];
      this.alternative = new boolean[domains.size()];
      boolean any = false;
      for (int i = 0; i < lower.length; i++) {
        lower[i] = domains.get(i).toLowerCase(Locale.ROOT);
        alternative[i] = altHosts.contains(domains.get(i));
        any |= alternative[i];
      }
      this.lowerDomains = List.of(lower);
      this.anyAlternative = any;
    }

    /** The domains kept besides the services of the last {@link #keptBesides} caller. */
    private volatile KeptBesides kept;

    private record KeptBesides(Object services, List<String> domains) {}

    /**
     * The domains {@link #rememberKept} was last given for {@code services} (an immutable set of a
     * port's services, by identity), or null: views without a Sidecar of their own share those.
     */
    List<String> keptBesides(Object services) {
      KeptBesides k = kept;
      return k != null && k.services() == services ? k.domains() : null;
    }

    /**
     * Remembers the domains kept when the known services are {@code services}; returns them (the
     * list itself when it is {@link #domains}, so the plan stays shared).
     */
    List<String> rememberKept(Object services, List<String> domains) {
      KeptBesides k =
          new KeptBesides(services, domains == this.domains ? domains : List.copyOf(domains));
      kept = k;
      return k.domains();
    }

    /** Whether some domain is one of the alternative names. */
    boolean anyAlternative() {
      return anyAlternative;
    }

    /**
     * The virtual host plan of these domains, all kept, with {@code routes}: the one made for an
     * earlier caller when it had the very same route list, so views share plan objects.
     */
    VirtualHostPlan plan(List<RoutePlan> routes) {
      VirtualHostPlan p = plan;
      if (p != null && p.routes() == routes) {
        return p;
      }
      p = new VirtualHostPlan(name, domains, routes);
      if (p.routes() == routes) {
        plan = p;
      }
      return p;
    }

    /** Whether two domains of the list are equal ignoring case. */
    boolean repeatsDomain() {
      for (int i = 0; i < lowerDomains.size(); i++) {
        for (int j = 0; j < i; j++) {
          if (lowerDomains.get(i).equals(lowerDomains.get(j))) {
            return true;
          }
        }
      }
      return false;
    }

    String name() {
      return name;
    }

    List<String> domains() {
      return domains;
    }

    /** {@code domains().get(i)} in lower case. */
    String lowerDomain(int i) {
      return lowerDomains.get(i);
    }

    /** Whether {@code domains().get(i)} is one of the service's alternative names. */
    boolean alternative(int i) {
      return alternative[i];
    }
  }

  // maps sized for the snapshot up front: growing them is a good part of planning a new one
  private final ConcurrentHashMap<Key, SharedRoutes> routes;

  /** Marks a VirtualService whose routes depend on the proxy. */
  private static final SharedRoutes NOT_SHARED = new SharedRoutes(List.of(), List.of());
  private final ConcurrentHashMap<Key, List<RoutePlan>> defaultRoutes;
  private final ConcurrentHashMap<Key, ServiceDomains> domains;

  /** Services in the full snapshot: what the maps are sized for. */
  private final int serviceCount;

  /** Who owns each domain planned so far, per port and style; see {@link #disjointDomains}. */
  private final ConcurrentHashMap<PortStyle, DomainOwners> owners = new ConcurrentHashMap<>();

  /** Domain classes by value, so that keys holding them compare by identity. */
  private final ConcurrentHashMap<VirtualHostDomains.DomainClass, VirtualHostDomains.DomainClass>
      classes = new ConcurrentHashMap<>();

  /**
   * The lower-cased hostname of the service each lower-cased domain was planned for, on one port
   * in one style, and whether two services (or one list twice) ever had a domain in common.
   */
  private record PortStyle(int port, VirtualHostDomains style) {}

  private static final class DomainOwners {
    final ConcurrentHashMap<String, String> byDomain;
    volatile boolean overlap;

    DomainOwners(int services) {
      // a service has a handful of domains
      this.byDomain = new ConcurrentHashMap<>(Math.min(MAX_ENTRIES, services * 4));
    }

    void add(String owner, ServiceDomains sd) {
      if (overlap) {
        return;
      }
      if (sd.repeatsDomain() || byDomain.size() >= MAX_ENTRIES) {
        overlap = true;
        return;
      }
      for (int i = 0; i < sd.domains().size(); i++) {
        String previous = byDomain.putIfAbsent(sd.lowerDomain(i), owner);
        if (previous != null && !previous.equals(owner)) {
          overlap = true;
          return;
        }
      }
    }
  }

  /** Whether no DestinationRule of the snapshot has a consistent hash anywhere. */
  private final boolean hashFree;

  private RoutePlanCache(MeshSnapshot full) {
    this.hashFree = !anyConsistentHash(full.destinationRules());
    this.serviceCount = full.services().size();
    int vs = Math.min(MAX_ENTRIES, full.virtualServices().size());
    this.routes = new ConcurrentHashMap<>(vs);
    this.defaultRoutes = new ConcurrentHashMap<>(Math.min(MAX_ENTRIES, serviceCount));
    this.domains = new ConcurrentHashMap<>(Math.min(MAX_ENTRIES, serviceCount * 2));
  }

  /** The cache of {@code snapshot}'s full snapshot, shared by all its views. */
  static RoutePlanCache of(MeshSnapshot snapshot) {
    return snapshot.unscoped().derived(RoutePlanCache.class, RoutePlanCache::new);
  }

  /**
   * True when no DestinationRule sets a consistent hash (top level, port level, subsets): then no
   * route of any proxy has a hash policy (see {@link HashPolicies}), and there is nothing to check.
   */
  boolean hashFree() {
    return hashFree;
  }

  static boolean anyConsistentHash(List<DestinationRule> rules) {
    for (DestinationRule dr : rules) {
      if (consistentHash(dr.trafficPolicy())) {
        return true;
      }
      for (Subset s : dr.subsets()) {
        if (consistentHash(s.trafficPolicy())) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean consistentHash(Optional<TrafficPolicy> policy) {
    if (policy.isEmpty()) {
      return false;
    }
    if (policy.get().loadBalancerSettings().flatMap(LoadBalancerSettings::consistentHash).isPresent()) {
      return true;
    }
    for (PortTrafficPolicy p : policy.get().portLevelSettings()) {
      if (p.loadBalancer().flatMap(LoadBalancerSettings::consistentHash).isPresent()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The shared routes of {@code vs} on {@code port}, planned by {@code plan} on first ask; null
   * when they depend on the proxy (source label or namespace matches).
   */
  SharedRoutes routes(VirtualService vs, int port, Supplier<SharedRoutes> plan) {
    Key key = new Key(vs, port, null, null);
    SharedRoutes sr = routes.get(key);
    if (sr == NOT_SHARED) {
      return null;
    }
    if (sr != null) {
      return sr;
    }
    if (sourceDependent(vs)) {
      if (routes.size() < MAX_ENTRIES) {
        routes.putIfAbsent(key, NOT_SHARED);
      }
      return null;
    }
    return get(routes, key, plan);
  }

  /** The hash-free default route of {@code svc} on {@code port}, as a one-route list. */
  List<RoutePlan> defaultRoutes(Service svc, int port, Supplier<RoutePlan> plan) {
    return get(defaultRoutes, new Key(svc, port, null, null), () -> List.of(plan.get()));
  }

  /** {@code domainClass}, or an equal one handed out before. */
  VirtualHostDomains.DomainClass canonical(VirtualHostDomains.DomainClass domainClass) {
    VirtualHostDomains.DomainClass c = classes.get(domainClass);
    if (c != null) {
      return c;
    }
    if (classes.size() >= MAX_ENTRIES) {
      return domainClass;
    }
    c = classes.putIfAbsent(domainClass, domainClass);
    return c != null ? c : domainClass;
  }

  /**
   * True when no two services' domain lists planned so far on {@code port} in {@code style} (for
   * any domain class) have a domain in common ignoring case, and no list repeats one. Every list
   * {@link #domains} has returned is counted, so when this holds after a caller has taken the
   * lists of services with distinct lower-cased hostnames, those lists are pairwise disjoint.
   */
  boolean disjointDomains(int port, VirtualHostDomains style) {
    DomainOwners o = owners.get(new PortStyle(port, style));
    return o == null || !o.overlap;
  }

  /**
   * The name and domains of {@code svc} on {@code port} in {@code style} for proxies whose DNS
   * domain falls in {@code domainClass}.
   */
  ServiceDomains domains(
      Service svc,
      int port,
      VirtualHostDomains style,
      VirtualHostDomains.DomainClass domainClass,
      Supplier<ServiceDomains> plan) {
    Key key = new Key(svc, port, style, domainClass);
    ServiceDomains sd = domains.get(key);
    if (sd != null) {
      return sd;
    }
    sd = plan.get();
    // counted before anyone is handed the list
    DomainOwners o = owners.get(new PortStyle(port, style));
    if (o == null) {
      o = new DomainOwners(serviceCount);
      DomainOwners raced = owners.putIfAbsent(new PortStyle(port, style), o);
      o = raced != null ? raced : o;
    }
    o.add(svc.hostname().toLowerCase(Locale.ROOT), sd);
    if (domains.size() >= MAX_ENTRIES) {
      return sd;
    }
    ServiceDomains raced = domains.putIfAbsent(key, sd);
    return raced != null ? raced : sd;
  }

  private static <V> V get(ConcurrentHashMap<Key, V> map, Key key, Supplier<V> plan) {
    V v = map.get(key);
    if (v != null) {
      return v;
    }
    v = plan.get();
    if (map.size() >= MAX_ENTRIES) {
      return v;
    }
    V raced = map.putIfAbsent(key, v);
    return raced != null ? raced : v;
  }

  /** Whether some match of {@code vs} selects by the proxy's labels or namespace. */
  static boolean sourceDependent(VirtualService vs) {
    for (var http : vs.http()) {
      for (var m : http.match()) {
        if (!m.sourceLabels().isEmpty() || !m.sourceNamespace().isEmpty()) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * An object (by identity), a port, and optionally a style and a domain class (by value). The
   * object is a model record held by the snapshot, so its identity is stable while the snapshot
   * lives.
   */
  private static final class Key {
    final Object owner;
    final int port;
    final Object style;
    final Object domainClass;
    final int hash;

    Key(Object owner, int port, Object style, Object domainClass) {
      this.owner = owner;
      this.port = port;
      this.style = style;
      this.domainClass = domainClass;
      int h = System.identityHashCode(owner) * 31 + port;
      h = h * 31 + (style == null ? 0 : style.hashCode());
      this.hash = h * 31 + (domainClass == null ? 0 : domainClass.hashCode());
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && k.owner == owner
          && k.port == port
          && (k.style == style || Objects.equals(k.style, style))
          && (k.domainClass == domainClass || Objects.equals(k.domainClass, domainClass));
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
