package io.jpilot.model;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.Gateway;
import io.jpilot.model.config.ServiceEntry;
import io.jpilot.model.config.Sidecar;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.config.WorkloadEntry;
import io.jpilot.model.registry.Endpoint;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Namespace;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.registry.Resolution;
import io.jpilot.model.registry.Service;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * An immutable view of the whole mesh at one version: services, their endpoints and the Istio
 * config, with the indexes translation needs. Built once per push from the {@link ConfigStore}
 * contents; never mutated. Everything is sorted, so translation over it is deterministic.
 */
public final class MeshSnapshot {
  public static final String DEFAULT_DOMAIN_SUFFIX = "cluster.local";

  private static final Comparator<VirtualService> VS_ORDER =
      Comparator.comparing((VirtualService vs) -> vs.meta().creationTimestamp())
          .thenComparing(vs -> vs.meta().key());

  /** istiod's sortConfigByCreationTime: oldest first, then by name, then by namespace. */
  private static final Comparator<Gateway> GATEWAY_ORDER =
      Comparator.comparing((Gateway gw) -> gw.meta().creationTimestamp())
          .thenComparing(gw -> gw.meta().name())
          .thenComparing(gw -> gw.meta().namespace());

  private static final Comparator<Endpoint> ENDPOINT_ORDER =
      Comparator.comparing(Endpoint::servicePortName)
          .thenComparing(Endpoint::address)
          .thenComparingInt(Endpoint::port);

  private final long version;
  private final String domainSuffix;
  private final SortedMap<String, Service> services;

  /** What {@link #service} resolves: {@link #services} itself, or a wider set in a scoped view. */
  private final Map<String, Service> reachable;

  private final Map<String, List<Endpoint>> endpoints;
  private final List<VirtualService> virtualServices;
  private final DestinationRuleIndex destinationRules;

  /** In a scoped view, the rule chosen for each service hostname; null in a full snapshot. */
  private final Map<String, DestinationRule> scopedRules;

  private final SortedMap<String, Namespace> namespaces;
  private final int configCount;
  private final List<Sidecar> sidecars;
  private final List<Gateway> gateways;

  /** The host each EndpointSlice was joined to (for endpoint-only updates); shared by views. */
  private final Map<ConfigKey, String> sliceHosts;

  /**
   * Whether any WorkloadEntry was joined (they add endpoints to Kubernetes services), or any
   * ServiceEntry selects workloads (its endpoints then follow pods).
   */
  private final boolean hasWorkloadEntries;

  /** The full snapshot a scoped view narrows; null in a full snapshot (it is its own). */
  private final MeshSnapshot base;

  /** Every endpoint address, computed on first use (a pure function of {@link #endpoints}). */
  private volatile Set<String> workloadAddresses;

  private MeshSnapshot(
      long version,
      String domainSuffix,
      SortedMap<String, Service> services,
      Map<String, List<Endpoint>> endpoints,
      List<VirtualService> virtualServices,
      DestinationRuleIndex destinationRules,
      SortedMap<String, Namespace> namespaces,
      int configCount,
      List<Sidecar> sidecars,
      List<Gateway> gateways,
      Map<ConfigKey, String> sliceHosts,
      boolean hasWorkloadEntries) {
    this.version = version;
    this.domainSuffix = domainSuffix;
    this.services = services;
    this.reachable = services;
    this.endpoints = endpoints;
    this.virtualServices = virtualServices;
    this.destinationRules = destinationRules;
    this.scopedRules = null;
    this.namespaces = namespaces;
    this.configCount = configCount;
    this.sidecars = sidecars;
    this.gateways = gateways;
    this.sliceHosts = sliceHosts;
    this.hasWorkloadEntries = hasWorkloadEntries;
    this.base = null;
  }

