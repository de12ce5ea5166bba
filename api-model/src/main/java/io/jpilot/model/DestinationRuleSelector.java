package io.jpilot.model;

import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.registry.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * istiod's choice of the DestinationRule for a service as seen from a namespace
 * (PushContext.destinationRule): first a rule in the proxy's own namespace (private or public),
 * then one exported from the service's namespace, then one exported from the root namespace. Within
 * a namespace the most specific host wins (exact before the longest wildcard), and among rules for
 * the same host the oldest.
 */
final class DestinationRuleSelector {
  /** Rules by namespace, then by resolved host, oldest first. */
  private final Map<String, Map<String, List<DestinationRule>>> namespaceLocal = new HashMap<>();

  private final Map<String, Map<String, List<DestinationRule>>> exported = new HashMap<>();
  private final Map<String, List<DestinationRule>> rootLocal = new LinkedHashMap<>();
  private final String rootNamespace;

  DestinationRuleSelector(MeshSnapshot snapshot, String rootNamespace) {
    this.rootNamespace = rootNamespace;
    for (DestinationRule dr : snapshot.destinationRules()) {
      String ns = dr.meta().namespace();
      String host = snapshot.resolveShortName(dr.host(), ns);
      List<String> exportTo = dr.exportTo();
      if (exportTo.isEmpty()
          || exportTo.contains("*")
          || exportTo.contains(".")
          || exportTo.contains(ns)) {
        add(namespaceLocal, ns, host, dr);
      }
      boolean privateOnly =
          exportTo.size() == 1 && (exportTo.contains(".") || exportTo.contains(ns));
      if (!privateOnly) {
        add(exported, ns, host, dr);
      } else if (ns.equals(rootNamespace)) {
        rootLocal.computeIfAbsent(host, h -> new ArrayList<>()).add(dr);
      }
    }
  }

  private static void add(
      Map<String, Map<String, List<DestinationRule>>> index,
      String ns,
      String host,
      DestinationRule dr) {
    index
        .computeIfAbsent(ns, n -> new LinkedHashMap<>())
        .computeIfAbsent(host, h -> new ArrayList<>())
        .add(dr);
  }

  Optional<DestinationRule> select(String proxyNamespace, Service service) {
    String host = service.hostname();
    if (!proxyNamespace.equals(rootNamespace)) {
      Optional<DestinationRule> local =
          mostSpecific(host, namespaceLocal.getOrDefault(proxyNamespace, Map.of()));
      if (local.isPresent()) {
        return local;
      }
    } else {
      Optional<DestinationRule> local = mostSpecific(host, rootLocal);
      if (local.isPresent()) {
        return local;
      }
    }
    Optional<DestinationRule> fromService = exportedFrom(service.namespace(), host, proxyNamespace);
    if (fromService.isPresent()) {
      return fromService;
    }
    return exportedFrom(rootNamespace, host, proxyNamespace);
  }

  private Optional<DestinationRule> exportedFrom(String owner, String host, String client) {
    Map<String, List<DestinationRule>> rules = exported.get(owner);
    if (rules == null) {
      return Optional.empty();
    }
    String key = mostSpecificKey(host, rules);
    if (key == null) {
      return Optional.empty();
    }
    for (DestinationRule dr : rules.get(key)) {
      List<String> exportTo = dr.exportTo();
      if (exportTo.isEmpty() || exportTo.contains("*") || exportTo.contains(client)) {
        return Optional.of(dr);
      }
    }
    return Optional.empty();
  }

  private static Optional<DestinationRule> mostSpecific(
      String host, Map<String, List<DestinationRule>> rules) {
    String key = mostSpecificKey(host, rules);
    return key == null ? Optional.empty() : Optional.of(rules.get(key).get(0));
  }

  /** istiod's MostSpecificHostMatch over the rule hosts of one namespace. */
  private static String mostSpecificKey(String needle, Map<String, List<DestinationRule>> rules) {
    if (rules.containsKey(needle)) {
      return needle;
    }
    String suffixOf = Hosts.isWildcard(needle) ? needle.substring(1) : needle;
    String best = null;
    for (String h : rules.keySet()) {
      if (!Hosts.isWildcard(h) || !suffixOf.endsWith(h.substring(1))) {
        continue;
      }
      if (best == null || Hosts.moreSpecific(h, best)) {
        best = h;
      }
    }
    return best;
  }
}
