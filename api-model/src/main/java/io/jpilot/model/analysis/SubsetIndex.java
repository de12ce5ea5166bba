package io.jpilot.model.analysis;

import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.Subset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which DestinationRules apply to a host, as istiod picks them: those naming the host exactly, else
 * those with the most specific matching wildcard host.
 */
final class SubsetIndex {
  private final Map<String, List<DestinationRule>> exact = new TreeMap<>();
  private final Map<String, List<DestinationRule>> wildcard = new TreeMap<>();

  SubsetIndex(AnalysisContext ctx) {
    for (DestinationRule dr : ctx.destinationRules) {
      String host = ctx.resolve(dr.host(), dr.meta().namespace());
      (host.startsWith("*") ? wildcard : exact)
          .computeIfAbsent(host, h -> new ArrayList<>())
          .add(dr);
    }
  }

  /** The DestinationRules that apply to {@code host} (an FQDN), possibly none. */
  List<DestinationRule> rulesFor(String host) {
    List<DestinationRule> rules = exact.get(host);
    if (rules != null) {
      return rules;
    }
    String best = null;
    for (String w : wildcard.keySet()) {
      if (AnalysisContext.matchesWildcard(w, host) && (best == null || w.length() > best.length())) {
        best = w;
      }
    }
    return best == null ? List.of() : wildcard.get(best);
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
