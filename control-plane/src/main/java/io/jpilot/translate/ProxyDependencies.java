package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.Gateway;
import io.jpilot.model.config.Sidecar;
import io.jpilot.model.config.VirtualService;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Which of a proxy's resources a config change can change (istiod's ConfigAffectsProxy and its
 * per-type needsPush), so a full push can leave out the proxies it cannot affect and regenerate
 * only the types it can.
 *
 * <p>A sidecar's resources are a function of its {@link SidecarScope}: the services,
 * VirtualServices and DestinationRules it imports, the Sidecar that applies, and the snapshot
 * narrowed to them; apart from the scope, the translator reads endpoints and nothing else of the
 * snapshot. So when only VirtualServices, DestinationRules, Sidecars and Gateways changed, a
 * sidecar whose scope is equal (by value) before and after cannot be served anything new.
 * Gateways and proxyless gRPC clients, and any change of another kind (services, endpoints,
 * ServiceEntries, namespaces, ...), count as affected.
 */
public final class ProxyDependencies {
  private static final Set<String> SCOPED_KINDS =
      Set.of(VirtualService.KIND, DestinationRule.KIND, Sidecar.KIND, Gateway.KIND);

  private static final Set<XdsType> ALL = Collections.unmodifiableSet(EnumSet.allOf(XdsType.class));
  private static final Set<XdsType> NONE = Collections.unmodifiableSet(EnumSet.noneOf(XdsType.class));
  private static final Set<XdsType> ROUTES =
      Collections.unmodifiableSet(EnumSet.of(XdsType.ROUTE));
  private static final Set<XdsType> LISTENERS_AND_ROUTES =
      Collections.unmodifiableSet(EnumSet.of(XdsType.LISTENER, XdsType.ROUTE));

  private final BiFunction<MeshSnapshot, ProxyView, SidecarScope> scopes;

  /** Computes every scope it needs. */
  public ProxyDependencies(MeshConfig mesh) {
    requireNonNull(mesh, "mesh");
    this.scopes = (snapshot, proxy) -> SidecarScope.of(snapshot, proxy, mesh);
  }

  /**
   * Shares the translator's scopes: those after a change are the ones the push then generates
   * from, and those before it were remembered by the previous push.
   */
  public ProxyDependencies(Translator translator) {
    requireNonNull(translator, "translator");
    this.scopes = translator::scope;
  }