  /**
   * A view of {@code base} narrowed to what one proxy imports (its Sidecar scope): only the given
   * services, VirtualServices and, per service hostname, the one DestinationRule that applies.
   * Endpoints, namespaces and everything else are shared with {@code base}.
   */
  private MeshSnapshot(
      MeshSnapshot base,
      SortedMap<String, Service> services,
      Map<String, Service> reachable,
      List<VirtualService> virtualServices,
      Map<String, DestinationRule> destinationRuleByHost) {
    this.version = base.version;
    this.domainSuffix = base.domainSuffix;
    this.services = Collections.unmodifiableSortedMap(services);
    // lookups only (never iterated): hashed
    Map<String, Service> lookup = new HashMap<>(reachable);
    if (reachable != services) {
      lookup.putAll(services);
    }
    this.reachable = Collections.unmodifiableMap(lookup);
    this.endpoints = base.endpoints;
    this.virtualServices = List.copyOf(virtualServices);
    this.destinationRules = base.destinationRules;
    this.scopedRules = Collections.unmodifiableMap(new HashMap<>(destinationRuleByHost));
    this.namespaces = base.namespaces;
    this.configCount = base.configCount;
    this.sidecars = base.sidecars;
    this.gateways = base.gateways;
    this.sliceHosts = base.sliceHosts;
    this.hasWorkloadEntries = base.hasWorkloadEntries;
    this.base = base.unscoped();
  }

  /**
   * This snapshot as one proxy sees it: {@link #services} lists only {@code services} (by hostname,
   * possibly narrowed to some ports), {@link #service} also resolves {@code reachable} ones (a
   * Sidecar egress listener exposes some services but routes may name any imported one), {@link
   * #virtualServices} lists {@code virtualServices} (in precedence order), and for each service
   * hostname {@link #destinationRule} answers with the rule chosen for the proxy, whatever
   * namespace is asked. Used to apply Sidecar scoping without changing the translators.
   */
  public MeshSnapshot scoped(
      SortedMap<String, Service> services,
      Map<String, Service> reachable,
      List<VirtualService> virtualServices,
      Map<String, DestinationRule> destinationRuleByHost) {
    requireNonNull(services, "services");
    requireNonNull(reachable, "reachable");
    requireNonNull(virtualServices, "virtualServices");
    requireNonNull(destinationRuleByHost, "destinationRuleByHost");
    return new MeshSnapshot(
        this, new TreeMap<>(services), reachable, virtualServices, destinationRuleByHost);
  }

  /**
   * {@link #scoped} for a caller that hands over {@code services}, sorted by natural key order and
   * never changed afterwards: the view keeps it as it is instead of a copy.
   */
  MeshSnapshot scopedView(
      SortedMap<String, Service> services,
      Map<String, Service> reachable,
      List<VirtualService> virtualServices,
      Map<String, DestinationRule> destinationRuleByHost) {
    return new MeshSnapshot(this, services, reachable, virtualServices, destinationRuleByHost);
  }

  public static MeshSnapshot empty() {
    return build(0, DEFAULT_DOMAIN_SUFFIX, List.of());
  }

  /**
   * Joins the raw objects: each EndpointSlice's addresses become endpoints of the service it names,
   * labelled with their Pod's labels (found by targetRef, else by IP).
   */
  public static MeshSnapshot build(
      long version, String domainSuffix, Collection<? extends MeshObject> objects) {
    requireNonNull(domainSuffix, "domainSuffix");
    // In steps of their own: each is compiled on its own (one method per push would otherwise be
    // compiled whole, loops and all, after a few pushes).
    Sorted in = new Sorted();
    for (MeshObject o : objects) {
      in.add(o);
    }
    Map<String, LinkedHashSet<Endpoint>> eps = new TreeMap<>();
    Map<ConfigKey, String> sliceHosts = joinSlices(in, domainSuffix, eps);
    ServiceEntryRegistry.addTo(
        in.services, eps, in.serviceEntries, in.workloadEntries, in.podsByName.values());
    Map<String, List<Endpoint>> endpoints = sortEndpoints(eps);
    in.vss.sort(VS_ORDER);
    in.sidecars.sort(
        Comparator.comparing((Sidecar sc) -> sc.meta().creationTimestamp())
            .thenComparing(sc -> sc.meta().key()));
    in.gateways.sort(GATEWAY_ORDER);
    return new MeshSnapshot(
        version,
        domainSuffix,
        Collections.unmodifiableSortedMap(in.services),
        Collections.unmodifiableMap(endpoints),
        VirtualServiceMerger.merge(in.vss, domainSuffix),
        new DestinationRuleIndex(in.drs, domainSuffix),
        Collections.unmodifiableSortedMap(in.namespaces),
        in.configs,
        List.copyOf(in.sidecars),
        List.copyOf(in.gateways),
        Collections.unmodifiableMap(sliceHosts),
        !in.workloadEntries.isEmpty()
            || in.serviceEntries.stream().anyMatch(se -> se.workloadSelector().isPresent()));
  }

