package io.jpilot.model;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpMirror;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.OutboundTrafficPolicy;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.Sidecar;
import io.jpilot.model.config.SidecarEgressListener;
import io.jpilot.model.config.SidecarIngressListener;
import io.jpilot.model.config.SidecarPort;
import io.jpilot.model.config.TcpRoute;
import io.jpilot.model.config.TlsRoute;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one proxy imports, as istiod's SidecarScope (pilot/pkg/model/sidecar.go) decides it: the
 * Sidecar that applies, per egress listener the services and VirtualServices it imports, the union
 * of imported services (for clusters), the DestinationRule for each, and the outbound traffic
 * policy. A plain value computed from (snapshot, proxy, mesh config); no I/O.
 *
 * <p>Sidecar selection: in the proxy's namespace, the oldest Sidecar whose workloadSelector matches
 * the proxy's labels, else the oldest one without a selector; else the selector-less Sidecar of the
 * root namespace (applied as if it were in the proxy's namespace); else the default, which imports
 * every service, VirtualService and DestinationRule exported to the namespace. Gateways always get
 * the default scope.
 */
public final class SidecarScope {
  private static final String WILDCARD_NAMESPACE = "*";
  private static final String CURRENT_NAMESPACE = ".";
  private static final String EXCLUDE_PREFIX = "~";
  private static final String MESH_GATEWAY = "mesh";

  /** The services and VirtualServices one egress listener imports, and the view built from them. */
  public record EgressListener(
      SidecarEgressListener config,
      List<Service> services,
      List<VirtualService> virtualServices,
      MeshSnapshot view) {
    public EgressListener {
      requireNonNull(config, "config");
      services = List.copyOf(services);
      virtualServices = List.copyOf(virtualServices);
      requireNonNull(view, "view");
    }

    /** True for the listener without a port (the catch-all; the last one). */
    public boolean catchAll() {
      return config.port().isEmpty();
    }
  }

  private final MeshSnapshot snapshot;
  private final String namespace;
  private final Optional<Sidecar> sidecar;
  private final List<EgressListener> egressListeners;
  private final SortedMap<String, Service> services;
  private final Map<String, DestinationRule> destinationRules;
  private final OutboundTrafficPolicy outboundTrafficPolicy;
  private final MeshSnapshot view;
  private final String rootNamespace;

  /** The same instance for scopes that share everything but their namespace. */
  private final Object content;

  private SidecarScope(
      MeshSnapshot snapshot,
      String namespace,
      Optional<Sidecar> sidecar,
      List<EgressListener> egressListeners,
      SortedMap<String, Service> services,
      Map<String, DestinationRule> destinationRules,
      OutboundTrafficPolicy outboundTrafficPolicy,
      MeshSnapshot view,
      String rootNamespace) {
    this.snapshot = snapshot;
    this.namespace = namespace;
    this.sidecar = sidecar;
    this.egressListeners = List.copyOf(egressListeners);
    this.services = Collections.unmodifiableSortedMap(services);
    this.destinationRules =
        destinationRules instanceof SortedMap<String, DestinationRule> sorted
            ? Collections.unmodifiableSortedMap(sorted)
            : Collections.unmodifiableMap(destinationRules);
    this.outboundTrafficPolicy = outboundTrafficPolicy;
    this.view = view;
    this.rootNamespace = rootNamespace;
    this.content = new Object();
  }

  /** {@code shared} as the scope of {@code namespace}: every other field is shared. */
  private SidecarScope(SidecarScope shared, String namespace) {
    this.snapshot = shared.snapshot;
    this.namespace = namespace;
    this.sidecar = shared.sidecar;
    this.egressListeners = shared.egressListeners;
    this.services = shared.services;
    this.destinationRules = shared.destinationRules;
    this.outboundTrafficPolicy = shared.outboundTrafficPolicy;
    this.view = shared.view;
    this.rootNamespace = shared.rootNamespace;
    this.content = shared.content;
  }

  /** Computes the scope of {@code proxy}. */
  public static SidecarScope of(MeshSnapshot snapshot, ProxyView proxy, MeshConfig mesh) {
    requireNonNull(snapshot, "snapshot");
    requireNonNull(proxy, "proxy");
    requireNonNull(mesh, "mesh");
    String ns = proxy.namespace();
    OutboundTrafficPolicy meshPolicy =
        new OutboundTrafficPolicy(mesh.outboundTrafficPolicy(), Optional.empty());
    if (proxy.type() == ProxyView.Type.ROUTER) {
      return forGateway(snapshot, proxy, mesh, meshPolicy);
    }
    Optional<Sidecar> sidecar =
        select(snapshot.sidecars(), ns, proxy.labels(), mesh.rootNamespace());
    if (sidecar.isEmpty()) {
      SidecarScope shared =
          snapshot
              .derived(new DefaultScopes.Key(mesh), s -> DefaultScopes.of(s, mesh))
              .scope(snapshot, ns, proxy.labels());
      if (shared != null) {
        return shared;
      }
    }
    return compute(snapshot, ns, proxy.labels(), sidecar, mesh, meshPolicy);
  }

  /** {@link #of} without sharing: every scope computed on its own (to check the sharing). */
  static SidecarScope computed(MeshSnapshot snapshot, ProxyView proxy, MeshConfig mesh) {
    OutboundTrafficPolicy meshPolicy =
        new OutboundTrafficPolicy(mesh.outboundTrafficPolicy(), Optional.empty());
    if (proxy.type() == ProxyView.Type.ROUTER) {
      return forGateway(snapshot, proxy, mesh, meshPolicy);
    }
    Optional<Sidecar> sidecar =
        select(snapshot.sidecars(), proxy.namespace(), proxy.labels(), mesh.rootNamespace());
    return compute(snapshot, proxy.namespace(), proxy.labels(), sidecar, mesh, meshPolicy);
  }

  /** The scope of a sidecar in {@code ns} with {@code labels} to which {@code sidecar} applies. */
  private static SidecarScope compute(
      MeshSnapshot snapshot,
      String ns,
      Map<String, String> labels,
      Optional<Sidecar> sidecar,
      MeshConfig mesh,
      OutboundTrafficPolicy meshPolicy) {
    List<SidecarEgressListener> configs =
        sidecar
            .map(Sidecar::egress)
            .filter(e -> !e.isEmpty())
            .orElse(List.of(SidecarEgressListener.IMPORT_ALL));
    List<VirtualService> meshVirtualServices = virtualServicesForMesh(snapshot, ns);
    List<Service> visible = new ArrayList<>();
    for (Service s : snapshot.services().values()) {
      if (s.visibleTo(ns)) {
        visible.add(s);
      }
    }

    // Per listener: its explicit imports. Then the union, explicit imports first, then the
    // destinations of imported VirtualServices (istiod's collectImportedServices).
    Resolutions resolutions = snapshot.derived(Resolutions.KEY, Resolutions::of);
    List<ListenerImports> imports = new ArrayList<>();
    for (SidecarEgressListener config : configs) {
      imports.add(
          ListenerImports.of(config, ns, visible, meshVirtualServices, snapshot, resolutions));
    }
    LinkedHashMap<String, Service> union = new LinkedHashMap<>();
    for (ListenerImports li : imports) {
      for (Service s : li.services) {
        append(union, s);
      }
      for (VirtualService vs : li.virtualServices) {
        for (Target d : resolutions.targets(vs, ns, snapshot)) {
          Service svc = d.service();
          if (svc == null || (!svc.namespace().equals(ns) && !svc.visibleTo(ns))) {
            continue;
          }
          Service matched =
              li.matchPort
                  ? matchingListenerPort(svc, li.config)
                  : matchingVirtualServicePorts(svc, d.ports());
          if (matched != null) {
            append(union, matched);
          }
        }
      }
    }
    SortedMap<String, Service> services = SortedMaps.of(union);
    LinkedHashMap<String, DestinationRule> rules = new LinkedHashMap<>();
    for (Service s : services.values()) {
      snapshot
          .destinationRule(s.hostname(), ns, labels, mesh.rootNamespace())
          .ifPresent(dr -> rules.put(s.hostname(), dr));
    }
    SortedMap<String, DestinationRule> drs = SortedMaps.of(rules);
    List<EgressListener> listeners = new ArrayList<>();
    List<SortedMap<String, Service>> listedByListener = new ArrayList<>();
    for (ListenerImports li : imports) {
      LinkedHashMap<String, Service> byHost = new LinkedHashMap<>();
      for (Service s : li.services) {
        byHost.put(s.hostname(), s);
      }
      SortedMap<String, Service> listed = SortedMaps.of(byHost);
      if (sameEntries(listed, services)) {
        listed = services; // the view then resolves its own services alone
      }
      listedByListener.add(listed);
      listeners.add(
          new EgressListener(
              li.config,
              li.services,
              li.virtualServices,
              snapshot.scopedView(listed, services, li.virtualServices, drs)));
    }
    List<VirtualService> allVs;
    if (imports.size() == 1) {
      allVs = imports.get(0).virtualServices;
    } else {
      allVs = new ArrayList<>();
      Set<ConfigKey> seen = new HashSet<>();
      for (ListenerImports li : imports) {
        for (VirtualService vs : li.virtualServices) {
          if (seen.add(vs.meta().key())) {
            allVs.add(vs);
          }
        }
      }
    }
    OutboundTrafficPolicy policy =
        sidecar.flatMap(Sidecar::outboundTrafficPolicy).orElse(meshPolicy);
    // One listener that imports every service of the scope and all its VirtualServices (the
    // default scope, mostly) has the scope's view already: the same narrowing of the snapshot.
    MeshSnapshot view =
        listeners.size() == 1
                && allVs.size() == imports.get(0).virtualServices.size()
                && listedByListener.get(0) == services
            ? listeners.get(0).view()
            : snapshot.scopedView(services, services, allVs, drs);
    return new SidecarScope(
        snapshot, ns, sidecar, listeners, services, drs, policy, view, mesh.rootNamespace());
  }

  /** istiod's DefaultSidecarScopeForGateway: services and rules exported to the namespace. */
  private static SidecarScope forGateway(
      MeshSnapshot snapshot, ProxyView proxy, MeshConfig mesh, OutboundTrafficPolicy policy) {
    String ns = proxy.namespace();
    SortedMap<String, Service> services = new TreeMap<>();
    for (Service s : snapshot.services().values()) {
      if (s.visibleTo(ns)) {
        services.put(s.hostname(), s);
      }
    }
    Map<String, DestinationRule> drs = new TreeMap<>();
    for (Service s : services.values()) {
      snapshot
          .destinationRule(s.hostname(), ns, proxy.labels(), mesh.rootNamespace())
          .ifPresent(dr -> drs.put(s.hostname(), dr));
    }
    // Gateways bind VirtualServices through their gateways: field, so all of them stay visible.
    MeshSnapshot view = snapshot.scopedView(services, services, snapshot.virtualServices(), drs);
    EgressListener all =
        new EgressListener(
            SidecarEgressListener.IMPORT_ALL,
            List.copyOf(services.values()),
            snapshot.virtualServices(),
            view);
    return new SidecarScope(
        snapshot,
        ns,
        Optional.empty(),
        List.of(all),
        services,
        drs,
        policy,
        view,
        mesh.rootNamespace());
  }

  /**
   * istiod's getSidecarScope for sidecars: selector-bearing Sidecars of the namespace first (oldest
   * first), then the namespace's selector-less one, then the root namespace's selector-less one.
   */
  static Optional<Sidecar> select(
      List<Sidecar> sidecars, String namespace, Map<String, String> labels, String rootNamespace) {
    if (sidecars.isEmpty()) {
      return Optional.empty();
    }
    for (Sidecar sc : sidecars) {
      if (sc.meta().namespace().equals(namespace)
          && sc.workloadSelector().isPresent()
          && sc.selects(labels)) {
        return Optional.of(sc);
      }
    }
    for (Sidecar sc : sidecars) {
      if (sc.meta().namespace().equals(namespace) && sc.workloadSelector().isEmpty()) {
        return Optional.of(sc);
      }
    }
    for (Sidecar sc : sidecars) {
      if (sc.meta().namespace().equals(rootNamespace) && sc.workloadSelector().isEmpty()) {
        return Optional.of(sc);
      }
    }
    return Optional.empty();
  }

  /**
   * VirtualServices bound to the mesh and exported to {@code ns}, in istiod's order: those private
   * to the namespace, then those exported to it by name, then public ones; oldest first in each.
   */
  static List<VirtualService> virtualServicesForMesh(MeshSnapshot snapshot, String ns) {
    List<VirtualService> priv = new ArrayList<>();
    List<VirtualService> exported = new ArrayList<>();
    List<VirtualService> pub = new ArrayList<>();
    for (VirtualService vs : snapshot.virtualServices()) {
      if (!vs.gateways().isEmpty() && !vs.gateways().contains(MESH_GATEWAY)) {
        continue;
      }
      List<String> exportTo = vs.exportTo();
      String vsNs = vs.meta().namespace();
      if (exportTo.isEmpty() || exportTo.contains("*")) {
        pub.add(vs);
      } else if (exportTo.contains("~")) {
        continue;
      } else if (vsNs.equals(ns) && (exportTo.contains(".") || exportTo.contains(ns))) {
        priv.add(vs);
      } else if (exportTo.contains(ns)) {
        exported.add(vs);
      }
    }
    List<VirtualService> out = new ArrayList<>(priv);
    out.addAll(exported);
    out.addAll(pub);
    return out;
  }

  /** The imports of one egress listener, before the union is known. */
  private static final class ListenerImports {
    final SidecarEgressListener config;
    final boolean matchPort;
    final List<Service> services;
    final List<VirtualService> virtualServices;

    private ListenerImports(
        SidecarEgressListener config,
        boolean matchPort,
        List<Service> services,
        List<VirtualService> virtualServices) {
      this.config = config;
      this.matchPort = matchPort;
      this.services = services;
      this.virtualServices = virtualServices;
    }

    static ListenerImports of(
        SidecarEgressListener config,
        String configNamespace,
        List<Service> visible,
        List<VirtualService> meshVirtualServices,
        MeshSnapshot snapshot,
        Resolutions resolutions) {
      Map<String, HostImports> byNamespace = parseHosts(config.hosts(), configNamespace);
      boolean matchPort = config.port().map(p -> p.number() != 0 && !isHttpProxy(p)).orElse(false);
      HostImports wildcard = byNamespace.get(WILDCARD_NAMESPACE);

      List<VirtualService> vss = new ArrayList<>();
      for (VirtualService vs : meshVirtualServices) {
        String vsNs = vs.meta().namespace();
        HostImports own = byNamespace.get(vsNs);
        List<String> hosts = resolutions.hosts(vs, snapshot);
        if ((own != null && selectsVirtualService(hosts, own, own, wildcard))
            || (wildcard != null && selectsVirtualService(hosts, wildcard, own, wildcard))) {
          vss.add(vs);
        }
      }

      List<Service> services = new ArrayList<>();
      for (Service s : visible) {
        HostImports own = byNamespace.get(s.namespace());
        if ((own != null && own.excluded(s.hostname()))
            || (wildcard != null && wildcard.excluded(s.hostname()))) {
          continue;
        }
        Service matched = null;
        if (own != null && own.matches(s.hostname())) {
          matched = matchPort ? matchingListenerPort(s, config) : s;
        } else if (wildcard != null && wildcard.matches(s.hostname())) {
          matched = matchPort ? matchingListenerPort(s, config) : s;
        }
        if (matched != null) {
          services.add(matched);
        }
      }
      return new ListenerImports(config, matchPort, services, vss);
    }

    /**
     * istiod's SelectVirtualServices for one VS (its hosts resolved) and one set of imports.
     */
    private static boolean selectsVirtualService(
        List<String> resolvedHosts,
        HostImports imports,
        HostImports ownNamespace,
        HostImports wildcard) {
      for (String host : resolvedHosts) {
        if (!imports.matchesVirtualServiceHost(host)) {
          continue;
        }
        if ((ownNamespace != null && ownNamespace.excluded(host))
            || (wildcard != null && wildcard.excluded(host))) {
          continue;
        }
        return true;
      }
      return false;
    }
  }

  private static boolean isHttpProxy(SidecarPort p) {
    return p.protocol().equalsIgnoreCase("HTTP_PROXY");
  }

  /** Egress hosts grouped by namespace ({@code *} for any), with exclusions. */
  static Map<String, HostImports> parseHosts(List<String> hosts, String configNamespace) {
    Map<String, HostImports> out = new LinkedHashMap<>();
    for (String h : hosts) {
      int slash = h.indexOf('/');
      if (slash < 0 || h.indexOf('/', slash + 1) >= 0) {
        continue; // rejected by validation
      }
      String ns = h.substring(0, slash);
      String name = h.substring(slash + 1);
      boolean excluded = ns.startsWith(EXCLUDE_PREFIX);
      if (excluded) {
        ns = ns.substring(1);
        if (ns.isEmpty()) {
          ns = WILDCARD_NAMESPACE;
        }
      }
      if (ns.equals(CURRENT_NAMESPACE)) {
        ns = configNamespace;
      }
      HostImports hi = out.computeIfAbsent(ns, n -> new HostImports());
      if (excluded) {
        hi.excludedHosts.add(name);
      } else {
        if (!Hosts.isWildcard(name)) {
          hi.exactHosts.add(name);
        }
        hi.allHosts.add(name);
      }
    }
    return out;
  }

  /** istiod's hostClassification: the hosts imported from one namespace. */
  static final class HostImports {
    final Set<String> exactHosts = new HashSet<>();
    final List<String> allHosts = new ArrayList<>();
    final List<String> excludedHosts = new ArrayList<>();

    boolean excluded(String host) {
      for (int i = 0; i < excludedHosts.size(); i++) {
        if (Hosts.subsetOf(host, excludedHosts.get(i))) {
          return true;
        }
      }
      return false;
    }

    /** A service host is imported when it equals an import or lies under a wildcard import. */
    boolean matches(String host) {
      if (exactHosts.contains(host)) {
        return true;
      }
      boolean wild = Hosts.isWildcard(host);
      for (int i = 0; i < allHosts.size(); i++) {
        String imported = allHosts.get(i);
        if (!wild && !Hosts.isWildcard(imported)) {
          continue;
        }
        if (Hosts.subsetOf(host, imported)) {
          return true;
        }
      }
      return false;
    }

    /** VirtualService hosts match both ways (a {@code *.local} route matches an exact import). */
    boolean matchesVirtualServiceHost(String host) {
      if (exactHosts.contains(host)) {
        return true;
      }
      boolean wild = Hosts.isWildcard(host);
      for (int i = 0; i < allHosts.size(); i++) {
        String imported = allHosts.get(i);
        if (!wild && !Hosts.isWildcard(imported)) {
          continue;
        }
        if (Hosts.matches(host, imported)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Adds a service, merging the ports of one imported twice (first import wins otherwise). */
  private static void append(LinkedHashMap<String, Service> union, Service s) {
    Service existing = union.get(s.hostname());
    if (existing == null) {
      union.put(s.hostname(), s);
      return;
    }
    if (existing.equals(s) || existing.ports().equals(s.ports())) {
      return;
    }
    if (!existing.namespace().equals(s.namespace())) {
      return;
    }
    List<ServicePort> ports = new ArrayList<>(existing.ports());
    for (ServicePort p : s.ports()) {
      if (ports.stream().noneMatch(q -> q.port() == p.port())) {
        ports.add(p);
      }
    }
    union.put(s.hostname(), existing.withPorts(ports));
  }

  /** The service narrowed to the egress listener's port; null when it has no such port. */
  private static Service matchingListenerPort(Service s, SidecarEgressListener listener) {
    int number = listener.port().map(SidecarPort::number).orElse(0);
    for (ServicePort p : s.ports()) {
      if (p.port() == number) {
        return s.ports().size() == 1 ? s : s.withPorts(List.of(p));
      }
    }
    return null;
  }

  /**
   * The service narrowed to the ports VirtualServices send to; 0 among them means all ports. Null
   * when a multi-port service has none of them.
   */
  private static Service matchingVirtualServicePorts(Service s, Set<Integer> ports) {
    if (ports.isEmpty() || ports.contains(0)) {
      return s;
    }
    List<ServicePort> found = new ArrayList<>();
    for (ServicePort p : s.ports()) {
      if (ports.contains(p.port())) {
        found.add(p);
      }
    }
    if (found.size() == s.ports().size()) {
      return s;
    }
    return found.isEmpty() ? null : s.withPorts(found);
  }

  /**
   * The destination hosts (resolved) and ports (0: unset) of a VirtualService's routes. HTTP routes
   * whose matches all name another source namespace are left out.
   */
  static Map<String, Set<Integer>> destinations(
      VirtualService vs, String configNamespace, MeshSnapshot snapshot) {
    Map<String, Set<Integer>> out = new LinkedHashMap<>();
    for (HttpRoute h : vs.http()) {
      if (!matchesSourceNamespace(h, configNamespace)) {
        continue;
      }
      addAll(out, h.route(), vs, snapshot);
      h.mirror().ifPresent(d -> add(out, d, vs, snapshot));
      for (HttpMirror m : h.mirrors()) {
        add(out, m.destination(), vs, snapshot);
      }
    }
    for (TcpRoute t : vs.tcp()) {
      addAll(out, t.route(), vs, snapshot);
    }
    for (TlsRoute t : vs.tls()) {
      addAll(out, t.route(), vs, snapshot);
    }
    return out;
  }

  /** {@link #destinations} as the scopes collect them (to check the two agree). */
  static Map<String, Set<Integer>> collectedDestinations(
      VirtualService vs, String configNamespace, MeshSnapshot snapshot) {
    Map<String, Set<Integer>> out = new LinkedHashMap<>();
    for (Target t : Resolutions.resolveTargets(vs, configNamespace, snapshot)) {
      out.put(t.host(), t.ports());
    }
    return out;
  }

  /**
   * An HTTP route counts unless every match that names a source namespace names another one
   * (istiod's virtualServiceDestinationsFilteredBySourceNamespace).
   */
  private static boolean matchesSourceNamespace(HttpRoute h, String configNamespace) {
    boolean matched = true;
    List<HttpMatch> matches = h.match();
    for (int i = 0; i < matches.size(); i++) {
      HttpMatch m = matches.get(i);
      if (!m.sourceNamespace().isEmpty()) {
        if (m.sourceNamespace().equals(configNamespace)) {
          return true;
        }
        matched = false;
      }
    }
    return matched;
  }

  private static void addAll(
      Map<String, Set<Integer>> out,
      List<RouteDestination> route,
      VirtualService vs,
      MeshSnapshot snapshot) {
    for (RouteDestination rd : route) {
      add(out, rd.destination(), vs, snapshot);
    }
  }

  private static void add(
      Map<String, Set<Integer>> out, Destination d, VirtualService vs, MeshSnapshot snapshot) {
    String host = snapshot.resolveShortName(d.host(), vs.meta().namespace());
    out.computeIfAbsent(host, k -> new HashSet<>()).add(d.port());
  }

  /**
   * The default scope (no Sidecar applies) shared by the namespaces it cannot tell apart, computed
   * once per snapshot and mesh config. Of a sidecar's proxy, {@link #compute} reads its namespace
   * and labels; with no Sidecar they matter only through:
   *
   * <ul>
   *   <li>VirtualServices exported to some namespaces only (their own among them for {@code .}),
   *       and HTTP matches naming a source namespace;
   *   <li>services exported to some namespaces only (a service is always imported in its own
   *       namespace);
   *   <li>DestinationRules: those exported to some namespaces by name, those of the proxy's own
   *       namespace (whatever its labels select), and the root namespace's private ones;
   *   <li>the scope's {@link #namespace()} itself.
   * </ul>
   *
   * So a namespace named by none of the first two, by no DestinationRule's exportTo, and not the
   * root namespace, imports what a namespace that nothing names imports ({@link #NEUTRAL}, the
   * template). When, besides, each rule of its own namespace for an imported host is the rule the
   * template chose for it (or it has none), its scope is the template's in every field but the
   * namespace. Namespace-local rules for wildcard hosts are not compared: such a namespace gets its
   * own scope.
   */
  private static final class DefaultScopes {
    /** No namespace is named so: services, VirtualServices and rules live in named ones. */
    private static final String NEUTRAL = "";

    /** The key of the shared value of one mesh config in {@link MeshSnapshot#derived}. */
    record Key(MeshConfig mesh) {}

    private final Set<String> named;
    private final SidecarScope template; // null: no namespace shares

    private DefaultScopes(Set<String> named, SidecarScope template) {
      this.named = named;
      this.template = template;
    }

    static DefaultScopes of(MeshSnapshot snapshot, MeshConfig mesh) {
      Set<String> named = new HashSet<>();
      named.add(mesh.rootNamespace());
      for (VirtualService vs : snapshot.virtualServices()) {
        List<String> exportTo = vs.exportTo();
        if (!exportTo.isEmpty() && !exportTo.contains("*") && !exportTo.contains("~")) {
          named.add(vs.meta().namespace());
          named.addAll(exportTo);
        }
        List<HttpRoute> http = vs.http();
        for (int i = 0; i < http.size(); i++) {
          List<HttpMatch> matches = http.get(i).match();
          for (int j = 0; j < matches.size(); j++) {
            String source = matches.get(j).sourceNamespace();
            if (!source.isEmpty()) {
              named.add(source);
            }
          }
        }
      }
      for (Service s : snapshot.services().values()) {
        if (!s.exportTo().isEmpty() && !s.exportTo().contains("*")) {
          named.add(s.namespace());
          named.addAll(s.exportTo());
        }
      }
      for (DestinationRule dr : snapshot.destinationRules()) {
        named.addAll(dr.exportTo());
      }
      if (named.contains(NEUTRAL)) {
        return new DefaultScopes(named, null);
      }
      SidecarScope template =
          compute(
              snapshot,
              NEUTRAL,
              Map.of(),
              Optional.empty(),
              mesh,
              new OutboundTrafficPolicy(mesh.outboundTrafficPolicy(), Optional.empty()));
      return new DefaultScopes(named, template);
    }

    /**
     * The default scope of a sidecar in {@code ns} with {@code labels}, shared; null when the
     * namespace may see something else (it must be computed).
     */
    SidecarScope scope(MeshSnapshot snapshot, String ns, Map<String, String> labels) {
      if (template == null || named.contains(ns)) {
        return null;
      }
      Set<String> localHosts = snapshot.destinationRuleIndex().localHosts(ns);
      if (localHosts == null) {
        return null;
      }
      for (String host : localHosts) {
        if (!template.services.containsKey(host)) {
          continue;
        }
        DestinationRule local =
            snapshot.destinationRule(host, ns, labels, template.rootNamespace).orElse(null);
        DestinationRule shared = template.destinationRules.get(host);
        if (local != shared && (local == null || !local.equals(shared))) {
          return null;
        }
      }
      return new SidecarScope(template, ns);
    }
  }

  /**
   * The destination hosts of one VirtualService (resolved against its namespace) in the order
   * first seen, with the ports sent to each, as {@link #destinations} collects them. A host written
   * as before is not resolved again; hosts are found by a scan while they are few.
   */
  private static final class TargetCollector {
    private static final int SCANNED = 16;

    private final String namespace;
    private final MeshSnapshot snapshot;
    private String[] written = new String[2]; // each host as written, once
    private int[] writtenAt = new int[2]; // its index in hosts
    private int writtenCount;
    private String[] hosts = new String[2]; // resolved, first seen first
    private Set<Integer>[] ports = newPorts(2);
    private int hostCount;
    private Map<String, Integer> byWritten; // once there are more than SCANNED hosts
    private Map<String, Integer> byHost;

    TargetCollector(String namespace, MeshSnapshot snapshot) {
      this.namespace = namespace;
      this.snapshot = snapshot;
    }

    @SuppressWarnings("unchecked")
    private static Set<Integer>[] newPorts(int n) {
      return (Set<Integer>[]) new Set<?>[n];
    }

    void add(Destination d) {
      String host = d.host();
      int i;
      if (byWritten != null) {
        i = byWritten.getOrDefault(host, -1);
      } else {
        int j = scan(written, writtenCount, host);
        i = j < 0 ? -1 : writtenAt[j];
      }
      if (i < 0) {
        String resolved = snapshot.resolveShortName(host, namespace);
        i = byHost != null ? byHost.getOrDefault(resolved, -1) : scan(hosts, hostCount, resolved);
        if (i < 0) {
          i = addHost(resolved, d.port());
        }
        addWritten(host, i);
      }
      Set<Integer> p = ports[i];
      if (!p.contains(d.port())) {
        Set<Integer> more = new HashSet<>(p);
        more.add(d.port());
        ports[i] = more;
      }
    }

    private static int scan(String[] keys, int count, String key) {
      for (int i = 0; i < count; i++) {
        if (keys[i].equals(key)) {
          return i;
        }
      }
      return -1;
    }

    private int addHost(String resolved, int port) {
      if (hostCount == hosts.length) {
        hosts = Arrays.copyOf(hosts, hostCount * 2);
        ports = Arrays.copyOf(ports, hostCount * 2);
      }
      hosts[hostCount] = resolved;
      ports[hostCount] = Set.of(port);
      if (byHost != null) {
        byHost.put(resolved, hostCount);
      }
      return hostCount++;
    }

    private void addWritten(String host, int at) {
      if (writtenCount == written.length) {
        written = Arrays.copyOf(written, writtenCount * 2);
        writtenAt = Arrays.copyOf(writtenAt, writtenCount * 2);
      }
      written[writtenCount] = host;
      writtenAt[writtenCount] = at;
      writtenCount++;
      if (byWritten != null) {
        byWritten.put(host, at);
      } else if (writtenCount > SCANNED) {
        byHost = new HashMap<>();
        for (int j = 0; j < hostCount; j++) {
          byHost.put(hosts[j], j);
        }
        byWritten = new HashMap<>();
        for (int j = 0; j < writtenCount; j++) {
          byWritten.put(written[j], writtenAt[j]);
        }
      }
    }

    List<Target> targets() {
      Target[] out = new Target[hostCount];
      for (int i = 0; i < out.length; i++) {
        String host = hosts[i];
        out[i] = new Target(host, snapshot.service(host).orElse(null), Set.copyOf(ports[i]));
      }
      return List.of(out);
    }
  }

  /** A destination host of a VirtualService, its service in the snapshot (null: none), ports. */
  private record Target(String host, Service service, Set<Integer> ports) {}

  /**
   * What the VirtualServices of one snapshot resolve to wherever the proxy is: their hosts, and
   * the targets of {@link #destinations} for those whose HTTP matches name no source namespace
   * (the others depend on the proxy's namespace and are resolved per scope). Kept with the
   * snapshot ({@link MeshSnapshot#derived}), so the scopes of all namespaces share it.
   */
  private static final class Resolutions {
    static final Object KEY = new Object();

    private record Resolved(List<String> hosts, List<Target> targets) {}

    private final IdentityHashMap<VirtualService, Resolved> byVirtualService;

    private Resolutions(IdentityHashMap<VirtualService, Resolved> byVirtualService) {
      this.byVirtualService = byVirtualService;
    }

    static Resolutions of(MeshSnapshot snapshot) {
      IdentityHashMap<VirtualService, Resolved> out = new IdentityHashMap<>();
      for (VirtualService vs : snapshot.virtualServices()) {
        out.put(
            vs,
            new Resolved(
                resolveHosts(vs, snapshot),
                namesSourceNamespace(vs) ? null : resolveTargets(vs, "", snapshot)));
      }
      return new Resolutions(out);
    }

    List<String> hosts(VirtualService vs, MeshSnapshot snapshot) {
      Resolved r = byVirtualService.get(vs);
      return r != null ? r.hosts() : resolveHosts(vs, snapshot);
    }

    List<Target> targets(VirtualService vs, String configNamespace, MeshSnapshot snapshot) {
      Resolved r = byVirtualService.get(vs);
      return r != null && r.targets() != null
          ? r.targets()
          : resolveTargets(vs, configNamespace, snapshot);
    }

    private static List<String> resolveHosts(VirtualService vs, MeshSnapshot snapshot) {
      List<String> hosts = vs.hosts(); // immutable
      String[] out = null;
      for (int i = 0; i < hosts.size(); i++) {
        String h = hosts.get(i);
        String resolved = snapshot.resolveShortName(h, vs.meta().namespace());
        if (resolved != h && out == null) {
          out = hosts.toArray(new String[0]);
        }
        if (out != null) {
          out[i] = resolved;
        }
      }
      return out == null ? hosts : List.of(out);
    }

    /** {@link #destinations} as targets, collected without a map per VirtualService. */
    private static List<Target> resolveTargets(
        VirtualService vs, String configNamespace, MeshSnapshot snapshot) {
      // indexed loops: this runs once per VirtualService and snapshot, mostly not compiled
      TargetCollector out = new TargetCollector(vs.meta().namespace(), snapshot);
      List<HttpRoute> http = vs.http();
      for (int i = 0; i < http.size(); i++) {
        HttpRoute h = http.get(i);
        if (!matchesSourceNamespace(h, configNamespace)) {
          continue;
        }
        addAll(out, h.route());
        if (h.mirror().isPresent()) {
          out.add(h.mirror().get());
        }
        List<HttpMirror> mirrors = h.mirrors();
        for (int j = 0; j < mirrors.size(); j++) {
          out.add(mirrors.get(j).destination());
        }
      }
      List<TcpRoute> tcp = vs.tcp();
      for (int i = 0; i < tcp.size(); i++) {
        addAll(out, tcp.get(i).route());
      }
      List<TlsRoute> tls = vs.tls();
      for (int i = 0; i < tls.size(); i++) {
        addAll(out, tls.get(i).route());
      }
      return out.targets();
    }

    private static void addAll(TargetCollector out, List<RouteDestination> route) {
      for (int i = 0; i < route.size(); i++) {
        out.add(route.get(i).destination());
      }
    }

    private static boolean namesSourceNamespace(VirtualService vs) {
      List<HttpRoute> http = vs.http();
      for (int i = 0; i < http.size(); i++) {
        List<HttpMatch> matches = http.get(i).match();
        for (int j = 0; j < matches.size(); j++) {
          if (!matches.get(j).sourceNamespace().isEmpty()) {
            return true;
          }
        }
      }
      return false;
    }
  }


  /** Two maps sorted by natural key order with equal entries, compared in lockstep. */
  private static <V> boolean sameEntries(SortedMap<String, V> a, SortedMap<String, V> b) {
    if (a.size() != b.size()) {
      return false;
    }
    Iterator<Map.Entry<String, V>> ib = b.entrySet().iterator();
    for (Map.Entry<String, V> x : a.entrySet()) {
      Map.Entry<String, V> y = ib.next();
      if (!x.getKey().equals(y.getKey()) || !x.getValue().equals(y.getValue())) {
        return false;
      }
    }
    return true;
  }

  // ---- accessors -------------------------------------------------------------------------------

  /** The snapshot the scope was computed from (not narrowed). */
  public MeshSnapshot snapshot() {
    return snapshot;
  }

  /** The proxy's config namespace (the scope applies there even for a root-namespace Sidecar). */
  public String namespace() {
    return namespace;
  }

  /** The Sidecar that applies; empty for the default scope. */
  public Optional<Sidecar> sidecar() {
    return sidecar;
  }

  /** The Sidecar's ingress listeners; empty when there is none (inbound follows services then). */
  public List<SidecarIngressListener> ingressListeners() {
    return sidecar.map(Sidecar::ingress).orElse(List.of());
  }

  /** Egress listeners in order; the catch-all, if any, is last. */
  public List<EgressListener> egressListeners() {
    return egressListeners;
  }

  /**
   * istiod's GetEgressListenerForRDS: the listener for a route's port, else the catch-all. Empty
   * when no listener serves the port.
   */
  public Optional<EgressListener> egressListenerForPort(int port) {
    for (EgressListener e : egressListeners) {
      if (e.catchAll()) {
        return Optional.of(e);
      }
      if (e.config().port().get().number() == port) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** Every imported service by hostname (the union over egress listeners): what CDS covers. */
  public SortedMap<String, Service> services() {
    return services;
  }

  /** The DestinationRule chosen for each imported service hostname. */
  public Map<String, DestinationRule> destinationRules() {
    return destinationRules;
  }

  public OutboundTrafficPolicy outboundTrafficPolicy() {
    return outboundTrafficPolicy;
  }

  /** The mesh root namespace the scope was computed with. */
  public String rootNamespace() {
    return rootNamespace;
  }

  /** The snapshot narrowed to everything imported: the input of CDS and EDS. */
  public MeshSnapshot view() {
    return view;
  }

  /**
   * An identity token: two scopes with the same instance here were computed once and share every
   * field but {@link #namespace()} (the same instances), so whatever reads only those fields gets
   * the same answer from both.
   */
  public Object content() {
    return content;
  }
}