  /** True when {@code changed} are all kinds whose effect on a sidecar its scope tells. */
  public static boolean scopedChange(Set<ConfigKey> changed) {
    if (changed.isEmpty()) {
      return false;
    }
    for (ConfigKey key : changed) {
      if (!SCOPED_KINDS.contains(key.kind())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The types whose resources for {@code proxy} the change from {@code before} to {@code after},
   * which touched exactly {@code changed}, can change; empty only when that is certain.
   *
   * <p>Sidecar clusters and endpoints read no VirtualService: they follow the scope's services,
   * DestinationRules and Sidecar. So when only the VirtualServices a sidecar imports differ,
   * listeners and routes alone are regenerated (istiod skips CDS/EDS likewise); routes alone when
   * the VirtualServices differ only in what listeners do not read (HTTP routes, VirtualServices
   * without {@code tcp[]} or {@code tls[]} routes; see {@link #sameListenerInputs}).
   */
  public Set<XdsType> affects(
      MeshSnapshot before, MeshSnapshot after, ProxyView proxy, Set<ConfigKey> changed) {
    requireNonNull(before, "before");
    requireNonNull(after, "after");
    requireNonNull(proxy, "proxy");
    if (!scopedChange(changed)
        || proxy.type() != ProxyView.Type.SIDECAR
        || proxy.isProxylessGrpc()) {
      return ALL;
    }
    return compare(scopes.apply(before, proxy), scopes.apply(after, proxy));
  }

  /** The types a sidecar's scope changing from {@code a} to {@code b} can change. */
  private static Set<XdsType> compare(SidecarScope a, SidecarScope b) {
    if (!sameServicesAndRules(a, b)) {
      return ALL;
    }
    if (!sameListenerInputs(a, b)) {
      return LISTENERS_AND_ROUTES;
    }
    return sameRouteInputs(a, b) ? NONE : ROUTES;
  }

  /**
   * {@link #affects} for many proxies of one change: decided once per distinct (namespace, labels),
   * the only proxy fields a sidecar scope reads, and compared once per distinct pair of {@link
   * SidecarScope#content} (namespaces sharing their scopes before and after share the answer, as
   * the comparison reads nothing but the shared fields). Safe to call from several threads.
   */
  public Function<ProxyView, Set<XdsType>> affected(
      MeshSnapshot before, MeshSnapshot after, Set<ConfigKey> changed) {
    requireNonNull(before, "before");
    requireNonNull(after, "after");
    if (!scopedChange(changed)) {
      return proxy -> ALL;
    }
    Map<List<Object>, Set<XdsType>> decided = new ConcurrentHashMap<>();
    Map<List<Object>, Set<XdsType>> byContent = new ConcurrentHashMap<>();
    return proxy -> {
      if (proxy.type() != ProxyView.Type.SIDECAR || proxy.isProxylessGrpc()) {
        return ALL;
      }
      List<Object> key = List.of(proxy.namespace(), proxy.labels());
      Set<XdsType> types = decided.get(key);
      if (types == null) {
        SidecarScope a = scopes.apply(before, proxy);
        SidecarScope b = scopes.apply(after, proxy);
        // scopes sharing their content (by identity) compare alike: decided once per pair
        List<Object> shared = List.of(a.content(), b.content());
        types = byContent.get(shared);
        if (types == null) {
          types = compare(a, b);
          byContent.putIfAbsent(shared, types);
        }
        decided.putIfAbsent(key, types);
      }
      return types;
    };
  }

  /** What sidecar clusters and endpoints read of a scope, compared by value. */
  static boolean sameServicesAndRules(SidecarScope a, SidecarScope b) {
    return a.sidecar().equals(b.sidecar())
        && a.outboundTrafficPolicy().equals(b.outboundTrafficPolicy())
        && sameEntries(a.services(), b.services())
        && sameEntries(a.destinationRules(), b.destinationRules())
        && a.ingressListeners().equals(b.ingressListeners())
        && sameEntries(a.view().services(), b.view().services());
  }

  /**
   * What sidecar listeners read of a scope besides {@link #sameServicesAndRules}, compared by
   * value: per egress listener its config, services, the services of its view, and of its
   * VirtualServices those with {@code tcp[]} or {@code tls[]} routes, in order, as {@link
   * #sameL4Routes} compares them. HTTP routes only reach listeners through the services they
   * import, which {@link #sameServicesAndRules} compares.
   */
  static boolean sameListenerInputs(SidecarScope a, SidecarScope b) {
    List<SidecarScope.EgressListener> la = a.egressListeners();
    List<SidecarScope.EgressListener> lb = b.egressListeners();
    if (la.size() != lb.size()
        || !a.view().domainSuffix().equals(b.view().domainSuffix())) {
      return false;
    }
    for (int i = 0; i < la.size(); i++) {
      SidecarScope.EgressListener x = la.get(i);
      SidecarScope.EgressListener y = lb.get(i);
      // a listener sharing its scope's view: services compared by sameServicesAndRules
      boolean scopeViews = x.view() == a.view() && y.view() == b.view();
      if (!x.config().equals(y.config())
          || !x.services().equals(y.services())
          || (!scopeViews && !sameEntries(x.view().services(), y.view().services()))
          || !sameL4Routes(x.virtualServices(), y.virtualServices())) {
        return false;
      }
    }
    return true;
  }

  /**
   * What sidecar routes read of a scope besides {@link #sameServicesAndRules} and {@link
   * #sameListenerInputs}: the VirtualServices of the scope and of each egress listener, in order.
   */
  static boolean sameRouteInputs(SidecarScope a, SidecarScope b) {
    if (!a.view().virtualServices().equals(b.view().virtualServices())) {
      return false;
    }
    List<SidecarScope.EgressListener> la = a.egressListeners();
    List<SidecarScope.EgressListener> lb = b.egressListeners();
    if (la.size() != lb.size()) {
      return false;
    }
    for (int i = 0; i < la.size(); i++) {
      SidecarScope.EgressListener x = la.get(i);
      SidecarScope.EgressListener y = lb.get(i);
      boolean scopeViews = x.view() == a.view() && y.view() == b.view();
      if (!x.virtualServices().equals(y.virtualServices())
          || (!scopeViews
              && !x.view().virtualServices().equals(y.view().virtualServices()))) {
        return false;
      }
    }
    return true;
  }

  /** Everything of a scope that sidecar translation reads, compared by value. */
  static boolean sameInputs(SidecarScope a, SidecarScope b) {
    return sameServicesAndRules(a, b) && sameListenerInputs(a, b) && sameRouteInputs(a, b);
  }

  /**
   * The VirtualServices sidecar listeners read, in order: those with {@code tcp[]} or {@code tls[]}
   * routes (outbound TCP, TLS and auto-detected ports get chains from them), compared by key (the
   * chains' metadata and stat prefix), hosts (which services they apply to), {@code tcp[]} and
   * {@code tls[]}. The others yield no chain, whatever their HTTP routes.
   */
  static boolean sameL4Routes(List<VirtualService> a, List<VirtualService> b) {
    if (a == b) {
      return true;
    }
    int i = 0;
    int j = 0;
    while (true) {
      while (i < a.size() && !hasL4Routes(a.get(i))) {
        i++;
      }
      while (j < b.size() && !hasL4Routes(b.get(j))) {
        j++;
      }
      if (i == a.size() || j == b.size()) {
        return i == a.size() && j == b.size();
      }
      VirtualService x = a.get(i++);
      VirtualService y = b.get(j++);
      if (x != y
          && !(x.meta().key().equals(y.meta().key())
              && x.hosts().equals(y.hosts())
              && x.tcp().equals(y.tcp())
              && x.tls().equals(y.tls()))) {
        return false;
      }
    }
  }

  private static boolean hasL4Routes(VirtualService vs) {
    return !vs.tcp().isEmpty() || !vs.tls().isEmpty();
  }

  /**
   * {@code a.equals(b)} for maps, cheaper for two sorted by their keys' natural order: walked in
   * lockstep, entries the same instance or equal, instead of one lookup per entry.
   */
  static <K, V> boolean sameEntries(Map<K, V> a, Map<K, V> b) {
    if (a == b) {
      return true;
    }
    if (a.size() != b.size()) {
      return false;
    }
    if (!(a instanceof SortedMap<K, V> sa)
        || !(b instanceof SortedMap<K, V> sb)
        || sa.comparator() != null
        || sb.comparator() != null) {
      return a.equals(b);
    }
    Iterator<Map.Entry<K, V>> ia = sa.entrySet().iterator();
    Iterator<Map.Entry<K, V>> ib = sb.entrySet().iterator();
    while (ia.hasNext()) {
      if (!ib.hasNext()) {
        return false;
      }
      Map.Entry<K, V> x = ia.next();
      Map.Entry<K, V> y = ib.next();
      K kx = x.getKey();
      K ky = y.getKey();
      V vx = x.getValue();
      V vy = y.getValue();
      if ((kx != ky && !kx.equals(ky)) || (vx != vy && !Objects.equals(vx, vy))) {
        return false;
      }
    }
    return !ib.hasNext();
  }
}
