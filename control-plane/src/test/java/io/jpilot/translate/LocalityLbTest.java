package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Locality load balancing relative to the proxy (istiod's loadbalancer.go), on inline DNS load
 * assignments (TestSidecarLocalityLB, TestLocalityLBDestinationRuleOverride) and on EDS.
 */
class LocalityLbTest {
  static final ProxyView IN_SUBZONE1 =
      YamlMesh.sidecar("default", Map.of(), "region1/zone1/subzone1");

  /** istiod's test instances: weights 40, 20 and 40 in three localities. */
  static final String DNS_ENTRY =
      """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: example, namespace: default}
      spec:
        hosts: [api.example.org]
        ports: [{number: 8080, name: http, protocol: HTTP}]
        resolution: DNS
        endpoints:
        - {address: 6.6.6.6, locality: region1/zone1/subzone1, weight: 40}
        - {address: 6.6.6.7, locality: region1/zone1/subzone2, weight: 20}
        - {address: 6.6.6.8, locality: region2/zone1/subzone1, weight: 40}
      ---
      """;

  static Map<String, LocalityLbEndpoints> byLocality(ClusterLoadAssignment cla) {
    Map<String, LocalityLbEndpoints> out = new TreeMap<>();
    for (LocalityLbEndpoints l : cla.getEndpointsList()) {
      out.put(
          l.getLocality().getRegion()
              + "/"
              + l.getLocality().getZone()
              + "/"
              + l.getLocality().getSubZone(),
          l);
    }
    return out;
  }

  @Test
  void distributeWeighsLocalitiesForTheProxysLocality() {
    MeshSnapshot s =
        YamlMesh.of(
            DNS_ENTRY
                + YamlMesh.dr(
                    "default",
                    "api.example.org",
                    """
                    trafficPolicy:
                      outlierDetection: {minHealthPercent: 10}
                      loadBalancer:
                        localityLbSetting:
                          distribute:
                          - from: region1/zone1/subzone1
                            to: {"region1/zone1/*": 60, "region2/zone1/subzone1": 40}
                    """));
    Cluster c = Generated.cluster(s, IN_SUBZONE1, "outbound|8080||api.example.org");
    assertThat(c.getCommonLbConfig().getHealthyPanicThreshold().getValue()).isEqualTo(10.0);
    assertThat(c.getCommonLbConfig().hasLocalityWeightedLbConfig()).isTrue();
    Map<String, LocalityLbEndpoints> l = byLocality(c.getLoadAssignment());
    assertThat(l).hasSize(3);
    assertThat(l.get("region1/zone1/subzone1").getLoadBalancingWeight().getValue()).isEqualTo(40);
    assertThat(
            l.get("region1/zone1/subzone1").getLbEndpoints(0).getLoadBalancingWeight().getValue())
        .isEqualTo(40);
    assertThat(l.get("region1/zone1/subzone2").getLoadBalancingWeight().getValue()).isEqualTo(20);
    assertThat(l.get("region2/zone1/subzone1").getLoadBalancingWeight().getValue()).isEqualTo(40);
    assertThat(l.get("region2/zone1/subzone1").getLbEndpointsCount()).isEqualTo(1);

    // a proxy elsewhere matches no distribute rule: weights stay as they are
    ProxyView other = YamlMesh.sidecar("default", Map.of(), "region3/zone9/a");
    Map<String, LocalityLbEndpoints> untouched =
        byLocality(
            Generated.cluster(s, other, "outbound|8080||api.example.org").getLoadAssignment());
    assertThat(untouched.get("region1/zone1/subzone2").getLoadBalancingWeight().getValue())
        .isEqualTo(20);
  }

  @Test
  void unmatchedLocalitiesLoseTheirEndpoints() {
    MeshSnapshot s =
        YamlMesh.of(
            DNS_ENTRY
                + YamlMesh.dr(
                    "default",
                    "api.example.org",
                    """
                    trafficPolicy:
                      loadBalancer:
                        localityLbSetting:
                          distribute:
                          - from: "region1/*"
                            to: {"region1/zone1/subzone1": 100}
                    """));
    Map<String, LocalityLbEndpoints> l =
        byLocality(
            Generated.cluster(s, IN_SUBZONE1, "outbound|8080||api.example.org")
                .getLoadAssignment());
    assertThat(l.get("region1/zone1/subzone1").getLoadBalancingWeight().getValue()).isEqualTo(100);
    assertThat(l.get("region1/zone1/subzone2").getLbEndpointsCount()).isZero();
    assertThat(l.get("region2/zone1/subzone1").getLbEndpointsCount()).isZero();
  }

  @Test
  void failoverPrioritiesFollowTheProxyOnlyWithOutlierDetection() {
    MeshSnapshot s =
        YamlMesh.of(
            DNS_ENTRY
                + YamlMesh.dr(
                    "default",
                    "api.example.org",
                    "trafficPolicy: {outlierDetection: {minHealthPercent: 10}}"));
    Map<String, LocalityLbEndpoints> l =
        byLocality(
            Generated.cluster(s, IN_SUBZONE1, "outbound|8080||api.example.org")
                .getLoadAssignment());
    assertThat(l.get("region1/zone1/subzone1").getPriority()).isEqualTo(0);
    assertThat(l.get("region1/zone1/subzone2").getPriority()).isEqualTo(1);
    assertThat(l.get("region2/zone1/subzone1").getPriority()).isEqualTo(2);

    MeshSnapshot noOutlier =
        YamlMesh.of(
            DNS_ENTRY
                + YamlMesh.dr(
                    "default",
                    "api.example.org",
                    "trafficPolicy: {loadBalancer: {simple: RANDOM}}"));
    assertThat(
            Generated.cluster(noOutlier, IN_SUBZONE1, "outbound|8080||api.example.org")
                .getLoadAssignment()
                .getEndpointsList())
        .allSatisfy(g -> assertThat(g.getPriority()).isZero());
  }

  @Test
  void edsPrioritiesAreRelativeToTheProxyAndHonourRegionFailover() {
    TestMesh mesh =
        TestMesh.create()
            .service("reviews", "default", "10.96.0.12", TestMesh.http(9080))
            .workload(
                "reviews", "default", "r-a", "10.0.0.1", Map.of("app", "reviews"), "us-east/a/1")
            .workload(
                "reviews", "default", "r-b", "10.0.0.2", Map.of("app", "reviews"), "us-east/b/1")
            .workload(
                "reviews", "default", "r-c", "10.0.0.3", Map.of("app", "reviews"), "us-west/a/1")
            .workload("reviews", "default", "r-d", "10.0.0.4", Map.of("app", "reviews"), "eu/a/1");
    MeshSnapshot s =
        YamlMesh.of(
            mesh,
            YamlMesh.dr(
                "default",
                "reviews",
                """
                trafficPolicy:
                  outlierDetection: {consecutive5xxErrors: 3}
                  loadBalancer:
                    localityLbSetting:
                      failover: [{from: us-east, to: eu}]
                """));
    String name = "outbound|9080||" + TestMesh.fqdn("reviews", "default");
    ProxyView eastA = YamlMesh.sidecar("default", Map.of(), "us-east/a/1");
    Map<String, LocalityLbEndpoints> l = byLocality(Generated.endpoints(s, eastA, name));
    assertThat(l.get("us-east/a/1").getPriority()).isEqualTo(0);
    assertThat(l.get("us-east/b/1").getPriority()).isEqualTo(1);
    // other regions: the failover target first, everything else after it
    assertThat(l.get("eu/a/1").getPriority()).isEqualTo(2);
    assertThat(l.get("us-west/a/1").getPriority()).isEqualTo(3);

    ProxyView west = YamlMesh.sidecar("default", Map.of(), "us-west/a/1");
    Map<String, LocalityLbEndpoints> w = byLocality(Generated.endpoints(s, west, name));
    assertThat(w.get("us-west/a/1").getPriority()).isEqualTo(0);
    assertThat(w.get("us-east/a/1").getPriority()).isEqualTo(1);
    assertThat(w.get("us-east/b/1").getPriority()).isEqualTo(1);
    assertThat(w.get("eu/a/1").getPriority()).isEqualTo(1);
  }

  @Test
  void failoverPriorityLabelsSplitLocalitiesByMatchingLabels() {
    TestMesh mesh =
        TestMesh.create()
            .service("reviews", "default", "10.96.0.12", TestMesh.http(9080))
            .workload(
                "reviews",
                "default",
                "r-1",
                "10.0.0.1",
                Map.of("app", "reviews", "tier", "gold"),
                "r/z/s")
            .workload(
                "reviews",
                "default",
                "r-2",
                "10.0.0.2",
                Map.of("app", "reviews", "tier", "silver"),
                "r/z/s");
    MeshSnapshot s =
        YamlMesh.of(
            mesh,
            YamlMesh.dr(
                "default",
                "reviews",
                """
                trafficPolicy:
                  outlierDetection: {consecutive5xxErrors: 3}
                  loadBalancer: {localityLbSetting: {failoverPriority: [tier]}}
                """));
    ProxyView gold = YamlMesh.sidecar("default", Map.of("tier", "gold"), "r/z/s");
    ClusterLoadAssignment cla =
        Generated.endpoints(s, gold, "outbound|9080||" + TestMesh.fqdn("reviews", "default"));
    assertThat(cla.getEndpointsCount()).isEqualTo(2);
    assertThat(cla.getEndpoints(0).getPriority()).isEqualTo(0);
    assertThat(
            cla.getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getAddress())
        .isEqualTo("10.0.0.1");
    assertThat(cla.getEndpoints(0).getLoadBalancingWeight().getValue()).isEqualTo(1);
    assertThat(cla.getEndpoints(1).getPriority()).isEqualTo(1);
  }
}
