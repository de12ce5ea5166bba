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
import io.jpilot.model.config.ClientTlsSettings;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.LocalityLbSetting;
import io.jpilot.model.config.PortTrafficPolicy;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.registry.Endpoint;
import io.jpilot.model.registry.Locality;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * EDS, shared by sidecars and proxyless gRPC: one ClusterLoadAssignment per requested cluster.
 * Endpoints are the ready ones serving the cluster's service port with an IP address, narrowed by
 * the subset labels, grouped by locality (sorted). Every locality group carries its locality and
 * the sum of its endpoints' weights (at least 1: grpc-java drops groups without a weight, grpc-js
 * needs the locality). Locality load balancing then sets priorities and weights relative to the
 * proxy's own locality, as istiod's endpoint builder does.
 */
final class EndpointTranslator {
  private static final Comparator<Endpoint> BY_ADDRESS =
      Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port);

  /**
   * @param names requested cluster names; empty means every EDS cluster the proxy sees
   */
  SortedMap<String, Message> generate(MeshSnapshot snapshot, ProxyView proxy, Set<String> names) {
    SortedMap<String, Message> out = new TreeMap<>();
    if (names.isEmpty()) {
      for (OutboundCluster c : OutboundClusters.all(snapshot, proxy)) {
        if (c.usesEds()) {
          out.put(c.name(), loadAssignment(c, snapshot, proxy));
        }
      }
      return out;
    }
    for (String name : names) {
      // An unknown cluster still gets an (empty) answer, so the client does not wait for it.
      // SNI-DNAT gateway clusters (outbound_.<port>_.<subset>_.<host>) share their endpoints
      // with the outbound cluster of the same key.
      Optional<OutboundCluster> c =
          ClusterKey.parse(name)
              .or(() -> ClusterKey.parseSniName(name))
              .flatMap(k -> OutboundClusters.resolve(snapshot, proxy, k));
      out.put(
          name,
          c.map(x -> loadAssignment(x, snapshot, proxy).toBuilder().setClusterName(name).build())
              .orElseGet(() -> ClusterLoadAssignment.newBuilder().setClusterName(name).build()));
    }
    return out;
  }

  /** The EDS answer for one cluster, with locality load balancing applied for {@code proxy}. */
  static ClusterLoadAssignment loadAssignment(
      OutboundCluster c, MeshSnapshot snapshot, ProxyView proxy) {
    List<Endpoint> eps = new ArrayList<>();
    for (Endpoint e : endpoints(snapshot, c)) {
      if (IstioNames.isIpLiteral(e.address()) || e.port() == 0) {
        eps.add(e); // hostnames (DNS ServiceEntries) are resolved by Envoy, never sent over EDS
      }
    }
    List<LocalityLb.Group> groups = groups(c, eps);
    ClusterLoadAssignment.Builder cla = ClusterLoadAssignment.newBuilder().setClusterName(c.name());
    if (groups.isEmpty()) {
      return cla.build();
    }
    Optional<LocalityLbSetting> setting = LocalityLb.effective(c.policy());
    if (setting.isPresent()) {
      groups =
          LocalityLb.apply(
              groups,
              proxy.locality(),
              proxy.labels(),
              setting.get(),
              c.policy().outlierDetection().isPresent());
    }
    groups.forEach(g -> cla.addEndpoints(g.proto));
    return cla.build();
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

  /**
   * The endpoints grouped by locality, sorted by locality, each group weighted by the sum of its
   * endpoints' weights.
   */
  static List<LocalityLb.Group> groups(OutboundCluster c, List<Endpoint> endpoints) {
    boolean mtls = mtlsAllowed(c);
    // grouped by hash first: Locality's order compares strings, so sort the few keys only
    Map<Locality, List<Endpoint>> grouped = new HashMap<>();
    for (Endpoint e : endpoints) {
      grouped.computeIfAbsent(e.locality(), l -> new ArrayList<>()).add(e);
    }
    SortedMap<Locality, List<Endpoint>> byLocality = new TreeMap<>();
    grouped.forEach(
        (l, eps) ->
            byLocality.merge(
                l,
                eps,
                (a, b) -> {
                  a.addAll(b);
                  return a;
                }));
    List<LocalityLb.Group> out = new ArrayList<>();
    byLocality.forEach(
        (locality, eps) -> {
          List<Endpoint> sorted = eps;
          sorted.sort(BY_ADDRESS);
          LocalityLbEndpoints.Builder group =
              LocalityLbEndpoints.newBuilder()
                  .setLocality(
                      io.envoyproxy.envoy.config.core.v3.Locality.newBuilder()
                          .setRegion(locality.region())
                          .setZone(locality.zone())
                          .setSubZone(locality.subZone()));
          long weight = 0;
          for (Endpoint e : sorted) {
            group.addLbEndpoints(lbEndpoint(e, mtls));
            weight += e.effectiveWeight();
          }
          group.setLoadBalancingWeight(XdsProtos.uint32(Math.min(weight, 0xFFFF_FFFFL)));
          out.add(new LocalityLb.Group(group, sorted));
        });
    return out;
  }

  /** The groups as plain protos (STRICT_DNS / LOGICAL_DNS load assignments). */
  static List<LocalityLbEndpoints> localityLbEndpoints(List<LocalityLb.Group> groups) {
    List<LocalityLbEndpoints> out = new ArrayList<>();
    groups.forEach(g -> out.add(g.proto.build()));
    return out;
  }

  /**
   * istiod's mtlsChecker: a DestinationRule tls mode for this port (the subset's, else the rule's)
   * other than ISTIO_MUTUAL keeps endpoints from advertising Istio mTLS.
   */
  static boolean mtlsAllowed(OutboundCluster c) {
    if (c.rule().isEmpty()) {
      return true;
    }
    DestinationRule dr = c.rule().get();
    int port = c.port().port();
    Optional<ClientTlsSettings.Mode> mode = Optional.empty();
    if (c.subset().isPresent()) {
      mode = tlsModeForPort(c.subset().flatMap(Subset::trafficPolicy), port);
    }
    if (mode.isEmpty()) {
      mode = tlsModeForPort(dr.trafficPolicy(), port);
    }
    return mode.map(m -> m == ClientTlsSettings.Mode.ISTIO_MUTUAL).orElse(true);
  }

  private static Optional<ClientTlsSettings.Mode> tlsModeForPort(
      Optional<TrafficPolicy> policy, int port) {
    if (policy.isEmpty()) {
      return Optional.empty();
    }
    Optional<ClientTlsSettings.Mode> mode = policy.get().tls().map(ClientTlsSettings::mode);
    Optional<PortTrafficPolicy> pl = policy.get().portLevel(port);
    if (pl.isPresent() && pl.get().tls().isPresent()) {
      mode = pl.get().tls().map(ClientTlsSettings::mode);
    }
    return mode;
  }

  private static LbEndpoint lbEndpoint(Endpoint e, boolean mtlsAllowed) {
    LbEndpoint.Builder b =
        LbEndpoint.newBuilder()
            .setEndpoint(
                io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                    .setAddress(XdsProtos.socketAddress(e.address(), e.port())))
            .setHealthStatus(HealthStatus.HEALTHY)
            .setLoadBalancingWeight(XdsProtos.uint32(e.effectiveWeight()));
    if (mtlsAllowed && Endpoint.TLS_MODE_ISTIO.equals(e.tlsMode())) {
      b.setMetadata(
          Metadata.newBuilder()
              .putFilterMetadata(
                  IstioNames.TRANSPORT_SOCKET_MATCH,
                  Struct.newBuilder()
                      .putFields(
                          "tlsMode",
                          Value.newBuilder().setStringValue(Endpoint.TLS_MODE_ISTIO).build())
                      .build()));
    }
    return b.build();
  }
}
