package io.jpilot.model;

import io.jpilot.model.config.Destination;
import io.jpilot.model.config.GatewayNameResolver;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpMirror;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.config.VirtualService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Delegate VirtualServices, as istiod's MergedVirtualServices builds them: an http route of a root
 * VirtualService that names a {@code delegate} is replaced by the delegate's http routes, each
 * merged under the root route's matches (a delegate match must be a subset of some root match; a
 * delegate route whose matches all conflict is dropped). Fields the delegate route leaves unset are
 * inherited from the root route. A delegate that does not exist, or is not exported to the root's
 * namespace, drops only that root route.
 *
 * <p>The delegate's destination hosts are resolved to FQDNs in the delegate's namespace and its
 * match gateways to {@code namespace/name}, as istiod resolves short names per VirtualService.
 */
final class VirtualServiceMerger {
  private VirtualServiceMerger() {}

  /** The same list, in the same order, with every root VirtualService's delegates merged in. */
  static List<VirtualService> merge(List<VirtualService> virtualServices, String domainSuffix) {
    Map<String, VirtualService> delegates = new HashMap<>();
    for (VirtualService vs : virtualServices) {
      if (vs.hosts().isEmpty()) {
        delegates.put(vs.meta().namespace() + "/" + vs.meta().name(), vs);
      }
    }
    List<VirtualService> out = new ArrayList<>(virtualServices.size());
    for (VirtualService vs : virtualServices) {
      if (vs.hosts().isEmpty() || vs.http().stream().noneMatch(r -> r.delegate().isPresent())) {
        out.add(vs);
        continue;
      }
      List<HttpRoute> merged = new ArrayList<>();
      for (HttpRoute root : vs.http()) {
        if (root.delegate().isEmpty()) {
          merged.add(root);
          continue;
        }
        String ns = root.delegate().get().namespace();
        if (ns.isEmpty()) {
          ns = vs.meta().namespace();
        }
        VirtualService delegate = delegates.get(ns + "/" + root.delegate().get().name());
        if (delegate == null || !exportedTo(delegate, vs.meta().namespace())) {
          continue; // istiod logs and skips this route only
        }
        HttpRoute resolvedRoot = resolveGateways(root, vs.meta().namespace());
        for (HttpRoute sub : delegate.http()) {
          mergeRoute(resolvedRoot, resolve(sub, delegate, domainSuffix)).ifPresent(merged::add);
        }
      }
      out.add(new VirtualService(vs.meta(), vs.hosts(), vs.gateways(), merged, vs.exportTo()));
    }
    return List.copyOf(out);
  }

  /** exportTo: empty or {@code *} is public, {@code .} the delegate's own namespace. */
  private static boolean exportedTo(VirtualService delegate, String namespace) {
    List<String> exportTo = delegate.exportTo();
    if (exportTo.isEmpty() || exportTo.contains("*") || exportTo.contains(namespace)) {
      return true;
    }
    return exportTo.contains(".") && delegate.meta().namespace().equals(namespace);
  }

  /** istiod's ResolveVirtualServiceShortnames on a delegate route. */
  private static HttpRoute resolve(HttpRoute r, VirtualService owner, String domainSuffix) {
    String ns = owner.meta().namespace();
    List<RouteDestination> route = new ArrayList<>();
    for (RouteDestination rd : r.route()) {
      route.add(
          new RouteDestination(
              resolve(rd.destination(), ns, domainSuffix), rd.weight(), rd.headers()));
    }
    List<HttpMirror> mirrors = new ArrayList<>();
    for (HttpMirror m : r.mirrors()) {
      mirrors.add(new HttpMirror(resolve(m.destination(), ns, domainSuffix), m.percentage()));
    }
    return resolveGateways(r, ns).toBuilder()
        .route(route)
        .mirrors(mirrors)
        .mirror(r.mirror().map(d -> resolve(d, ns, domainSuffix)))
        .build();
  }

