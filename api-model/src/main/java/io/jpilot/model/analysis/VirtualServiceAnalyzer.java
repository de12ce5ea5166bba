package io.jpilot.model.analysis;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.Delegate;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.Gateway;
import io.jpilot.model.config.GatewayNameResolver;
import io.jpilot.model.config.GatewayServer;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.VirtualService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The VirtualService checks: gateways, shadowed hosts, destination hosts and subsets. */
final class VirtualServiceAnalyzer {
  static final String GATEWAY_KIND = Gateway.KIND;
  static final String MESH = GatewayNameResolver.MESH;

  private VirtualServiceAnalyzer() {}

  static void analyze(AnalysisContext ctx, RegistryHosts registry, List<Diagnostic> out) {
    SubsetIndex subsets = new SubsetIndex(ctx);
    Map<ConfigKey, Map<Integer, VirtualService>> shadowed = shadowedHosts(ctx);
    for (VirtualService vs : ctx.virtualServices) {
      gateways(ctx, vs, out);
      shadowed
          .getOrDefault(vs.key(), Map.of())
          .forEach((i, older) -> out.add(shadowing(ctx, vs, i, older)));
      for (int i = 0; i < vs.http().size(); i++) {
        HttpRoute r = vs.http().get(i);
        String p = "spec.http[" + i + "]";
        for (int j = 0; j < r.route().size(); j++) {
          String path = p + ".route[" + j + "].destination";
          destination(ctx, registry, subsets, vs, r.route().get(j).destination(), path, out);
        }
        if (r.mirror().isPresent()) {
          destination(ctx, registry, subsets, vs, r.mirror().get(), p + ".mirror", out);
        }
        for (int k = 0; k < r.mirrors().size(); k++) {
          String path = p + ".mirrors[" + k + "].destination";
          destination(ctx, registry, subsets, vs, r.mirrors().get(k).destination(), path, out);
        }
        if (r.delegate().isPresent()) {
          delegate(ctx, vs, r.delegate().get(), p + ".delegate", out);
        }
      }
      for (int i = 0; i < vs.tcp().size(); i++) {
        List<RouteDestination> route = vs.tcp().get(i).route();
        for (int j = 0; j < route.size(); j++) {
          String path = "spec.tcp[" + i + "].route[" + j + "].destination";
          destination(ctx, registry, subsets, vs, route.get(j).destination(), path, out);
        }
      }
      for (int i = 0; i < vs.tls().size(); i++) {
        List<RouteDestination> route = vs.tls().get(i).route();
        for (int j = 0; j < route.size(); j++) {
          String path = "spec.tls[" + i + "].route[" + j + "].destination";
          destination(ctx, registry, subsets, vs, route.get(j).destination(), path, out);
        }
      }
    }
  }

  // ---- gateways -----------------------------------------------------------------------------

  private static void gateways(AnalysisContext ctx, VirtualService vs, List<Diagnostic> out) {
    if (!ctx.knowsAll(GATEWAY_KIND)) {
      return;
    }
    for (int i = 0; i < vs.gateways().size(); i++) {
      String ref = vs.gateways().get(i);
      if (ref.equals(MESH)) {
        continue;
      }
      ConfigKey key = gatewayKey(ref, vs.meta().namespace());
      Gateway gw = ctx.gateways.get(key);
      if (gw != null) {
        hostsInGateway(ctx, vs, gw, out);
      } else if (!ctx.exists(key)) {
        out.add(
            warning(
                vs,
                "spec.gateways[" + i + "]",
                "Referenced gateway not found: \""
                    + key.namespace()
                    + "/"
                    + key.name()
                    + "\"; this VirtualService is not applied to it"));
      }
    }
  }