  /** The raw objects of one build, sorted by kind. */
  private static final class Sorted {
    final SortedMap<String, Service> services = new TreeMap<>();
    final List<EndpointSlice> slices = new ArrayList<>();
    final Map<String, Pod> podsByName = new HashMap<>();
    final Map<String, Pod> podsByIp = new HashMap<>();
    final List<VirtualService> vss = new ArrayList<>();
    final List<DestinationRule> drs = new ArrayList<>();
    final List<ServiceEntry> serviceEntries = new ArrayList<>();
    final List<WorkloadEntry> workloadEntries = new ArrayList<>();
    final SortedMap<String, Namespace> namespaces = new TreeMap<>();
    final List<Sidecar> sidecars = new ArrayList<>();
    final List<Gateway> gateways = new ArrayList<>();
    int configs;

    void add(MeshObject o) {
      if (o instanceof Service s) {
        services.put(s.hostname(), s);
      } else if (o instanceof EndpointSlice es) {
        slices.add(es);
      } else if (o instanceof Pod p) {
        addPod(p);
      } else if (o instanceof Namespace ns) {
        namespaces.put(ns.name(), ns);
      } else {
        addConfig(o);
      }
    }

    private void addPod(Pod p) {
      podsByName.put(p.namespace() + "/" + p.name(), p);
      for (String ip : p.ips()) {
        podsByIp.put(p.namespace() + "/" + ip, p);
      }
    }

    private void addConfig(MeshObject o) {
      if (o instanceof VirtualService vs) {
        vss.add(vs);
      } else if (o instanceof DestinationRule dr) {
        drs.add(dr);
      } else if (o instanceof ServiceEntry se) {
        serviceEntries.add(se);
      } else if (o instanceof WorkloadEntry we) {
        workloadEntries.add(we);
      } else if (o instanceof Sidecar sc) {
        sidecars.add(sc);
      } else if (o instanceof Gateway gw) {
        gateways.add(gw);
      } else {
        return;
      }
      configs++;
    }
  }

  /** Joins every slice (in key order) to its service's endpoints; returns each slice's host. */
  private static Map<ConfigKey, String> joinSlices(
      Sorted in, String domainSuffix, Map<String, LinkedHashSet<Endpoint>> eps) {
    in.slices.sort(Comparator.comparing(EndpointSlice::key));
    Map<ConfigKey, String> sliceHosts = new HashMap<>();
    for (EndpointSlice slice : in.slices) {
      String host = sliceHost(slice, domainSuffix);
      sliceHosts.put(slice.key(), host);
      join(
          slice,
          host,
          in.podsByName,
          in.podsByIp,
          eps.computeIfAbsent(host, h -> new LinkedHashSet<>()));
    }
    return sliceHosts;
  }

  private static Map<String, List<Endpoint>> sortEndpoints(
      Map<String, LinkedHashSet<Endpoint>> eps) {
    Map<String, List<Endpoint>> endpoints = new TreeMap<>();
    for (Map.Entry<String, LinkedHashSet<Endpoint>> e : eps.entrySet()) {
      List<Endpoint> list = new ArrayList<>(e.getValue());
      list.sort(ENDPOINT_ORDER);
      endpoints.put(e.getKey(), List.copyOf(list));
    }
    return endpoints;
  }

  private static String sliceHost(EndpointSlice slice, String domainSuffix) {
    return slice.serviceName() + "." + slice.namespace() + ".svc." + domainSuffix;
  }

