package io.jpilot.translate;

import static io.jpilot.translate.BookinfoMesh.REVIEWS;
import static io.jpilot.translate.TestMesh.dest;
import static io.jpilot.translate.TestMesh.dr;
import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.http;
import static io.jpilot.translate.TestMesh.port;
import static io.jpilot.translate.TestMesh.route;
import static io.jpilot.translate.TestMesh.subset;
import static io.jpilot.translate.TestMesh.vs;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.LoadBalancer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class GrpcGeneratorTest {
  private static final ProxyView CLIENT = TestMesh.grpc("client-1", "default", "10.244.0.30");
  private static final String ROUTE_NAME = "outbound|9080||" + REVIEWS;

  private static SortedMap<String, Message> lds(MeshSnapshot s, String... names) {
    return Generated.resources(s, CLIENT, XdsType.LISTENER, names);
  }

  @Test
  void listenerIsNamedExactlyAsRequestedAndPointsAtTheClusterKeyRoute() throws Exception {
    SortedMap<String, Message> out = lds(BookinfoMesh.bookinfo(), REVIEWS + ":9080");
    assertThat(out.keySet()).containsExactly(REVIEWS + ":9080");
    Listener l = (Listener) out.get(REVIEWS + ":9080");
    HttpConnectionManager hcm =
        l.getApiListener().getApiListener().unpack(HttpConnectionManager.class);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo(ROUTE_NAME);
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    assertThat(hcm.getHttpFiltersList())
        .extracting(f -> f.getName())
        .containsExactly("envoy.filters.http.fault", "envoy.filters.http.router");
    assertThat(hcm.getHttpFilters(0).getTypedConfig().is(HTTPFault.class)).isTrue();
    assertThat(hcm.getHttpFilters(1).getTypedConfig().is(Router.class)).isTrue();
    assertThat(l.getAddress().getSocketAddress().getAddress()).isEqualTo("10.96.0.12");
  }

  @Test
  void shortNamesExpandAgainstTheProxyDomain() {
    MeshSnapshot s = BookinfoMesh.bookinfo();
    assertThat(lds(s, "reviews:9080").keySet()).containsExactly("reviews:9080");
    assertThat(lds(s, "reviews.default:9080").keySet()).containsExactly("reviews.default:9080");
    assertThat(lds(s, "reviews.default.svc:9080").keySet())
        .containsExactly("reviews.default.svc:9080");
    // the same service watched under two names gets two listeners
    assertThat(lds(s, "reviews:9080", REVIEWS + ":9080").keySet())
        .containsExactly(REVIEWS + ":9080", "reviews:9080");
    // another namespace's short form is not expanded
    assertThat(lds(s, "reviews.other:9080")).isEmpty();
  }

  @Test
  void unknownHostsAndPortsAreOmitted() {
    MeshSnapshot s = BookinfoMesh.bookinfo();
    assertThat(lds(s, "nope:9080")).isEmpty();
    assertThat(lds(s, "reviews:1234")).isEmpty();
    assertThat(lds(s, "xds.istio.io/grpc/lds/inbound/0.0.0.0:9080")).isEmpty();
  }

  @Test
  void nameWithoutPortMatchesEveryPort() {
    MeshSnapshot s =
        TestMesh.create()
            .service("api", "default", "10.96.0.30", port("grpc", 7070, 7070), http(8080))
            .build();
    assertThat(lds(s, "api").keySet()).containsExactly("api:7070", "api:8080");
    // wildcard: every service port under its FQDN
    assertThat(lds(s).keySet())
        .containsExactly(fqdn("api", "default") + ":7070", fqdn("api", "default") + ":8080");
  }

  @Test
  void routeConfigurationHasTheOneVirtualHostWithPortDomains() {
    RouteConfiguration rc =
        (RouteConfiguration)
            Generated.resources(BookinfoMesh.bookinfo(), CLIENT, XdsType.ROUTE, ROUTE_NAME)
                .get(ROUTE_NAME);
    assertThat(rc.getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .containsExactly(REVIEWS + ":9080");
    assertThat(rc.getVirtualHosts(0).getDomainsList())
        .containsExactly(
            REVIEWS,
            REVIEWS + ":9080",
            "reviews",
            "reviews:9080",
            "reviews.default.svc",
            "reviews.default.svc:9080",
            "reviews.default",
            "reviews.default:9080",
            "10.96.0.12",
            "10.96.0.12:9080");
    assertThat(rc.getIgnorePortInHostMatching()).isFalse();
    assertThat(rc.getVirtualHosts(0).getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|9080|v3|" + REVIEWS);
  }

  @Test
  void timeoutBecomesMaxStreamDuration() {
    HttpRoute r = TestMesh.withTimeout(route(dest("reviews", "")), Duration.ofSeconds(3));
    MeshSnapshot s =
        TestMesh.create()
            .service("reviews", "default", "10.96.0.12", http(9080))
            .add(vs("default", "reviews", List.of("reviews"), r))
            .build();
    RouteConfiguration rc =
        (RouteConfiguration)
            Generated.resources(s, CLIENT, XdsType.ROUTE, ROUTE_NAME).get(ROUTE_NAME);
    Route route = rc.getVirtualHosts(0).getRoutes(0);
    assertThat(route.getRoute().getMaxStreamDuration().getMaxStreamDuration().getSeconds())
        .isEqualTo(3);
    assertThat(route.getRoute().getTimeout().getSeconds()).isEqualTo(3);
  }

  @Test
  void routeNamesForUnknownServicesGetNoVirtualHostsAndBadNamesNothing() {
    SortedMap<String, Message> out =
        Generated.resources(
            BookinfoMesh.bookinfo(),
            CLIENT,
            XdsType.ROUTE,
            "outbound|80||nope.default.svc.cluster.local",
            "9080");
    assertThat(out.keySet()).containsExactly("outbound|80||nope.default.svc.cluster.local");
    assertThat(((RouteConfiguration) out.values().iterator().next()).getVirtualHostsCount())
        .isZero();
  }

  @Test
  void onlyRequestedClustersAreBuiltAsAdsEdsClusters() {
    MeshSnapshot s = BookinfoMesh.bookinfo();
    SortedMap<String, Message> out =
        Generated.resources(
            s,
            CLIENT,
            XdsType.CLUSTER,
            "outbound|9080|v1|" + REVIEWS,
            "outbound|9080|v9|" + REVIEWS,
            "outbound|9080||unknown.default.svc.cluster.local");
    assertThat(out.keySet())
        .containsExactly(
            "outbound|9080|v1|" + REVIEWS, "outbound|9080||unknown.default.svc.cluster.local");
    Cluster v1 = (Cluster) out.get("outbound|9080|v1|" + REVIEWS);
    assertThat(v1.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(v1.getEdsClusterConfig().getEdsConfig().hasAds()).isTrue();
    assertThat(v1.getEdsClusterConfig().getServiceName()).isEqualTo(v1.getName());
    // RANDOM has no gRPC counterpart: the gRPC default (round robin) applies
    assertThat(v1.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(v1.hasCircuitBreakers()).isFalse();
    assertThat(Generated.resources(s, CLIENT, XdsType.CLUSTER)).isEmpty();
  }

  @Test
  void leastRequestIsKeptForGrpc() {
    MeshSnapshot s =
        TestMesh.create()
            .service("reviews", "default", "10.96.0.12", http(9080))
            .add(
                dr(
                    "default",
                    "reviews",
                    "reviews",
                    LoadBalancer.LEAST_REQUEST,
                    subset("v1", Map.of("version", "v1"), LoadBalancer.ROUND_ROBIN)))
            .build();
    SortedMap<String, Message> out =
        Generated.resources(s, CLIENT, XdsType.CLUSTER, ROUTE_NAME, "outbound|9080|v1|" + REVIEWS);
    assertThat(((Cluster) out.get(ROUTE_NAME)).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(((Cluster) out.get("outbound|9080|v1|" + REVIEWS)).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
  }

  @Test
  void endpointsAreTheSidecarOnes() {
    MeshSnapshot s = BookinfoMesh.bookinfo();
    String v2 = "outbound|9080|v2|" + REVIEWS;
    assertThat(Generated.resources(s, CLIENT, XdsType.ENDPOINT, v2))
        .isEqualTo(Generated.resources(s, BookinfoMesh.productpage(), XdsType.ENDPOINT, v2));
  }

  @Test
  void grpcClustersCarryWhatGrpcgenApplies() throws Exception {
    MeshSnapshot s =
        YamlMesh.of(
            TestMesh.create().service("reviews", "default", "10.96.0.12", http(9080)),
            YamlMesh.dr(
                "default",
                "reviews",
                """
                trafficPolicy:
                  loadBalancer: {consistentHash: {httpHeaderName: x-user}}
                  connectionPool: {http: {http2MaxRequests: 7, http1MaxPendingRequests: 3}}
                  outlierDetection: {consecutive5xxErrors: 2}
                subsets:
                - name: v1
                  labels: {version: v1}
                  trafficPolicy:
                    loadBalancer: {simple: LEAST_CONN}
                    tls: {mode: ISTIO_MUTUAL}
                """));
    SortedMap<String, Message> out =
        Generated.resources(s, CLIENT, XdsType.CLUSTER, ROUTE_NAME, "outbound|9080|v1|" + REVIEWS);
    Cluster top = (Cluster) out.get(ROUTE_NAME);
    assertThat(top.getAltStatName()).isEqualTo(ROUTE_NAME + ";");
    assertThat(top.getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertThat(top.getRingHashLbConfig().getMinimumRingSize().getValue()).isEqualTo(1024);
    // only max_requests, no other threshold and no outlier detection
    assertThat(top.getCircuitBreakers().getThresholdsList())
        .containsExactly(
            io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds.newBuilder()
                .setMaxRequests(com.google.protobuf.UInt32Value.of(7))
                .build());
    assertThat(top.hasOutlierDetection()).isFalse();
    assertThat(top.hasTransportSocket()).isFalse(); // no auto mTLS for proxyless clients
    Cluster v1 = (Cluster) out.get("outbound|9080|v1|" + REVIEWS);
    assertThat(v1.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN); // LEAST_CONN: default
    var tls =
        v1.getTransportSocket()
            .getTypedConfig()
            .unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.class)
            .getCommonTlsContext();
    assertThat(tls.getTlsCertificateProviderInstance().getInstanceName()).isEqualTo("default");
    assertThat(tls.getTlsCertificateProviderInstance().getCertificateName()).isEqualTo("default");
    assertThat(
            tls.getValidationContext()
                .getCaCertificateProviderInstance()
                .getCertificateName())
        .isEqualTo("ROOTCA");
    assertThat(tls.getTlsCertificateSdsSecretConfigsCount()).isZero();
  }
}
