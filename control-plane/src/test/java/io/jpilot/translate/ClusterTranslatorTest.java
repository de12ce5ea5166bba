package io.jpilot.translate;

import static io.jpilot.translate.BookinfoMesh.REVIEWS;
import static io.jpilot.translate.TestMesh.dr;
import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.http;
import static io.jpilot.translate.TestMesh.port;
import static io.jpilot.translate.TestMesh.subset;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.LoadBalancer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterTranslatorTest {
  private static final ProxyView PRODUCTPAGE = BookinfoMesh.productpage();

  private static String subsetName(String subset) {
    return "outbound|9080|" + subset + "|" + REVIEWS;
  }

  private static MeshSnapshot reviewsWith(LoadBalancer top, LoadBalancer v3) {
    return TestMesh.create()
        .service("reviews", "default", "10.96.0.12", http(9080))
        .add(
            dr(
                "default",
                "reviews",
                "reviews",
                top,
                subset("v1", Map.of("version", "v1")),
                v3 == null
                    ? subset("v3", Map.of("version", "v3"))
                    : subset("v3", Map.of("version", "v3"), v3)))
        .build();
  }

  @Test
  void oneClusterPerServicePortAndSubsetPlusSpecialClusters() {
    assertThat(Generated.resources(BookinfoMesh.bookinfo(), PRODUCTPAGE, XdsType.CLUSTER).keySet())
        .containsExactly(
            "BlackHoleCluster",
            "InboundPassthroughCluster",
            "PassthroughCluster",
            "inbound|9080||",
            subsetName("v1"),
            subsetName("v2"),
            subsetName("v3"),
            "outbound|9080||" + fqdn("details", "default"),
            "outbound|9080||" + fqdn("productpage", "default"),
            "outbound|9080||" + fqdn("ratings", "default"),
            "outbound|9080||" + REVIEWS);
  }

  @Test
  void edsClusterShape() {
    Cluster c = Generated.cluster(BookinfoMesh.bookinfo(), PRODUCTPAGE, subsetName("v2"));
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(c.getEdsClusterConfig().getServiceName()).isEqualTo(subsetName("v2"));
    assertThat(c.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    assertThat(c.getEdsClusterConfig().getEdsConfig().getResourceApiVersion())
        .isEqualTo(ApiVersion.V3);
    assertThat(c.getEdsClusterConfig().getEdsConfig().hasInitialFetchTimeout()).isTrue();
    assertThat(c.getConnectTimeout().getSeconds()).isEqualTo(10);
    assertThat(c.hasCommonLbConfig()).isTrue();
    assertThat(c.getAltStatName()).isEqualTo(subsetName("v2") + ";");
    CircuitBreakers.Thresholds t = c.getCircuitBreakers().getThresholds(0);
    assertThat(t.getMaxConnections().getValue()).isEqualTo(-1); // 4294967295 as uint32
    assertThat(Integer.toUnsignedLong(t.getMaxRequests().getValue())).isEqualTo(4294967295L);
    assertThat(Integer.toUnsignedLong(t.getMaxPendingRequests().getValue())).isEqualTo(4294967295L);
    assertThat(Integer.toUnsignedLong(t.getMaxRetries().getValue())).isEqualTo(4294967295L);
    assertThat(t.getTrackRemaining()).isTrue();
    var istio = c.getMetadata().getFilterMetadataOrThrow("istio");
    assertThat(istio.getFieldsOrThrow("config").getStringValue())
        .isEqualTo("/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews");
    assertThat(istio.getFieldsOrThrow("subset").getStringValue()).isEqualTo("v2");
    assertThat(
            istio
                .getFieldsOrThrow("services")
                .getListValue()
                .getValues(0)
                .getStructValue()
                .getFieldsOrThrow("host")
                .getStringValue())
        .isEqualTo(REVIEWS);
  }

  @Test
  void loadBalancerDefaultsToLeastRequest() {
    MeshSnapshot s =
        TestMesh.create().service("reviews", "default", "10.96.0.12", http(9080)).build();
    Cluster c = Generated.cluster(s, PRODUCTPAGE, "outbound|9080||" + REVIEWS);
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(c.getMetadata().getFilterMetadataOrThrow("istio").containsFields("config"))
        .isFalse();
  }

  @Test
  void subsetPolicyOverlaysTheTopLevelPolicy() {
    MeshSnapshot s = reviewsWith(LoadBalancer.RANDOM, LoadBalancer.ROUND_ROBIN);
    assertThat(Generated.cluster(s, PRODUCTPAGE, "outbound|9080||" + REVIEWS).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(Generated.cluster(s, PRODUCTPAGE, subsetName("v1")).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(Generated.cluster(s, PRODUCTPAGE, subsetName("v3")).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);

    MeshSnapshot noTop = reviewsWith(null, LoadBalancer.LEAST_CONN);
    assertThat(Generated.cluster(noTop, PRODUCTPAGE, subsetName("v1")).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(Generated.cluster(noTop, PRODUCTPAGE, subsetName("v3")).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
  }

  @Test
  void passthroughLoadBalancerMakesAnOriginalDestinationCluster() {
    MeshSnapshot s = reviewsWith(LoadBalancer.ROUND_ROBIN, LoadBalancer.PASSTHROUGH);
    Cluster v3 = Generated.cluster(s, PRODUCTPAGE, subsetName("v3"));
    assertThat(v3.getType()).isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(v3.getLbPolicy()).isEqualTo(Cluster.LbPolicy.CLUSTER_PROVIDED);
    assertThat(v3.hasEdsClusterConfig()).isFalse();
    // and EDS does not offer it
    assertThat(Generated.resources(s, PRODUCTPAGE, XdsType.ENDPOINT).keySet())
        .doesNotContain(subsetName("v3"))
        .contains(subsetName("v1"));
  }

  @Test
  void http2PortsGetHttp2ProtocolOptions() throws Exception {
    MeshSnapshot s =
        TestMesh.create()
            .service(
                "api",
                "default",
                "10.96.0.30",
                port("grpc", 7070, 7070),
                http(8080),
                port("tcp-db", 5432, 5432),
                port("udp-dns", 53, 53))
            .build();
    Cluster grpc = Generated.cluster(s, PRODUCTPAGE, "outbound|7070||" + fqdn("api", "default"));
    HttpProtocolOptions opts =
        grpc.getTypedExtensionProtocolOptionsOrThrow(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
            .unpack(HttpProtocolOptions.class);
    assertThat(opts.getExplicitHttpConfig().hasHttp2ProtocolOptions()).isTrue();
    Cluster http1 = Generated.cluster(s, PRODUCTPAGE, "outbound|8080||" + fqdn("api", "default"));
    assertThat(http1.getTypedExtensionProtocolOptionsMap()).isEmpty();
    // TCP ports get a cluster; UDP ports do not
    assertThat(Generated.resources(s, PRODUCTPAGE, XdsType.CLUSTER).keySet())
        .contains("outbound|5432||" + fqdn("api", "default"))
        .doesNotContain("outbound|53||" + fqdn("api", "default"));
  }

  @Test
  void headlessServicesUseOriginalDestination() {
    MeshSnapshot s =
        TestMesh.create().service("db", "default", "None", port("tcp", 5432, 5432)).build();
    Cluster c = Generated.cluster(s, PRODUCTPAGE, "outbound|5432||" + fqdn("db", "default"));
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.CLUSTER_PROVIDED);
  }

  @Test
  void specialClusters() {
    var all = Generated.resources(BookinfoMesh.bookinfo(), PRODUCTPAGE, XdsType.CLUSTER);
    Cluster blackHole = (Cluster) all.get("BlackHoleCluster");
    assertThat(blackHole.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    assertThat(blackHole.hasLoadAssignment()).isFalse();
    Cluster passthrough = (Cluster) all.get("PassthroughCluster");
    assertThat(passthrough.getType()).isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(passthrough.getLbPolicy()).isEqualTo(Cluster.LbPolicy.CLUSTER_PROVIDED);
  }

  @Test
  void destinationRuleInTheProxyNamespaceWins() {
    MeshSnapshot s =
        TestMesh.create()
            .service("reviews", "default", "10.96.0.12", http(9080))
            .add(dr("default", "reviews", REVIEWS, LoadBalancer.RANDOM))
            .add(dr("team", "reviews", REVIEWS, LoadBalancer.ROUND_ROBIN))
            .build();
    ProxyView team = TestMesh.sidecar("client", "team", "10.244.9.9", Map.of());
    assertThat(Generated.cluster(s, team, "outbound|9080||" + REVIEWS).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(Generated.cluster(s, PRODUCTPAGE, "outbound|9080||" + REVIEWS).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RANDOM);
  }
}