  /**
   * Adds the endpoints of one slice: each address on each slice port, labelled with its Pod's
   * labels (found by targetRef, else by IP).
   */
  private static void join(
      EndpointSlice slice,
      String host,
      Map<String, Pod> podsByName,
      Map<String, Pod> podsByIp,
      LinkedHashSet<Endpoint> set) {
    for (EndpointSlice.Entry e : slice.endpoints()) {
      Pod pod = e.podName().isEmpty() ? null : podsByName.get(slice.namespace() + "/" + e.podName());
      for (String address : e.addresses()) {
        Pod p = pod != null ? pod : podsByIp.get(slice.namespace() + "/" + address);
        Map<String, String> labels = p == null ? Map.of() : p.labels();
        Locality locality = p == null ? Locality.NONE : p.locality();
        if (locality.isEmpty() && !e.zone().isEmpty()) {
          locality = new Locality("", e.zone(), "");
        }
        String workload = p == null ? e.podName() : p.name();
        String identity =
            p == null ? "" : ServiceEntryRegistry.spiffe(p.namespace(), p.serviceAccount());
        for (EndpointSlice.Port port : slice.ports()) {
          set.add(
              new Endpoint(
                  host, port.name(), address, port.port(), labels, locality, e.ready(), workload,
                  slice.namespace(), identity, 0,
                  labels.getOrDefault(Endpoint.TLS_MODE_LABEL, Endpoint.TLS_MODE_DISABLED)));
        }
      }
    }
  }

  /** A snapshot built by {@link #withEndpointSlices}, and the hosts whose endpoints it rebuilt. */
  public record EndpointUpdate(MeshSnapshot snapshot, Set<String> hosts) {
    public EndpointUpdate {
      requireNonNull(snapshot, "snapshot");
      hosts = Set.copyOf(hosts);
    }
  }

  /**
   * The snapshot {@link #build} would return for {@code objects} at {@code version}, when the only
   * objects that changed since this snapshot are the EndpointSlices and Pods {@code changed}:
   * everything is shared with this snapshot except the endpoints of the hosts those slices serve
   * (before and after the change), of the hosts whose slices name a changed Pod, and, when Pods
   * changed, of the hosts in their namespaces with a slice endpoint joined by address (it names no
   * Pod, or one that is gone, as while a rollout deletes Pods before their slice follows): those
   * are joined again from {@code objects}.
   *
   * <p>Empty when that shortcut does not give the same result as a full build, so the caller must
   * build: a changed key that is neither an EndpointSlice nor a Pod, a WorkloadEntry or a
   * workload-selecting ServiceEntry anywhere (their endpoints follow labels), or a host whose
   * endpoints shape more than EDS (a headless service's listeners, a ServiceEntry's or
   * DNS-resolved cluster).
   */
  public Optional<EndpointUpdate> withEndpointSlices(
      long version, Set<ConfigKey> changed, Collection<? extends MeshObject> objects) {
    requireNonNull(changed, "changed");
    requireNonNull(objects, "objects");
    if (scopedRules != null || hasWorkloadEntries || changed.isEmpty()) {
      return Optional.empty();
    }
    Set<String> hosts = new HashSet<>();
    Set<String> changedPods = new HashSet<>(); // namespace/name
    Set<String> podNamespaces = new HashSet<>();
    for (ConfigKey key : changed) {
      if (key.kind().equals(Pod.KIND)) {
        changedPods.add(key.namespace() + "/" + key.name());
        podNamespaces.add(key.namespace());
        continue;
      }
      if (!key.kind().equals(EndpointSlice.KIND)) {
        return Optional.empty();
      }
      String before = sliceHosts.get(key);
      if (before != null) {
        hosts.add(before);
      }
    }
    Map<String, Pod> podsByName = new HashMap<>();
    Map<String, Pod> podsByIp = new HashMap<>();
    List<EndpointSlice> slices = new ArrayList<>();
    Map<ConfigKey, String> newSliceHosts = new HashMap<>(sliceHosts);
    changed.forEach(newSliceHosts::remove);
    for (MeshObject o : objects) {
      if (o instanceof EndpointSlice es) {
        slices.add(es);
        if (changed.contains(es.key())) {
          String host = sliceHost(es, domainSuffix);
          hosts.add(host);
          newSliceHosts.put(es.key(), host);
        }
      } else if (o instanceof Pod p) {
        podsByName.put(p.namespace() + "/" + p.name(), p);
        for (String ip : p.ips()) {
          podsByIp.put(p.namespace() + "/" + ip, p);
        }
      }
    }
    if (!changedPods.isEmpty()) {
      for (EndpointSlice es : slices) {
        if (!podNamespaces.contains(es.namespace())) {
          continue;
        }
        for (EndpointSlice.Entry e : es.endpoints()) {
          String named = es.namespace() + "/" + e.podName();
          // Joined by address (no Pod named, or the named Pod is gone): any Pod of the namespace
          // may be the one at that address, before or after the change, so rebuild the host.
          if (e.podName().isEmpty()
              || !podsByName.containsKey(named)
              || changedPods.contains(named)) {
            hosts.add(sliceHost(es, domainSuffix));
            break;
          }
        }
      }
    }
    for (String host : hosts) {
      Service svc = services.get(host);
      if (svc != null
          && (svc.registry() != Service.Registry.KUBERNETES
              || svc.resolution() != Resolution.CLIENT_SIDE_LB
              || svc.clusterIp().isEmpty()
              || svc.clusterIp().equalsIgnoreCase("None"))) {
        return Optional.empty();
      }
    }
    slices.sort(Comparator.comparing(EndpointSlice::key));
    Map<String, LinkedHashSet<Endpoint>> eps = new TreeMap<>();
    for (EndpointSlice slice : slices) {
      String host = sliceHost(slice, domainSuffix);
      if (hosts.contains(host)) {
        join(slice, host, podsByName, podsByIp, eps.computeIfAbsent(host, h -> new LinkedHashSet<>()));
      }
    }
    Map<String, List<Endpoint>> endpoints = new TreeMap<>(this.endpoints);
    for (String host : hosts) {
      LinkedHashSet<Endpoint> set = eps.get(host);
      if (set == null) {
        endpoints.remove(host);
      } else {
        List<Endpoint> list = new ArrayList<>(set);
        list.sort(ENDPOINT_ORDER);
        endpoints.put(host, List.copyOf(list));
      }
    }
    MeshSnapshot next =
        new MeshSnapshot(
            version,
            domainSuffix,
            services,
            Collections.unmodifiableMap(endpoints),
            virtualServices,
            destinationRules,
            namespaces,
            configCount,
            sidecars,
            gateways,
            Collections.unmodifiableMap(newSliceHosts),
            false);
    return Optional.of(new EndpointUpdate(next, hosts));
  }

