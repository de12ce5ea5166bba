package io.jpilot.translate;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.VirtualService;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The VirtualServices a proxy sees and which one routes a host, as istiod decides it for sidecars.
 * Only VirtualServices with hosts, bound to the mesh gateway (no gateways, or {@code mesh} among
 * them) and exported to the proxy's namespace count; they are kept oldest first.
 *
 * <p>Precedence for a service host: every VirtualService naming the host exactly, oldest first (the
 * first one that yields a route on the port wins); only when none names it exactly, the most
 * specific wildcard one (longest {@code *.suffix}; for the same wildcard, the oldest). This is
 * istiod's computeWildcardHostVirtualServiceIndex / MostSpecificHostMatch.
 *
 * <p>It depends on the snapshot and the proxy's namespace alone, so it is kept with the snapshot
 * per namespace (istiod keeps it in its push context). Beyond the visibility check it depends only
 * on the visible VirtualServices, so namespaces (and views of one full snapshot) that see the very
 * same ones share one index, kept with the full snapshot.
 */
final class VirtualServiceIndex {
  /** One visible VirtualService and its hosts resolved to FQDNs, lower case. */
  record Entry(VirtualService vs, List<String> hosts) {}

  /** The key of the index for one proxy namespace among a snapshot's derived indexes. */
  private record Key(String proxyNamespace) {}

  private final List<Entry> entries = new ArrayList<>();
  private final Map<String, VirtualService> firstExact = new HashMap<>();
  private final Map<String, VirtualService> firstWildcard = new HashMap<>();

  private VirtualServiceIndex() {}

  /**
   * The VirtualServices an index is built from, compared by identity (they are the snapshot's own
   * objects), as the key of a shared index.
   */
  private static final class Visible {
    final List<VirtualService> virtualServices;
    final int hash;