  /**
   * istioctl's VirtualServiceHostNotFoundInGateway: each host must be accepted by some server of
   * the gateway (its {@code namespace/host} entries: the namespace {@code *}, {@code .} for the
   * gateway's own or the VirtualService's, the host equal or one a wildcard of the other).
   */
  private static void hostsInGateway(
      AnalysisContext ctx, VirtualService vs, Gateway gw, List<Diagnostic> out) {
    Set<String> serverHosts = new TreeSet<>();
    for (GatewayServer server : gw.servers()) {
      serverHosts.addAll(server.hosts());
    }
    for (int i = 0; i < vs.hosts().size(); i++) {
      String host = ctx.resolve(vs.hosts().get(i), vs.meta().namespace());
      boolean found = false;
      for (String entry : serverHosts) {
        if (accepts(entry, gw.meta().namespace(), vs.meta().namespace(), host)) {
          found = true;
          break;
        }
      }
      if (!found) {
        out.add(
            new Diagnostic(
                Severity.WARNING,
                vs.meta().source(),
                vs.key().toString(),
                "spec.hosts[" + i + "]",
                "host \""
                    + host
                    + "\" not found in Gateway "
                    + gw.qualifiedName()
                    + " (its hosts: "
                    + String.join(", ", serverHosts)
                    + "); that gateway does not route it",
                ConfigAnalyzer.HOST_NOT_IN_GATEWAY));
      }
    }
  }

  private static boolean accepts(
      String entry, String gatewayNamespace, String vsNamespace, String host) {
    String ns = "*";
    String h = entry;
    int slash = entry.indexOf('/');
    if (slash >= 0) {
      ns = entry.substring(0, slash);
      h = entry.substring(slash + 1);
    }
    if (ns.equals(".")) {
      ns = gatewayNamespace;
    }
    if (!ns.equals("*") && !ns.equals(vsNamespace)) {
      return false;
    }
    return h.equals(host)
        || (h.startsWith("*") && AnalysisContext.matchesWildcard(h, host))
        || (host.startsWith("*") && AnalysisContext.matchesWildcard(host, h));
  }

  /** The Gateway a {@code gateways:} entry names, resolved as istiod does. */
  static ConfigKey gatewayKey(String ref, String namespace) {
    String resolved = GatewayNameResolver.resolve(ref, namespace);
    int slash = resolved.indexOf('/');
    return new ConfigKey(GATEWAY_KIND, resolved.substring(0, slash), resolved.substring(slash + 1));
  }

  // ---- delegates ----------------------------------------------------------------------------

  private static void delegate(
      AnalysisContext ctx, VirtualService vs, Delegate d, String path, List<Diagnostic> out) {
    String namespace = d.namespace().isEmpty() ? vs.meta().namespace() : d.namespace();
    if (!ctx.exists(new ConfigKey(VirtualService.KIND, namespace, d.name()))) {
      out.add(
          warning(
              vs,
              path,
              "Referenced delegate VirtualService not found: \""
                  + namespace
                  + "/"
                  + d.name()
                  + "\""));
    }
  }

  // ---- shadowed hosts -----------------------------------------------------------------------

  /**
   * For each VirtualService bound to the mesh, the hosts (by index) that an older one bound to the
   * mesh and visible in a common namespace already claims. Sidecars route such a host by the oldest
   * VirtualService only.
   */
  private static Map<ConfigKey, Map<Integer, VirtualService>> shadowedHosts(AnalysisContext ctx) {
    Map<ConfigKey, Map<Integer, VirtualService>> result = new HashMap<>();
    Map<String, List<VirtualService>> owners = new HashMap<>();
    for (VirtualService vs : ctx.snapshot.virtualServices()) { // oldest first
      if (!boundToMesh(vs)) {
        continue;
      }
      Set<String> seen = new TreeSet<>();
      for (int i = 0; i < vs.hosts().size(); i++) {
        String host = ctx.resolve(vs.hosts().get(i), vs.meta().namespace());
        if (!seen.add(host)) {
          continue;
        }
        List<VirtualService> earlier = owners.computeIfAbsent(host, h -> new ArrayList<>());
        for (VirtualService older : earlier) {
          if (visibleTogether(older, vs)) {
            result.computeIfAbsent(vs.key(), k -> new LinkedHashMap<>()).put(i, older);
            break;
          }
        }
        earlier.add(vs);
      }
    }
    return result;
  }