  /**
   * Every address that is an endpoint of some host (Kubernetes, ServiceEntry or WorkloadEntry). A
   * proxy address outside this set cannot make a difference to what translation produces, apart
   * from its address family.
   */
  public Set<String> workloadAddresses() {
    Set<String> out = workloadAddresses;
    if (out == null) {
      Set<String> all = new HashSet<>();
      for (List<Endpoint> list : endpoints.values()) {
        for (Endpoint e : list) {
          all.add(e.address());
        }
      }
      out = Collections.unmodifiableSet(all);
      workloadAddresses = out;
    }
    return out;
  }

  /**
   * istiod's ResolveShortnameToFQDN: a host without dots (and not a wildcard) becomes {@code
   * host.<namespace>.svc.<domainSuffix>}; anything else is returned as is.
   */
  public static String resolveShortName(String host, String namespace, String domainSuffix) {
    if (host.equals("*") || host.contains(".")) {
      return host;
    }
    return host + "." + namespace + ".svc." + domainSuffix;
  }

  public String resolveShortName(String host, String namespace) {
    return resolveShortName(host, namespace, domainSuffix);
  }

  /**
   * The full snapshot this one is a scoped view of (see {@link #scoped}), or this snapshot itself
   * when it is not a view. Views of one snapshot share its {@link #derived} indexes through it.
   */
  public MeshSnapshot unscoped() {
    return base == null ? this : base;
  }

  public long version() {
    return version;
  }

  public String domainSuffix() {
    return domainSuffix;
  }

  /** Services by FQDN hostname, sorted. */
  public SortedMap<String, Service> services() {
    return services;
  }

  public Optional<Service> service(String hostname) {
    return Optional.ofNullable(reachable.get(hostname));
  }

  /** All endpoints of a service (every port, ready or not), sorted. */
  public List<Endpoint> endpoints(String hostname) {
    return endpoints.getOrDefault(hostname, List.of());
  }

