package io.jpilot.translate;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Resolution;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Plans the outbound clusters a proxy sees: for every service port visible to the proxy's namespace
 * (UDP excluded, as istiod does) the default cluster plus one per subset of the DestinationRule
 * that applies to the proxy. The traffic policy of each is istiod's merge for that port: the rule's
 * (or its port-level entry's), overlaid by the subset's.
 */
final class OutboundClusters {
  private OutboundClusters() {}

  /** Every outbound cluster, sorted by name. */
  static List<OutboundCluster> all(MeshSnapshot snapshot, ProxyView proxy) {
    List<OutboundCluster> out = new ArrayList<>();
    boolean router = proxy.type() == ProxyView.Type.ROUTER;
    for (Service svc : snapshot.services().values()) {
      if (!buildable(svc) || !svc.visibleTo(proxy.namespace())) {
        continue;
      }
      Optional<DestinationRule> dr = snapshot.destinationRule(svc.hostname(), proxy);
      for (ServicePort port : svc.ports()) {
        if (port.protocol() == Protocol.UDP) {
          continue;
        }
        out.add(defaultCluster(svc, port, dr, router));
        for (Subset subset : dr.map(DestinationRule::subsets).orElse(List.of())) {
          out.add(subsetCluster(svc, port, dr.get(), subset, router));
        }
      }
    }
    out.sort(Comparator.comparing(OutboundCluster::name));
    return out;
  }

  /** The cluster a key names, when its service, port and (for subset keys) subset exist. */
  static Optional<OutboundCluster> resolve(MeshSnapshot snapshot, ProxyView proxy, ClusterKey key) {
    Optional<Service> svc = snapshot.service(key.host());
    if (svc.isEmpty() || !buildable(svc.get()) || !svc.get().visibleTo(proxy.namespace())) {
      return Optional.empty();
    }
    Optional<ServicePort> port = svc.get().port(key.port());
    if (port.isEmpty() || port.get().protocol() == Protocol.UDP) {
      return Optional.empty();
    }
    boolean router = proxy.type() == ProxyView.Type.ROUTER;
    Optional<DestinationRule> dr = snapshot.destinationRule(key.host(), proxy);
    if (!key.hasSubset()) {
      return Optional.of(defaultCluster(svc.get(), port.get(), dr, router));
    }
    return dr.flatMap(
        rule ->
            rule.subset(key.subset())
                .map(s -> subsetCluster(svc.get(), port.get(), rule, s, router)));
  }

  /** DYNAMIC_DNS services need the dynamic forward proxy cluster, which is not built. */
  private static boolean buildable(Service svc) {
    return svc.resolution() != Resolution.DYNAMIC_DNS;
  }

  private static OutboundCluster defaultCluster(
      Service svc, ServicePort port, Optional<DestinationRule> dr, boolean router) {
    TrafficPolicy policy =
        TrafficPolicy.forSubset(
            dr.flatMap(DestinationRule::trafficPolicy), Optional.empty(), port.port());
    return new OutboundCluster(
        ClusterKey.of(svc.hostname(), port.port()),
        svc,
        port,
        dr,
        Optional.empty(),
        policy,
        router);
  }

  private static OutboundCluster subsetCluster(
      Service svc, ServicePort port, DestinationRule dr, Subset subset, boolean router) {
    TrafficPolicy merged =
        TrafficPolicy.forSubset(dr.trafficPolicy(), subset.trafficPolicy(), port.port());
    return new OutboundCluster(
        new ClusterKey(port.port(), subset.name(), svc.hostname()),
        svc,
        port,
        Optional.of(dr),
        Optional.of(subset),
        merged,
        router);
  }
}
