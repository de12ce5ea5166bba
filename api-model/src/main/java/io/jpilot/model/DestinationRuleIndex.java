package io.jpilot.model;

import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.Subset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which DestinationRule applies to a service for a proxy, with istiod's visibility rules
 * (PushContext.setDestinationRules / destinationRule and SidecarScope.DestinationRule):
 *
 * <ol>
 *   <li>rules in the proxy's own namespace, whatever their exportTo;
 *   <li>else rules in the service's namespace exported to the proxy's namespace;
 *   <li>else rules in the root namespace exported to it.
 * </ol>
 *
 * Within a namespace the most specific host wins (exact, then the longest wildcard). Rules for the
 * same host and namespace are merged: the oldest keeps its traffic policy (a later one fills it
 * only when it has none) and later rules add the subsets it lacks. A rule with a workload selector
 * applies only to proxies in its namespace whose labels it selects, and wins over one without.
 */
final class DestinationRuleIndex {
  /** istiod's default root namespace (MeshConfig.rootNamespace). */
  static final String ROOT_NAMESPACE = "istio-system";

  private static final String PUBLIC = "*";
  private static final String PRIVATE = ".";

  /** A merged rule and the exportTo it is visible under. */
  private static final class Consolidated {
    DestinationRule rule;
    final Set<String> exportTo;

    Consolidated(DestinationRule rule, Set<String> exportTo) {
      this.rule = rule;
      this.exportTo = exportTo;
    }
  }

  /** The rules of one namespace (or visibility class), by resolved host. */
  private static final class HostRules {
    final Map<String, List<Consolidated>> specific = new HashMap<>();
    final Map<String, List<Consolidated>> wildcard = new HashMap<>();

    Map<String, List<Consolidated>> forHost(String host) {
      return host.startsWith("*") ? wildcard : specific;
    }
  }

  private final String domainSuffix;

  /** Every rule, as given. */
  private final List<DestinationRule> all;
  private final Map<String, HostRules> namespaceLocal = new HashMap<>();
  private final Map<String, HostRules> exportedByNamespace = new HashMap<>();

  /**
   * Rules visible only in their own namespace, by namespace: those of the root namespace are
   * istiod's rootNamespaceLocal (the root namespace is a lookup parameter).
   */
  private final Map<String, HostRules> privateOnlyByNamespace = new HashMap<>();

  /**
   * @param rules every DestinationRule; hosts are resolved against each rule's namespace
   */
  DestinationRuleIndex(List<DestinationRule> rules, String domainSuffix) {
    this.domainSuffix = domainSuffix;
    this.all = List.copyOf(rules);
    List<DestinationRule> sorted = new ArrayList<>(rules);
    // selector rules first, then oldest first, then by name and namespace (istiod's order)
    sorted.sort(
        Comparator.comparing((DestinationRule dr) -> dr.workloadSelector().isEmpty())
            .thenComparing(dr -> dr.meta().creationTimestamp())
            .thenComparing(dr -> dr.meta().name())
            .thenComparing(dr -> dr.meta().namespace()));
    for (DestinationRule dr : sorted) {
      String ns = dr.meta().namespace();
      Set<String> exportTo = new LinkedHashSet<>();
      if (dr.workloadSelector().isEmpty()) {
        exportTo.addAll(dr.exportTo());
      } else {
        exportTo.add(PRIVATE); // rules with a selector are never exported
      }
      if (exportTo.isEmpty()
          || exportTo.contains(PUBLIC)
          || exportTo.contains(PRIVATE)
          || exportTo.contains(ns)) {
        merge(namespaceLocal.computeIfAbsent(ns, n -> new HostRules()), dr, exportTo);
      }
      boolean privateOnly =
          exportTo.size() == 1 && (exportTo.contains(PRIVATE) || exportTo.contains(ns));
      if (!privateOnly) {
        merge(exportedByNamespace.computeIfAbsent(ns, n -> new HostRules()), dr, exportTo);
      } else {
        merge(privateOnlyByNamespace.computeIfAbsent(ns, n -> new HostRules()), dr, exportTo);
      }
    }
  }

  private String host(DestinationRule dr) {
    return MeshSnapshot.resolveShortName(dr.host(), dr.meta().namespace(), domainSuffix);
  }

  /** istiod's mergeDestinationRule, with ENABLE_ENHANCED_DESTINATIONRULE_MERGE (the default). */
  private void merge(HostRules rules, DestinationRule incoming, Set<String> exportTo) {
    String host = host(incoming);
    Map<String, List<Consolidated>> byHost = rules.forHost(host);
    List<Consolidated> list = byHost.get(host);
    if (list == null) {
      list = new ArrayList<>();
      list.add(new Consolidated(incoming, exportTo));
      byHost.put(host, list);
      return;
    }
    boolean appendSeparately = true;
    for (Consolidated existing : list) {
      if (exportTo.equals(existing.exportTo)) {
        appendSeparately = false;
      } else if (!existing.exportTo.isEmpty() && exportTo.containsAll(existing.exportTo)) {
        appendSeparately = true;
      } else {
        appendSeparately = true;
        continue;
      }
      boolean bothWithout =
          incoming.workloadSelector().isEmpty() && existing.rule.workloadSelector().isEmpty();
      boolean bothWith =
          incoming.workloadSelector().isPresent() && existing.rule.workloadSelector().isPresent();
      boolean selectorsMatch =
          incoming
              .workloadSelector()
              .orElse(Map.of())
              .equals(existing.rule.workloadSelector().orElse(Map.of()));
      if (bothWith && !selectorsMatch) {
        appendSeparately = true;
        continue;
      }
      if (bothWithout || bothWith) {
        appendSeparately = false;
      }
      existing.rule = mergeInto(existing.rule, incoming);
    }
    if (appendSeparately) {
      list.add(new Consolidated(incoming, exportTo));
    }
  }