  /**
   * VirtualServices, oldest first (istiod's precedence among equals), then by namespace/name. Root
   * VirtualServices carry their delegates' http routes merged in (see {@link
   * VirtualServiceMerger}); delegate VirtualServices (no hosts) are listed as they are.
   */
  public List<VirtualService> virtualServices() {
    return virtualServices;
  }

  /**
   * The DestinationRule that applies to {@code hostname} for a proxy in {@code proxyNamespace}
   * without labels, with istiod's visibility rules (see {@link #destinationRule(String,
   * ProxyView)}). Empty when none.
   */
  public Optional<DestinationRule> destinationRule(String hostname, String proxyNamespace) {
    return destinationRule(hostname, proxyNamespace, Map.of());
  }

  /**
   * The DestinationRule that applies to {@code hostname} for {@code proxy}, as istiod picks it: a
   * rule in the proxy's namespace (one whose workload selector matches the proxy's labels first),
   * else one exported to it from the service's namespace, else from the root namespace ({@code
   * istio-system}). Several rules for one host in one namespace are merged: the oldest keeps its
   * traffic policy and the others add their subsets. Empty when none.
   */
  public Optional<DestinationRule> destinationRule(String hostname, ProxyView proxy) {
    return destinationRule(hostname, proxy.namespace(), proxy.labels());
  }

  private Optional<DestinationRule> destinationRule(
      String hostname, String proxyNamespace, Map<String, String> proxyLabels) {
    if (scopedRules != null) {
      return Optional.ofNullable(scopedRules.get(hostname));
    }
    return destinationRule(
        hostname, proxyNamespace, proxyLabels, DestinationRuleIndex.ROOT_NAMESPACE);
  }

  /**
   * The DestinationRule for {@code hostname} as seen from {@code proxyNamespace} with {@code
   * proxyLabels}, the mesh root namespace being {@code rootNamespace} (see {@link
   * #destinationRule(String, ProxyView)}). Scoped views answer with their chosen rule.
   */
  public Optional<DestinationRule> destinationRule(
      String hostname,
      String proxyNamespace,
      Map<String, String> proxyLabels,
      String rootNamespace) {
    if (scopedRules != null) {
      return Optional.ofNullable(scopedRules.get(hostname));
    }
    Service svc = reachable.get(hostname);
    return destinationRules.lookup(
        hostname, svc == null ? "" : svc.namespace(), proxyNamespace, proxyLabels, rootNamespace);
  }

  /**
   * Every DestinationRule of the full snapshot, whatever the namespace, selector or export (scoped
   * views answer with their full snapshot's): for checks over all rules; use {@link
   * #destinationRule} to find the one that applies.
   */
  public List<DestinationRule> destinationRules() {
    return destinationRules.all();
  }

  /** The DestinationRules of the full snapshot, indexed (scoped views share their base's). */
  DestinationRuleIndex destinationRuleIndex() {
    return destinationRules;
  }

    public SortedMap<String, Namespace> namespaces() {
    return namespaces;
  }

  /** Sidecars, oldest first, then by namespace/name. */
  public List<Sidecar> sidecars() {
    return sidecars;
  }

  /** Gateways, oldest first (istiod's merge order), then by name and namespace. */
  public List<Gateway> gateways() {
    return gateways;
  }

  /** Number of Istio config objects (VirtualServices, DestinationRules, ...). */
  public int configCount() {
    return configCount;
  }

  /** Indexes translators derive from this snapshot alone; see {@link #derived}. */
  private final ConcurrentHashMap<Object, Object> derived = new ConcurrentHashMap<>();

  /**
   * An index over this snapshot (what istiod computes once per push context), built by {@code
   * build} on first use and kept with the snapshot. {@code build} must depend on this snapshot and
   * {@code key} alone, and the value must be immutable; two callers racing may both build it, and
   * either result is kept.
   */
  @SuppressWarnings("unchecked")
  public <T> T derived(Object key, Function<MeshSnapshot, T> build) {
    requireNonNull(key, "key");
    Object value = derived.get(key);
    if (value == null) {
      value = requireNonNull(build.apply(this), "build result");
      Object raced = derived.putIfAbsent(key, value);
      if (raced != null) {
        value = raced;
      }
    }
    return (T) value;
  }
}