    Visible(List<VirtualService> virtualServices) {
      this.virtualServices = virtualServices;
      int h = 1;
      for (VirtualService vs : virtualServices) {
        h = h * 31 + System.identityHashCode(vs);
      }
      this.hash = h;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Visible v)
          || v.hash != hash
          || v.virtualServices.size() != virtualServices.size()) {
        return false;
      }
      for (int i = 0; i < virtualServices.size(); i++) {
        if (v.virtualServices.get(i) != virtualServices.get(i)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** The index for {@code proxy}'s namespace, built on the snapshot's first ask. */
  static VirtualServiceIndex forProxy(MeshSnapshot snapshot, ProxyView proxy) {
    String namespace = proxy.namespace();
    return snapshot.derived(new Key(namespace), s -> shared(s, namespace));
  }

  /** The index of the VirtualServices visible in the namespace, shared through the full snapshot. */
  private static VirtualServiceIndex shared(MeshSnapshot snapshot, String proxyNamespace) {
    List<VirtualService> all = snapshot.virtualServices();
    MeshSnapshot full = snapshot.unscoped();
    Candidates c = full.derived(new CandidatesKey(all), f -> Candidates.of(all));
    if (c.exportedEverywhere) {
      // every namespace sees the same ones: one index for all, without a pass per namespace
      VirtualServiceIndex idx = c.index;
      if (idx == null) {
        idx = indexOf(full, c.candidates);
        c.index = idx;
      }
      return idx;
    }
    List<VirtualService> visible = new ArrayList<>();
    for (VirtualService vs : c.candidates) {
      if (visible(vs, proxyNamespace)) {
        visible.add(vs);
      }
    }
    return indexOf(full, visible);
  }

  /** The index of {@code visible}, one per distinct list in the full snapshot. */
  private static VirtualServiceIndex indexOf(MeshSnapshot full, List<VirtualService> visible) {
    // the index reads the snapshot only for its domain suffix, which views share
    return full.derived(new Visible(visible), f -> build(f, visible));
  }

  /**
   * A list of VirtualServices (a snapshot's or a view's, by identity: views of one full snapshot
   * without a Sidecar of their own share one) as the key of its {@link Candidates}.
   */
  private static final class CandidatesKey {
    final List<VirtualService> virtualServices;

    CandidatesKey(List<VirtualService> virtualServices) {
      this.virtualServices = virtualServices;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CandidatesKey k && k.virtualServices == virtualServices;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(virtualServices);
    }
  }

  /**
   * The VirtualServices of a list that some namespace may see (with hosts, bound to the mesh), in
   * order, and whether every one of them is exported to every namespace.
   */
  private static final class Candidates {
    final List<VirtualService> candidates;
    final boolean exportedEverywhere;

    /** The index when exported everywhere, made on first ask (racing callers make equal ones). */
    volatile VirtualServiceIndex index;

    private Candidates(List<VirtualService> candidates, boolean exportedEverywhere) {
      this.candidates = candidates;
      this.exportedEverywhere = exportedEverywhere;
    }

    static Candidates of(List<VirtualService> all) {
      List<VirtualService> out = new ArrayList<>(all.size());
      boolean everywhere = true;
      for (VirtualService vs : all) {
        if (!vs.hosts().isEmpty() && boundToMesh(vs)) {
          out.add(vs);
          everywhere &= exportedEverywhere(vs);
        }
      }
      return new Candidates(Collections.unmodifiableList(out), everywhere);
    }
  }

  /** True when {@link #visible} holds for every namespace. */
  private static boolean exportedEverywhere(VirtualService vs) {
    return vs.exportTo().isEmpty() || vs.exportTo().contains("*");
  }

  private static VirtualServiceIndex build(MeshSnapshot snapshot, List<VirtualService> visible) {
    VirtualServiceIndex idx = new VirtualServiceIndex();
    for (VirtualService vs : visible) {
      List<String> hosts = new ArrayList<>();
      for (String h : vs.hosts()) {
        String host =
            ShortNames.resolve(snapshot, h, vs.meta().namespace()).toLowerCase(Locale.ROOT);
        hosts.add(host);
        if (isWildcard(host)) {
          idx.firstWildcard.putIfAbsent(host, vs);
        } else {
          idx.firstExact.putIfAbsent(host, vs);
        }
      }
      idx.entries.add(new Entry(vs, List.copyOf(hosts)));
    }
    return idx;
  }

  /** Every visible VirtualService, oldest first, with its resolved hosts. */
  List<Entry> entries() {
    return Collections.unmodifiableList(entries);
  }

  /**
   * The VirtualService that owns {@code serviceHost} in istiod's wildcard index: the oldest one
   * naming it exactly, else the oldest one with the most specific wildcard host covering it.
   */
  Optional<VirtualService> mostSpecific(String serviceHost) {
    VirtualService vs = firstExact.get(serviceHost);
    if (vs != null) {
      return Optional.of(vs);
    }
    String best = null;
    for (String w : firstWildcard.keySet()) {
      if (matchesWildcard(w, serviceHost)
          && (best == null
              || w.length() > best.length()
              || (w.length() == best.length() && w.compareTo(best) < 0))) {
        best = w;
      }
    }
    return best == null ? Optional.empty() : Optional.of(firstWildcard.get(best));
  }

  /**
   * Whether {@code entry} routes the registry service {@code serviceHost}: it names the host
   * exactly, or a wildcard of it covers the host and it is the host's most specific VirtualService.
   */
  boolean claims(Entry entry, String serviceHost) {
    for (String h : entry.hosts()) {
      if (h.equals(serviceHost)) {
        return true;
      }
    }
    for (String h : entry.hosts()) {
      if (isWildcard(h) && matchesWildcard(h, serviceHost)) {
        return mostSpecific(serviceHost).map(v -> v == entry.vs()).orElse(false);
      }
    }
    return false;
  }

  /**
   * The VirtualServices that may route {@code serviceHost}, in precedence order: all exact ones
   * oldest first, else the most specific wildcard one.
   */
  List<VirtualService> candidates(String serviceHost) {
    List<VirtualService> out = new ArrayList<>();
    for (Entry e : entries) {
      if (claims(e, serviceHost)) {
        out.add(e.vs());
      }
    }
    return out;
  }

  /** The first candidate, if any (kept for callers that only need one). */
  Optional<VirtualService> forHost(String host) {
    List<VirtualService> c = candidates(host.toLowerCase(Locale.ROOT));
    return c.isEmpty() ? Optional.empty() : Optional.of(c.get(0));
  }

  static boolean isWildcard(String host) {
    return host.startsWith("*");
  }

  /**
   * istiod's host.Name.Matches for a wildcard and a name: the name ends with what follows {@code
   * *}.
   */
  static boolean matchesWildcard(String wildcard, String host) {
    // "*.example.com" matches "a.example.com" and "a.b.example.com", not "example.com"
    return host.endsWith(wildcard.substring(1));
  }

  /**
   * istiod's host.Name.Matches: equal names, or a wildcard on either side covering the other (for
   * two wildcards, the longer one inside the shorter one).
   */
  static boolean hostsMatch(String a, String b) {
    boolean aw = isWildcard(a);
    boolean bw = isWildcard(b);
    if (aw && bw) {
      return a.length() < b.length()
          ? b.substring(1).endsWith(a.substring(1))
          : a.substring(1).endsWith(b.substring(1));
    }
    if (aw) {
      return b.endsWith(a.substring(1));
    }
    if (bw) {
      return a.endsWith(b.substring(1));
    }
    return a.equals(b);
  }

  static boolean boundToMesh(VirtualService vs) {
    return vs.gateways().isEmpty() || vs.gateways().contains(IstioNames.MESH_GATEWAY);
  }

  /** exportTo: empty or "*" is everywhere, "." is the VS namespace, else the named namespaces. */
  static boolean visible(VirtualService vs, String proxyNamespace) {
    List<String> exportTo = vs.exportTo();
    if (exportTo.isEmpty() || exportTo.contains("*")) {
      return true;
    }
    String ns = vs.meta().namespace();
    return exportTo.contains(proxyNamespace)
        || (exportTo.contains(".") && ns.equals(proxyNamespace));
  }
}
