package io.jpilot.translate;

import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.jpilot.model.config.LoadBalancerSettings;
import io.jpilot.model.config.LocalityLbSetting;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.registry.Endpoint;
import io.jpilot.model.registry.Locality;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * istiod's locality load balancing (core/loadbalancer/loadbalancer.go), relative to the calling
 * proxy's locality: weighted distribution between localities, or failover priorities (by locality
 * match, by region failover rules, or by failover-priority labels). Failover needs outlier
 * detection, or Envoy would never move to a lower priority.
 *
 * <p>The effective setting is the DestinationRule's {@code localityLbSetting}, else the mesh
 * default ({@code enabled: true}, nothing else); {@code enabled: false} turns it off.
 */
final class LocalityLb {
  static final String REGION_LABEL = "topology.kubernetes.io/region";
  static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  static final String SUBZONE_LABEL = "topology.istio.io/subzone";
  static final String NETWORK_LABEL = "topology.istio.io/network";

  private static final LocalityLbSetting MESH_DEFAULT =
      new LocalityLbSetting(List.of(), List.of(), List.of(), Optional.of(true));

  private LocalityLb() {}

  /** istiod's GetEffectiveLbSetting for sidecars, with the default mesh config. */
  static Optional<LocalityLbSetting> effective(TrafficPolicy policy) {
    Optional<LocalityLbSetting> dr =
        policy.loadBalancerSettings().flatMap(LoadBalancerSettings::localityLbSetting);
    if (dr.isPresent()) {
      return dr.get().enabled().orElse(true) ? dr : Optional.empty();
    }
    return Optional.of(MESH_DEFAULT);
  }

  /**
   * Whether the cluster gets {@code common_lb_config.locality_weighted_lb_config}: with a
   * distribution, or with failover rules and outlier detection.
   */
  static boolean weightedLbConfig(Optional<LocalityLbSetting> setting, boolean outlierDetection) {
    if (setting.isEmpty()) {
      return false;
    }
    LocalityLbSetting s = setting.get();
    return (outlierDetection && (!s.failover().isEmpty() || !s.failoverPriority().isEmpty()))
        || !s.distribute().isEmpty();
  }

  /** One locality group under construction and the endpoints behind its LbEndpoints. */
  static final class Group {
    final LocalityLbEndpoints.Builder proto;
    final List<Endpoint> endpoints;

    Group(LocalityLbEndpoints.Builder proto, List<Endpoint> endpoints) {
      this.proto = proto;
      this.endpoints = endpoints;
    }
  }

  /**
   * istiod's ApplyLocalityLoadBalancer: rewrites the groups' priorities and weights for a proxy in
   * {@code proxyLocality}. Returns the new group list (failover-priority labels split groups).
   */
  static List<Group> apply(
      List<Group> groups,
      Locality proxyLocality,
      Map<String, String> proxyLabels,
      LocalityLbSetting setting,
      boolean enableFailover) {
    if (!setting.distribute().isEmpty()) {
      applyWeights(proxyLocality, groups, setting.distribute());
      return groups;
    }
    if (!enableFailover) {
      return groups;
    }
    List<Group> out = groups;
    if (!setting.failoverPriority().isEmpty()) {
      out = applyFailoverPriorities(groups, withTopology(proxyLabels, proxyLocality), setting);
      if (!setting.failover().isEmpty()) {
        applyFailover(proxyLocality, out, setting.failover());
      }
    } else {
      applyFailover(proxyLocality, out, setting.failover());
    }
    return out;
  }

  /** The first distribute rule whose {@code from} matches the proxy sets the group weights. */
  private static void applyWeights(
      Locality proxy, List<Group> groups, List<LocalityLbSetting.Distribute> distribute) {
    for (LocalityLbSetting.Distribute d : distribute) {
      if (!localityMatch(proxy, d.from())) {
        continue;
      }
      TreeSet<Integer> misMatched = new TreeSet<>();
      for (int i = 0; i < groups.size(); i++) {
        misMatched.add(i);
      }
      for (Map.Entry<String, Integer> to : d.to().entrySet()) {
        Map<Integer, Long> original = new LinkedHashMap<>();
        long total = 0;
        for (int i = 0; i < groups.size(); i++) {
          if (misMatched.contains(i) && localityMatch(locality(groups.get(i)), to.getKey())) {
            misMatched.remove(i);
            LocalityLbEndpoints.Builder g = groups.get(i).proto;
            long w = g.hasLoadBalancingWeight() ? g.getLoadBalancingWeight().getValue() : 1;
            original.put(i, w);
            total += w;
          }
        }
        for (Map.Entry<Integer, Long> e : original.entrySet()) {
          double weight = (double) (e.getValue() * to.getValue()) / total;
          if (weight > 0) {
            groups
                .get(e.getKey())
                .proto
                .setLoadBalancingWeight(XdsProtos.uint32((long) Math.ceil(weight)));
          }
        }
      }
      for (int i : misMatched) {
        groups.get(i).proto.clearLbEndpoints();
      }
      return;
    }
  }

