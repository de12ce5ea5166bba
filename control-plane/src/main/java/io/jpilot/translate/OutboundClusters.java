package io.jpilot.translate;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Plans the outbound clusters a proxy sees: for every service port (UDP excluded, as istiod does)
 * the default cluster plus one per subset of the DestinationRule that applies to the proxy's
 * namespace. The subset's traffic policy is overlaid on the rule's top-level policy.
 */
final class OutboundClusters {
  private OutboundClusters() {}

  /** Every outbound cluster, sorted by name. */
  static List<OutboundCluster> all(MeshSnapshot snapshot, ProxyView proxy) {
    List<OutboundCluster> out = new ArrayList<>();
    for (Service svc : snapshot.services().values()) {
      Optional<DestinationRule> dr = snapshot.destinationRule(svc.hostname(), proxy.namespace());
      for (ServicePort port : svc.ports()) {
        if (port.protocol() == Protocol.UDP) {
          continue;
        }
        out.add(defaultCluster(svc, port, dr));
        for (Subset subset : dr.map(DestinationRule::subsets).orElse(List.of())) {
          out.add(subsetCluster(svc, port, dr.get(), subset));
        }
      }
    }
    out.sort(Comparator.comparing(OutboundCluster::name));
    return out;
  }

  /** The cluster a key names, when its service, port and (for subset keys) subset exist. */
  static Optional<OutboundCluster> resolve(MeshSnapshot snapshot, ProxyView proxy, ClusterKey key) {
    Optional<Service> svc = snapshot.service(key.host());
    if (svc.isEmpty()) {
      return Optional.empty();
    }
    Optional<ServicePort> port = svc.get().port(key.port());
    if (port.isEmpty() || port.get().protocol() == Protocol.UDP) {
      return Optional.empty();
    }
    Optional<DestinationRule> dr = snapshot.destinationRule(key.host(), proxy.namespace());
    if (!key.hasSubset()) {
      return Optional.of(defaultCluster(svc.get(), port.get(), dr));
    }
    return dr.flatMap(
        rule ->
            rule.subsets().stream()
                .filter(s -> s.name().equals(key.subset()))
                .findFirst()
                .map(s -> subsetCluster(svc.get(), port.get(), rule, s)));
  }

  private static OutboundCluster defaultCluster(
      Service svc, ServicePort port, Optional<DestinationRule> dr) {
    TrafficPolicy policy = dr.flatMap(DestinationRule::trafficPolicy).orElse(TrafficPolicy.EMPTY);
    return new OutboundCluster(
        ClusterKey.of(svc.hostname(), port.port()), svc, port, dr, Optional.empty(), policy);
  }

  private static OutboundCluster subsetCluster(
      Service svc, ServicePort port, DestinationRule dr, Subset subset) {
    TrafficPolicy top = dr.trafficPolicy().orElse(TrafficPolicy.EMPTY);
    TrafficPolicy merged = top.overlay(subset.trafficPolicy().orElse(null));
    return new OutboundCluster(
        new ClusterKey(port.port(), subset.name(), svc.hostname()),
        svc,
        port,
        Optional.of(dr),
        Optional.of(subset),
        merged);
  }
}