  private static Diagnostic shadowing(
      AnalysisContext ctx, VirtualService vs, int hostIndex, VirtualService older) {
    String host = ctx.resolve(vs.hosts().get(hostIndex), vs.meta().namespace());
    String olderName = older.meta().namespace() + "/" + older.meta().name();
    return new Diagnostic(
        Severity.WARNING,
        vs.meta().source(),
        vs.key().toString(),
        "spec.hosts[" + hostIndex + "]",
        "VirtualService "
            + olderName
            + " also defines host \""
            + host
            + "\" for the mesh gateway; sidecars use only the oldest VirtualService for a host,"
            + " so the routes of this one for it are ignored (merge the two into one"
            + " VirtualService)",
        ConfigAnalyzer.CONFLICTING_MESH_HOSTS);
  }

  static boolean boundToMesh(VirtualService vs) {
    return vs.gateways().isEmpty() || vs.gateways().contains(MESH);
  }

  /** Whether some namespace sees both VirtualServices (exportTo). */
  private static boolean visibleTogether(VirtualService a, VirtualService b) {
    Set<String> ea = exportedTo(a);
    Set<String> eb = exportedTo(b);
    if (ea == null) {
      return eb == null || !eb.isEmpty();
    }
    if (eb == null) {
      return !ea.isEmpty();
    }
    for (String ns : ea) {
      if (eb.contains(ns)) {
        return true;
      }
    }
    return false;
  }

  /** The namespaces a VirtualService is exported to; null means every namespace. */
  private static Set<String> exportedTo(VirtualService vs) {
    if (vs.exportTo().isEmpty() || vs.exportTo().contains("*")) {
      return null;
    }
    Set<String> namespaces = new TreeSet<>();
    for (String e : vs.exportTo()) {
      if (e.equals(".")) {
        namespaces.add(vs.meta().namespace());
      } else if (!e.equals("~")) {
        namespaces.add(e);
      }
    }
    return namespaces;
  }

  // ---- destinations -------------------------------------------------------------------------

  private static void destination(
      AnalysisContext ctx,
      RegistryHosts registry,
      SubsetIndex subsets,
      VirtualService vs,
      Destination d,
      String path,
      List<Diagnostic> out) {
    String host = ctx.resolve(d.host(), vs.meta().namespace());
    if (registry.missing(host)) {
      out.add(
          warning(
              vs,
              path + ".host",
              "Referenced host not found: \""
                  + host
                  + "\"; no Service or ServiceEntry defines it, so requests routed to it fail"));
      return;
    }
    if (d.subset().isEmpty() || host.startsWith("*")) {
      return;
    }
    List<DestinationRule> rules = subsets.rulesFor(host);
    if (SubsetIndex.defines(rules, d.subset())) {
      return;
    }
    String detail;
    if (rules.isEmpty()) {
      detail = "no DestinationRule applies to " + host;
    } else {
      detail =
          rules.stream()
              .map(dr -> describeSubsets(ctx, dr, host))
              .collect(Collectors.joining("; "));
    }
    out.add(
        warning(
            vs,
            path + ".subset",
            "Referenced host+subset in destinationrule not found: \""
                + host
                + "+"
                + d.subset()
                + "\" ("
                + detail
                + "); requests routed to it fail with 503 because the subset's cluster does not"
                + " exist"));
  }

  private static String describeSubsets(AnalysisContext ctx, DestinationRule dr, String host) {
    String name = "DestinationRule " + dr.meta().namespace() + "/" + dr.meta().name();
    String drHost = ctx.resolve(dr.host(), dr.meta().namespace());
    if (!drHost.equals(host)) {
      name += " (host " + dr.host() + ")";
    }
    if (dr.subsets().isEmpty()) {
      return name + " defines no subsets";
    }
    return name
        + " defines "
        + dr.subsets().stream().map(Subset::name).collect(Collectors.joining(", "));
  }

  static Diagnostic warning(VirtualService vs, String path, String message) {
    return new Diagnostic(
        Severity.WARNING,
        vs.meta().source(),
        vs.key().toString(),
        path,
        message,
        ConfigAnalyzer.REFERENCE_NOT_FOUND);
  }
}
