package io.jpilot.translate;

import static io.jpilot.translate.BookinfoMesh.REVIEWS;
import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.http;
import static io.jpilot.translate.TestMesh.port;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EndpointTranslatorTest {
  private static final ProxyView PRODUCTPAGE = BookinfoMesh.productpage();

  private static List<String> addresses(ClusterLoadAssignment cla) {
    return cla.getEndpointsList().stream()
        .flatMap(l -> l.getLbEndpointsList().stream())
        .map(e -> e.getEndpoint().getAddress().getSocketAddress())
        .map(a -> a.getAddress() + ":" + a.getPortValue())
        .collect(Collectors.toList());
  }

  @Test
  void subsetClustersOnlyHaveEndpointsWithTheSubsetLabels() {
    MeshSnapshot s = BookinfoMesh.bookinfo();
    assertThat(addresses(Generated.endpoints(s, PRODUCTPAGE, "outbound|9080|v1|" + REVIEWS)))
        .containsExactly("10.244.0.13:9080");
    assertThat(addresses(Generated.endpoints(s, PRODUCTPAGE, "outbound|9080|v3|" + REVIEWS)))
        .containsExactly("10.244.0.16:9080");
    assertThat(addresses(Generated.endpoints(s, PRODUCTPAGE, "outbound|9080||" + REVIEWS)))
        .containsExactly("10.244.0.13:9080", "10.244.0.16:9080", "10.244.1.14:9080");
  }

  @Test
  void unreadyEndpointsAreExcluded() {
    // reviews-v2-eee (10.244.1.15) is not ready
    ClusterLoadAssignment v2 =
        Generated.endpoints(BookinfoMesh.bookinfo(), PRODUCTPAGE, "outbound|9080|v2|" + REVIEWS);
    assertThat(addresses(v2)).containsExactly("10.244.1.14:9080");
  }

  @Test
  void endpointsAreGroupedByLocalityWithWeights() {
    MeshSnapshot s =
        TestMesh.create()
            .service("web", "default", "10.96.0.40", http(80))
            .workload("web", "default", "web-1", "10.0.0.3", Map.of(), "r1/z1/s1")
            .workload("web", "default", "web-2", "10.0.0.1", Map.of(), "r1/z1/s1")
            .workload("web", "default", "web-3", "10.0.0.2", Map.of(), "r1/z2/")
            .workload("web", "default", "web-4", "10.0.0.4", Map.of(), "")
            .build();
    ClusterLoadAssignment cla =
        Generated.endpoints(s, PRODUCTPAGE, "outbound|80||" + fqdn("web", "default"));
    List<LocalityLbEndpoints> groups = cla.getEndpointsList();
    assertThat(groups).hasSize(3);
    // the empty locality sorts first; it still carries a locality and a weight
    assertThat(groups.get(0).hasLocality()).isTrue();
    assertThat(groups.get(0).getLocality().getRegion()).isEmpty();
    assertThat(groups.get(0).getLoadBalancingWeight().getValue()).isEqualTo(1);
    assertThat(groups.get(1).getLocality().getZone()).isEqualTo("z1");
    assertThat(groups.get(1).getLocality().getSubZone()).isEqualTo("s1");
    assertThat(groups.get(1).getLoadBalancingWeight().getValue()).isEqualTo(2);
    assertThat(groups.get(1).getLbEndpointsList())
        .extracting(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
        .containsExactly("10.0.0.1", "10.0.0.3");
    assertThat(groups.get(2).getLocality().getZone()).isEqualTo("z2");
    for (LocalityLbEndpoints g : groups) {
      for (LbEndpoint e : g.getLbEndpointsList()) {
        assertThat(e.getLoadBalancingWeight().getValue()).isEqualTo(1);
      }
    }
  }

  @Test
  void noEndpointsStillYieldsAnAssignment() {
    MeshSnapshot s = TestMesh.create().service("idle", "default", "10.96.0.50", http(80)).build();
    String name = "outbound|80||" + fqdn("idle", "default");
    ClusterLoadAssignment cla = Generated.endpoints(s, PRODUCTPAGE, name);
    assertThat(cla.getClusterName()).isEqualTo(name);
    assertThat(cla.getEndpointsCount()).isZero();
    // wildcard requests include it too
    assertThat(Generated.resources(s, PRODUCTPAGE, XdsType.ENDPOINT)).containsKey(name);
  }

  @Test
  void unknownClustersGetAnEmptyAssignment() {
    MeshSnapshot s = BookinfoMesh.bookinfo();
    for (String name :
        List.of(
            "outbound|9080||nope.default.svc.cluster.local",
            "outbound|9080|v9|" + REVIEWS,
            "BlackHoleCluster")) {
      assertThat(Generated.endpoints(s, PRODUCTPAGE, name).getEndpointsCount()).isZero();
    }
  }

  @Test
  void eachPortUsesTheEndpointsOfItsNamedTargetPort() {
    MeshSnapshot s =
        TestMesh.create()
            .service("api", "default", "10.96.0.30", http(80), port("grpc", 7070, 17070))
            .workload(
                "api",
                "default",
                "api-1",
                "10.0.1.1",
                Map.of("security.istio.io/tlsMode", "istio"),
                "")
            .build();
    ClusterLoadAssignment grpc =
        Generated.endpoints(s, PRODUCTPAGE, "outbound|7070||" + fqdn("api", "default"));
    assertThat(addresses(grpc)).containsExactly("10.0.1.1:17070");
    assertThat(
            grpc.getEndpoints(0)
                .getLbEndpoints(0)
                .getMetadata()
                .getFilterMetadataOrThrow("envoy.transport_socket_match")
                .getFieldsOrThrow("tlsMode")
                .getStringValue())
        .isEqualTo("istio");
    assertThat(
            addresses(
                Generated.endpoints(s, PRODUCTPAGE, "outbound|80||" + fqdn("api", "default"))))
        .containsExactly("10.0.1.1:80");
  }

  @Test
  void wildcardRequestCoversEveryEdsCluster() {
    assertThat(Generated.resources(BookinfoMesh.bookinfo(), PRODUCTPAGE, XdsType.ENDPOINT).keySet())
        .containsExactly(
            "outbound|9080|v1|" + REVIEWS,
            "outbound|9080|v2|" + REVIEWS,
            "outbound|9080|v3|" + REVIEWS,
            "outbound|9080||" + fqdn("details", "default"),
            "outbound|9080||" + fqdn("productpage", "default"),
            "outbound|9080||" + fqdn("ratings", "default"),
            "outbound|9080||" + REVIEWS);
  }
}
