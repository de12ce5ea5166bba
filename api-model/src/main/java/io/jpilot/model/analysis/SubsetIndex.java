package io.jpilot.model.analysis;

import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.Subset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which DestinationRules may apply to a host. Within one namespace istiod takes the rules with the
 * most specific matching host (exact before wildcard, longer wildcard before shorter); which
 * namespace's rule a proxy gets depends on the proxy, so the rules of every namespace count.
 */
final class SubsetIndex {
  /** namespace → resolved host → rules. */
  private final Map<String, Map<String, List<DestinationRule>>> byNamespace = new TreeMap<>();

  SubsetIndex(AnalysisContext ctx) {
    for (DestinationRule dr : ctx.destinationRules) {
      String host = ctx.resolve(dr.host(), dr.meta().namespace());
      byNamespace
          .computeIfAbsent(dr.meta().namespace(), n -> new TreeMap<>())
          .computeIfAbsent(host, h -> new ArrayList<>())
          .add(dr);
    }
  }

  /**
   * The DestinationRules that may apply to {@code host} (an FQDN), possibly none: those naming it
   * exactly first, then wildcard ones, each by namespace.
   */
  List<DestinationRule> rulesFor(String host) {
    List<DestinationRule> result = new ArrayList<>();
    List<DestinationRule> wildcards = new ArrayList<>();
    for (Map<String, List<DestinationRule>> rules : byNamespace.values()) {
      List<DestinationRule> exact = rules.get(host);
      if (exact != null) {
        result.addAll(exact);
        continue;
      }
      String best = null;
      for (String h : rules.keySet()) {
        if (h.startsWith("*")
            && AnalysisContext.matchesWildcard(h, host)
            && (best == null || h.length() > best.length())) {
          best = h;
        }
      }
      if (best != null) {
        wildcards.addAll(rules.get(best));
      }
    }
    result.addAll(wildcards);
    return result;
  }

  static boolean defines(List<DestinationRule> rules, String subset) {
    for (DestinationRule dr : rules) {
      for (Subset s : dr.subsets()) {
        if (s.name().equals(subset)) {
          return true;
        }
      }
    }
    return false;
  }
}