  /** Priorities by how much of the proxy's locality each group shares, then region failover. */
  private static void applyFailover(
      Locality proxy, List<Group> groups, List<LocalityLbSetting.Failover> failover) {
    Map<Integer, List<Integer>> byPriority = new TreeMap<>();
    for (int i = 0; i < groups.size(); i++) {
      LocalityLbEndpoints.Builder g = groups.get(i).proto;
      Locality l = locality(groups.get(i));
      int priority = lbPriority(proxy, l);
      if (priority == 3) {
        for (LocalityLbSetting.Failover f : failover) {
          if (f.from().equals(proxy.region())) {
            if (!l.region().equals(f.to())) {
              priority = 4;
            }
            break;
          }
        }
      }
      int combined = g.getPriority() * 5 + priority;
      g.setPriority(combined);
      byPriority.computeIfAbsent(combined, p -> new ArrayList<>()).add(i);
    }
    compact(groups, byPriority);
  }

  /** Splits each group by how many failover-priority labels its endpoints share with the proxy. */
  private static List<Group> applyFailoverPriorities(
      List<Group> groups, Map<String, String> proxyLabels, LocalityLbSetting setting) {
    if (proxyLabels.isEmpty() || groups.isEmpty()) {
      return groups;
    }
    List<String> priorities = setting.failoverPriority();
    List<String> names = new ArrayList<>();
    Map<String, String> overrides = new HashMap<>();
    for (String p : priorities) {
      String[] parts = p.split("=", -1);
      names.add(parts[0]);
      if (parts.length == 2) {
        overrides.put(parts[0], parts[1]);
      }
    }
    int lowest = priorities.size();
    boolean includesNetwork = lowest > 0 && priorities.get(0).equals(NETWORK_LABEL);
    List<Group> out = new ArrayList<>();
    for (Group group : groups) {
      TreeMap<Integer, List<Integer>> byPriority = new TreeMap<>();
      for (int i = 0; i < group.endpoints.size(); i++) {
        Endpoint e = group.endpoints.get(i);
        Map<String, String> labels = withTopology(e.labels(), e.locality());
        int priority = 0;
        int adjust = 0;
        for (int j = 0; j < names.size(); j++) {
          String name = names.get(j);
          String forProxy =
              overrides.containsKey(name) ? overrides.get(name) : proxyLabels.get(name);
          if (!java.util.Objects.equals(forProxy, labels.get(name))) {
            if (j == 0 && includesNetwork) {
              adjust = lowest;
              continue;
            }
            priority = lowest - j;
            break;
          }
        }
        byPriority.computeIfAbsent(priority + adjust, p -> new ArrayList<>()).add(i);
      }
      for (Map.Entry<Integer, List<Integer>> e : byPriority.entrySet()) {
        LocalityLbEndpoints.Builder split = group.proto.clone().clearLbEndpoints();
        split.setPriority(e.getKey());
        long weight = 0;
        List<Endpoint> eps = new ArrayList<>();
        for (int index : e.getValue()) {
          LbEndpoint lb = group.proto.getLbEndpoints(index);
          split.addLbEndpoints(lb);
          weight += lb.getLoadBalancingWeight().getValue();
          eps.add(group.endpoints.get(index));
        }
        split.setLoadBalancingWeight(XdsProtos.uint32(weight));
        out.add(new Group(split, eps));
      }
    }
    Map<Integer, List<Integer>> byPriority = new TreeMap<>();
    for (int i = 0; i < out.size(); i++) {
      byPriority.computeIfAbsent(out.get(i).proto.getPriority(), p -> new ArrayList<>()).add(i);
    }
    compact(out, byPriority);
    return out;
  }

  /** Renumbers priorities 0..N in order, without gaps (Envoy requires that). */
  private static void compact(List<Group> groups, Map<Integer, List<Integer>> byPriority) {
    int next = 0;
    for (List<Integer> indexes : new TreeMap<>(byPriority).values()) {
      for (int i : indexes) {
        groups.get(i).proto.setPriority(next);
      }
      next++;
    }
  }

  private static Locality locality(Group g) {
    var l = g.proto.getLocality();
    return new Locality(l.getRegion(), l.getZone(), l.getSubZone());
  }

  /** istiod's util.LbPriority: 0 same subzone, 1 same zone, 2 same region, 3 elsewhere. */
  static int lbPriority(Locality proxy, Locality endpoints) {
    if (proxy.region().equals(endpoints.region())) {
      if (proxy.zone().equals(endpoints.zone())) {
        return proxy.subZone().equals(endpoints.subZone()) ? 0 : 1;
      }
      return 2;
    }
    return 3;
  }

  /** istiod's util.LocalityMatch: {@code region/zone/subzone} with {@code *} and omitted parts. */
  static boolean localityMatch(Locality l, String rule) {
    String[] parts = rule.split("/", 3);
    String region = parts[0];
    String zone = parts.length > 1 ? parts[1] : "";
    String subZone = parts.length > 2 ? parts[2] : "";
    return (region.equals("*") || l.region().equals(region))
        && (zone.equals("*") || zone.isEmpty() || l.zone().equals(zone))
        && (subZone.equals("*") || subZone.isEmpty() || l.subZone().equals(subZone));
  }

  /** Labels plus the topology labels a locality implies (istiod's AugmentLabels). */
  static Map<String, String> withTopology(Map<String, String> labels, Locality locality) {
    Map<String, String> out = new HashMap<>(labels);
    if (!locality.region().isEmpty()) {
      out.putIfAbsent(REGION_LABEL, locality.region());
    }
    if (!locality.zone().isEmpty()) {
      out.putIfAbsent(ZONE_LABEL, locality.zone());
    }
    if (!locality.subZone().isEmpty()) {
      out.putIfAbsent(SUBZONE_LABEL, locality.subZone());
    }
    return out;
  }
}