  /** The route with its match gateways in {@code namespace/name} form. */
  private static HttpRoute resolveGateways(HttpRoute r, String namespace) {
    List<HttpMatch> matches = new ArrayList<>();
    for (HttpMatch m : r.match()) {
      List<String> gateways = new ArrayList<>();
      for (String g : m.gateways()) {
        gateways.add(GatewayNameResolver.resolve(g, namespace));
      }
      matches.add(m.toBuilder().gateways(gateways).build());
    }
    return r.toBuilder().match(matches).build();
  }

  private static Destination resolve(Destination d, String namespace, String domainSuffix) {
    return new Destination(
        MeshSnapshot.resolveShortName(d.host(), namespace, domainSuffix), d.subset(), d.port());
  }

  // ---- istiod's mergeHTTPRoute ------------------------------------------------------------------

  private static Optional<HttpRoute> mergeRoute(HttpRoute root, HttpRoute delegate) {
    Optional<List<HttpMatch>> matches = mergeMatches(root.match(), delegate.match());
    if (matches.isEmpty()) {
      return Optional.empty(); // conflicts with the root: ignored, as istiod does
    }
    HttpRoute.Builder b = delegate.toBuilder().match(matches.get());
    if (delegate.name().isEmpty()) {
      b.name(root.name());
    } else if (!root.name().isEmpty()) {
      b.name(root.name() + "-" + delegate.name());
    }
    b.rewrite(delegate.rewrite().or(root::rewrite));
    b.directResponse(delegate.directResponse().or(root::directResponse));
    b.timeout(delegate.timeout().or(root::timeout));
    b.retries(delegate.retries().or(root::retries));
    b.fault(delegate.fault().or(root::fault));
    b.mirror(delegate.mirror().or(root::mirror));
    b.mirrorPercent(delegate.mirrorPercent().or(root::mirrorPercent));
    b.mirrorPercentage(delegate.mirrorPercentage().or(root::mirrorPercentage));
    b.corsPolicy(delegate.corsPolicy().or(root::corsPolicy));
    b.mirrors(delegate.mirrors().isEmpty() ? root.mirrors() : delegate.mirrors());
    b.headers(delegate.headers().or(root::headers));
    b.delegate(Optional.empty());
    return Optional.of(b.build());
  }

  /** istiod's mergeHTTPMatchRequests; empty when the delegate's matches conflict. */
  private static Optional<List<HttpMatch>> mergeMatches(
      List<HttpMatch> root, List<HttpMatch> delegate) {
    if (root.isEmpty()) {
      return Optional.of(delegate);
    }
    if (delegate.isEmpty()) {
      return Optional.of(root);
    }
    List<HttpMatch> out = new ArrayList<>();
    for (HttpMatch sub : delegate) {
      boolean found = false;
      for (HttpMatch r : root) {
        if (hasConflict(r, sub)) {
          continue;
        }
        out.add(mergeMatch(r, sub));
        found = true;
      }
      if (!found) {
        return Optional.empty();
      }
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out);
  }

  private static HttpMatch mergeMatch(HttpMatch root, HttpMatch delegate) {
    HttpMatch.Builder b = delegate.toBuilder();
    if (delegate.name().isEmpty()) {
      b.name(root.name());
    } else if (!root.name().isEmpty()) {
      b.name(root.name() + "-" + delegate.name());
    }
    b.uri(delegate.uri().or(root::uri));
    b.scheme(delegate.scheme().or(root::scheme));
    b.method(delegate.method().or(root::method));
    b.authority(delegate.authority().or(root::authority));
    b.headers(mergeCopy(root.headers(), delegate.headers()));
    b.withoutHeaders(mergeCopy(root.withoutHeaders(), delegate.withoutHeaders()));
    b.queryParams(mergeCopy(root.queryParams(), delegate.queryParams()));
    if (delegate.port() == 0) {
      b.port(root.port());
    }
    b.sourceLabels(mergeCopy(root.sourceLabels(), delegate.sourceLabels()));
    if (delegate.sourceNamespace().isEmpty()) {
      b.sourceNamespace(root.sourceNamespace());
    }
    if (delegate.gateways().isEmpty()) {
      b.gateways(root.gateways());
    }
    if (delegate.statPrefix().isEmpty()) {
      b.statPrefix(root.statPrefix());
    }
    return b.build();
  }