  /** Adds the subsets {@code base} lacks, and the traffic policy when it has none. */
  private static DestinationRule mergeInto(DestinationRule base, DestinationRule incoming) {
    List<Subset> subsets = new ArrayList<>(base.subsets());
    Set<String> names = new java.util.HashSet<>();
    subsets.forEach(s -> names.add(s.name()));
    for (Subset s : incoming.subsets()) {
      if (names.add(s.name())) {
        subsets.add(s);
      }
    }
    return new DestinationRule(
        base.meta(),
        base.host(),
        base.trafficPolicy().isPresent() ? base.trafficPolicy() : incoming.trafficPolicy(),
        subsets,
        base.exportTo(),
        base.workloadSelector());
  }

  /**
   * The rule for {@code hostname} (a service in {@code serviceNamespace}, empty when unknown) as
   * seen by a proxy in {@code proxyNamespace} with {@code proxyLabels}, the mesh root namespace
   * being {@code rootNamespace}.
   */
  Optional<DestinationRule> lookup(
      String hostname,
      String serviceNamespace,
      String proxyNamespace,
      Map<String, String> proxyLabels,
      String rootNamespace) {
    List<Consolidated> candidates =
        candidates(hostname, serviceNamespace, proxyNamespace, rootNamespace);
    DestinationRule catchAll = null;
    for (int i = 0; i < candidates.size(); i++) {
      Consolidated c = candidates.get(i);
      DestinationRule dr = c.rule;
      if (dr.workloadSelector().isEmpty()) {
        catchAll = dr;
      } else if (dr.meta().namespace().equals(proxyNamespace)
          && proxyLabels.entrySet().containsAll(dr.workloadSelector().get().entrySet())) {
        return Optional.of(dr);
      }
    }
    return Optional.ofNullable(catchAll);
  }

  /**
   * The hosts for which {@link #lookup} from {@code proxyNamespace} (not the root namespace) finds
   * rules of that namespace first; null when some of them are wildcard hosts (they may match any
   * host). Empty when the namespace has none.
   */
  Set<String> localHosts(String proxyNamespace) {
    HostRules local = namespaceLocal.get(proxyNamespace);
    if (local == null) {
      return Set.of();
    }
    return local.wildcard.isEmpty() ? Collections.unmodifiableSet(local.specific.keySet()) : null;
  }

  private List<Consolidated> candidates(
      String hostname, String serviceNamespace, String proxyNamespace, String rootNamespace) {
    if (!proxyNamespace.equals(rootNamespace)) {
      HostRules local = namespaceLocal.get(proxyNamespace);
      List<Consolidated> found = local == null ? null : mostSpecific(hostname, local);
      if (found != null) {
        return found;
      }
    } else {
      HostRules rootLocal = privateOnlyByNamespace.get(rootNamespace);
      List<Consolidated> found = rootLocal == null ? null : mostSpecific(hostname, rootLocal);
      if (found != null) {
        return found;
      }
    }
    if (!serviceNamespace.isEmpty()) {
      List<Consolidated> out = exported(serviceNamespace, hostname, proxyNamespace);
      if (!out.isEmpty()) {
        return out;
      }
    }
    return exported(rootNamespace, hostname, proxyNamespace);
  }

  private List<Consolidated> exported(String owner, String hostname, String clientNamespace) {
    HostRules rules = exportedByNamespace.get(owner);
    List<Consolidated> found = rules == null ? null : mostSpecific(hostname, rules);
    if (found == null) {
      return List.of();
    }
    List<Consolidated> out = null; // null: all of found so far
    for (int i = 0; i < found.size(); i++) {
      Consolidated c = found.get(i);
      boolean visible =
          c.exportTo.isEmpty()
              || c.exportTo.contains(PUBLIC)
              || c.exportTo.contains(clientNamespace);
      if (visible && out != null) {
        out.add(c);
      } else if (!visible && out == null) {
        out = new ArrayList<>(found.subList(0, i));
      }
    }
    return out == null ? found : out;
  }

  /** istiod's MostSpecificHostMatch: the exact host, else the most specific matching wildcard. */
  private static List<Consolidated> mostSpecific(String needle, HostRules rules) {
    String suffix;
    if (needle.startsWith("*")) {
      List<Consolidated> exact = rules.wildcard.get(needle);
      if (exact != null) {
        return exact;
      }
      suffix = needle.substring(1);
    } else {
      List<Consolidated> exact = rules.specific.get(needle);
      if (exact != null) {
        return exact;
      }
      suffix = needle;
    }
    // moreSpecific orders distinct hosts totally: the best one does not depend on the order seen
    String best = null;
    for (String h : rules.wildcard.keySet()) {
      if (suffix.endsWith(h.substring(1)) && (best == null || moreSpecific(h, best))) {
        best = h;
      }
    }
    return best == null ? null : rules.wildcard.get(best);
  }

  /** istiod's host.MoreSpecific: non-wildcards first, then longer, then alphabetical. */
  static boolean moreSpecific(String a, String b) {
    boolean aw = a.startsWith("*");
    boolean bw = b.startsWith("*");
    if (aw != bw) {
      return !aw;
    }
    if (a.length() == b.length()) {
      return a.compareTo(b) < 0;
    }
    return a.length() > b.length();
  }

  /** Every rule the index was built from, as given. */
  List<DestinationRule> all() {
    return all;
  }
}
