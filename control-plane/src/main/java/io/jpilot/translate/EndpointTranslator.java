package io.jpilot.translate;

import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Endpoint;
import io.jpilot.model.registry.Locality;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * EDS, shared by sidecars and proxyless gRPC: one ClusterLoadAssignment per requested cluster.
 * Endpoints are the ready ones serving the cluster's service port, narrowed by the subset labels,
 * grouped by locality. Every locality group carries its locality and a load_balancing_weight of at
 * least 1 (grpc-java drops groups without a weight, grpc-js needs the locality).
 */
final class EndpointTranslator {

  /**
   * @param names requested cluster names; empty means every EDS cluster the proxy sees
   */
  SortedMap<String, Message> generate(MeshSnapshot snapshot, ProxyView proxy, Set<String> names) {
    SortedMap<String, Message> out = new TreeMap<>();
    if (names.isEmpty()) {
      for (OutboundCluster c : OutboundClusters.all(snapshot, proxy)) {
        if (c.usesEds()) {
          out.put(c.name(), loadAssignment(c.name(), endpoints(snapshot, c)));
        }
      }
      return out;
    }
    for (String name : names) {
      // An unknown cluster still gets an (empty) answer, so the client does not wait for it.
      Optional<OutboundCluster> c =
          ClusterKey.parse(name).flatMap(k -> OutboundClusters.resolve(snapshot, proxy, k));
      out.put(name, loadAssignment(name, c.map(x -> endpoints(snapshot, x)).orElse(List.of())));
    }
    return out;
  }

  /** Ready endpoints of the cluster's service port whose labels include the subset labels. */
  static List<Endpoint> endpoints(MeshSnapshot snapshot, OutboundCluster c) {
    Map<String, String> subset = c.subsetLabels();
    List<Endpoint> out = new ArrayList<>();
    for (Endpoint e : snapshot.endpoints(c.service().hostname())) {
      if (e.ready()
          && e.servicePortName().equals(c.port().name())
          && e.labels().entrySet().containsAll(subset.entrySet())) {
        out.add(e);
      }
    }
    return out;
  }

  static ClusterLoadAssignment loadAssignment(String clusterName, List<Endpoint> endpoints) {
    SortedMap<Locality, List<Endpoint>> byLocality = new TreeMap<>();
    for (Endpoint e : endpoints) {
      byLocality.computeIfAbsent(e.locality(), l -> new ArrayList<>()).add(e);
    }
    ClusterLoadAssignment.Builder cla =
        ClusterLoadAssignment.newBuilder().setClusterName(clusterName);
    byLocality.forEach(
        (locality, eps) -> {
          LocalityLbEndpoints.Builder group =
              LocalityLbEndpoints.newBuilder()
                  .setLocality(
                      io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
                          .setRegion(locality.region())
                          .setZone(locality.zone())
                          .setSubZone(locality.subZone()))
                  .setLoadBalancingWeight(XdsProtos.uint32(eps.size()));
          eps.stream()
              .sorted(
                  java.util.Comparator.comparing(Endpoint::address)
                      .thenComparingInt(Endpoint::port))
              .forEach(e -> group.addLbEndpoints(lbEndpoint(e)));
          cla.addEndpoints(group);
        });
    return cla.build();
  }

  private static LbEndpoint lbEndpoint(Endpoint e) {
    LbEndpoint.Builder b =
        LbEndpoint.newBuilder()
            .setEndpoint(
                io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                    .setAddress(XdsProtos.socketAddress(e.address(), e.port())))
            .setHealthStatus(HealthStatus.HEALTHY)
            .setLoadBalancingWeight(XdsProtos.uint32(1));
    if ("istio".equals(e.labels().get(IstioNames.TLS_MODE_LABEL))) {
      b.setMetadata(
          Metadata.newBuilder()
              .putFilterMetadata(
                  IstioNames.TRANSPORT_SOCKET_MATCH,
                  Struct.newBuilder()
                      .putFields("tlsMode", Value.newBuilder().setStringValue("istio").build())
                      .build()));
    }
    return b.build();
  }
}