  /** Both maps' entries; the delegate's value wins on a shared key. */
  private static <V> Map<String, V> mergeCopy(Map<String, V> root, Map<String, V> delegate) {
    Map<String, V> out = new TreeMap<>(root);
    out.putAll(delegate);
    return out;
  }

  /** istiod's hasConflict: true when {@code leaf} is not a narrowing of {@code root}. */
  static boolean hasConflict(HttpMatch root, HttpMatch leaf) {
    if (conflict(root.uri(), leaf.uri())
        || conflict(root.scheme(), leaf.scheme())
        || conflict(root.method(), leaf.method())
        || conflict(root.authority(), leaf.authority())) {
      return true;
    }
    for (Map.Entry<String, StringMatch> e : leaf.headers().entrySet()) {
      if (conflict(
          Optional.ofNullable(root.headers().get(e.getKey())), Optional.of(e.getValue()))) {
        return true;
      }
    }
    for (Map.Entry<String, StringMatch> e : leaf.withoutHeaders().entrySet()) {
      if (conflict(
          Optional.ofNullable(root.withoutHeaders().get(e.getKey())), Optional.of(e.getValue()))) {
        return true;
      }
    }
    for (Map.Entry<String, StringMatch> e : leaf.queryParams().entrySet()) {
      if (conflict(
          Optional.ofNullable(root.queryParams().get(e.getKey())), Optional.of(e.getValue()))) {
        return true;
      }
    }
    if (root.ignoreUriCase() != leaf.ignoreUriCase()) {
      return true;
    }
    if (root.port() > 0 && leaf.port() > 0 && root.port() != leaf.port()) {
      return true;
    }
    if (!root.sourceNamespace().isEmpty()
        && !leaf.sourceNamespace().equals(root.sourceNamespace())) {
      return true;
    }
    for (Map.Entry<String, String> e : leaf.sourceLabels().entrySet()) {
      String v = root.sourceLabels().get(e.getKey());
      if (v != null && !v.equals(e.getValue())) {
        return true;
      }
    }
    if (!root.gateways().isEmpty() && !leaf.gateways().isEmpty()) {
      if (root.gateways().size() < leaf.gateways().size()) {
        return true;
      }
      Set<String> rootGateways = new HashSet<>(root.gateways());
      for (String g : leaf.gateways()) {
        if (!rootGateways.contains(g)) {
          return true;
        }
      }
    }
    return false;
  }

  /** istiod's stringMatchConflict: unset on either side never conflicts. */
  static boolean conflict(Optional<StringMatch> rootMatch, Optional<StringMatch> leafMatch) {
    if (rootMatch.isEmpty() || leafMatch.isEmpty()) {
      return false;
    }
    StringMatch root = rootMatch.get();
    StringMatch leaf = leafMatch.get();
    String rootRegex = value(root, StringMatch.Kind.REGEX);
    String rootPrefix = value(root, StringMatch.Kind.PREFIX);
    String rootExact = value(root, StringMatch.Kind.EXACT);
    String leafRegex = value(leaf, StringMatch.Kind.REGEX);
    String leafPrefix = value(leaf, StringMatch.Kind.PREFIX);
    String leafExact = value(leaf, StringMatch.Kind.EXACT);
    if (!rootRegex.isEmpty()
        && (!leafRegex.isEmpty() || !leafPrefix.isEmpty() || !leafExact.isEmpty())) {
      return true;
    }
    if (!leafRegex.isEmpty()
        && (!rootRegex.isEmpty() || !rootPrefix.isEmpty() || !rootExact.isEmpty())) {
      return true;
    }
    if (!rootExact.isEmpty()) {
      return !leafPrefix.isEmpty() || !leafExact.equals(rootExact);
    }
    if (!rootPrefix.isEmpty()) {
      if (!leafPrefix.isEmpty()) {
        return !leafPrefix.startsWith(rootPrefix);
      }
      if (!leafExact.isEmpty()) {
        return !leafExact.startsWith(rootPrefix);
      }
    }
    return true;
  }

  private static String value(StringMatch m, StringMatch.Kind kind) {
    return m.kind() == kind ? m.value() : "";
  }
}
