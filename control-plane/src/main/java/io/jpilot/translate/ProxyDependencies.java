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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
   * listeners and routes alone are regenerated (istiod skips CDS/EDS likewise).
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
    SidecarScope a = scopes.apply(before, proxy);
    SidecarScope b = scopes.apply(after, proxy);
    if (!sameServicesAndRules(a, b)) {
      return ALL;
    }
    return sameInputs(a, b) ? NONE : LISTENERS_AND_ROUTES;
  }

  /**
   * {@link #affects} for many proxies of one change: decided once per distinct (namespace, labels),
   * the only proxy fields a sidecar scope reads. Safe to call from several threads.
   */
  public Function<ProxyView, Set<XdsType>> affected(
      MeshSnapshot before, MeshSnapshot after, Set<ConfigKey> changed) {
    requireNonNull(before, "before");
    requireNonNull(after, "after");
    if (!scopedChange(changed)) {
      return proxy -> ALL;
    }
    Set<ConfigKey> keys = Set.copyOf(changed);
    Map<List<Object>, Set<XdsType>> decided = new ConcurrentHashMap<>();
    return proxy -> {
      if (proxy.type() != ProxyView.Type.SIDECAR || proxy.isProxylessGrpc()) {
        return ALL;
      }
      List<Object> key = List.of(proxy.namespace(), proxy.labels());
      Set<XdsType> types = decided.get(key);
      if (types == null) {
        types = affects(before, after, proxy, keys);
        decided.putIfAbsent(key, types);
      }
      return types;
    };
  }

  /** What sidecar clusters and endpoints read of a scope, compared by value. */
  static boolean sameServicesAndRules(SidecarScope a, SidecarScope b) {
    return a.sidecar().equals(b.sidecar())
        && a.outboundTrafficPolicy().equals(b.outboundTrafficPolicy())
        && a.services().equals(b.services())
        && a.destinationRules().equals(b.destinationRules())
        && a.ingressListeners().equals(b.ingressListeners())
        && a.view().services().equals(b.view().services());
  }

  /** Everything of a scope that sidecar translation reads, compared by value. */
  static boolean sameInputs(SidecarScope a, SidecarScope b) {
    if (!a.sidecar().equals(b.sidecar())
        || !a.outboundTrafficPolicy().equals(b.outboundTrafficPolicy())
        || !a.services().equals(b.services())
        || !a.destinationRules().equals(b.destinationRules())
        || !a.ingressListeners().equals(b.ingressListeners())) {
      return false;
    }
    MeshSnapshot va = a.view();
    MeshSnapshot vb = b.view();
    if (!va.services().equals(vb.services())
        || !va.virtualServices().equals(vb.virtualServices())) {
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
      if (!x.config().equals(y.config())
          || !x.services().equals(y.services())
          || !x.virtualServices().equals(y.virtualServices())
          || !Objects.equals(x.view().services(), y.view().services())
          || !x.view().virtualServices().equals(y.view().virtualServices())) {
        return false;
      }
    }
    return true;
  }
}
