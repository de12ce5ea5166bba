package io.jpilot.translate;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.VirtualService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which VirtualService routes a host for one proxy. Only VirtualServices bound to the mesh gateway
 * (no gateways, or {@code mesh} among them) and exported to the proxy's namespace count. A VS
 * naming the host exactly wins over a wildcard one; among equals the oldest wins (the snapshot
 * lists VirtualServices oldest first), and among wildcards the most specific (longest) one.
 */
final class VirtualServiceIndex {
  private final Map<String, VirtualService> exact = new HashMap<>();

  /** Wildcard hosts ({@code *.suffix} or {@code *}) in snapshot order. */
  private final List<Map.Entry<String, VirtualService>> wildcards = new ArrayList<>();

  private VirtualServiceIndex() {}

  static VirtualServiceIndex forProxy(MeshSnapshot snapshot, ProxyView proxy) {
    VirtualServiceIndex idx = new VirtualServiceIndex();
    for (VirtualService vs : snapshot.virtualServices()) {
      if (!boundToMesh(vs) || !visible(vs, proxy.namespace())) {
        continue;
      }
      for (String h : vs.hosts()) {
        String host = snapshot.resolveShortName(h, vs.meta().namespace());
        if (host.startsWith("*")) {
          idx.wildcards.add(Map.entry(host, vs));
        } else {
          idx.exact.putIfAbsent(host, vs);
        }
      }
    }
    return idx;
  }

  Optional<VirtualService> forHost(String host) {
    VirtualService vs = exact.get(host);
    if (vs != null) {
      return Optional.of(vs);
    }
    Map.Entry<String, VirtualService> best = null;
    for (Map.Entry<String, VirtualService> w : wildcards) {
      if (matchesWildcard(w.getKey(), host)
          && (best == null || w.getKey().length() > best.getKey().length())) {
        best = w;
      }
    }
    return best == null ? Optional.empty() : Optional.of(best.getValue());
  }

  static boolean matchesWildcard(String wildcard, String host) {
    if (wildcard.equals("*")) {
      return true;
    }
    // "*.example.com" matches "a.example.com" and "a.b.example.com", not "example.com"
    return host.endsWith(wildcard.substring(1)) && host.length() > wildcard.length() - 1;
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
