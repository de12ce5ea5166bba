package io.jpilot.translate;

import static io.jpilot.translate.BookinfoMesh.REVIEWS;
import static io.jpilot.translate.TestMesh.T0;
import static io.jpilot.translate.TestMesh.dest;
import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.http;
import static io.jpilot.translate.TestMesh.port;
import static io.jpilot.translate.TestMesh.route;
import static io.jpilot.translate.TestMesh.vs;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.config.VirtualService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RouteTranslatorTest {
  private static final ProxyView PRODUCTPAGE = BookinfoMesh.productpage();
  private static final String REVIEWS_VH = REVIEWS + ":9080";

  private static TestMesh reviewsMesh() {
    return TestMesh.create()
        .service("reviews", "default", "10.96.0.12", http(9080))
        .service("ratings", "default", "10.96.0.11", http(9080));
  }

  private static List<Route> reviewsRoutes(MeshSnapshot s) {
    return Generated.virtualHost(Generated.routes(s, PRODUCTPAGE, "9080"), REVIEWS_VH)
        .getRoutesList();
  }

  private static String cluster(Route r) {
    return r.getRoute().getCluster();
  }

  @Test
  @SuppressWarnings("deprecation") // total_weight: istiod leaves it unset
  void weightedDestinationsBecomeWeightedClustersWithoutTotalWeight() {
    Route split = reviewsRoutes(BookinfoMesh.bookinfo()).get(1);
    WeightedCluster wc = split.getRoute().getWeightedClusters();
    assertThat(wc.getClustersList())
        .extracting(c -> c.getName() + "=" + c.getWeight().getValue())
        .containsExactly(
            "outbound|9080|v1|" + REVIEWS + "=80", "outbound|9080|v2|" + REVIEWS + "=20");
    assertThat(wc.hasTotalWeight()).isFalse();
    assertThat(split.getDecorator().getOperation()).isEqualTo("reviews:9080/*");
  }

  @Test
  void headerMatchRoutesToTheSubset() {
    Route jason = reviewsRoutes(BookinfoMesh.bookinfo()).get(0);
    assertThat(jason.getMatch().getHeadersList())
        .extracting(HeaderMatcher::getName, h -> h.getStringMatch().getExact())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("end-user", "jason"));
    assertThat(jason.getMatch().getCaseSensitive().getValue()).isTrue();
    assertThat(cluster(jason)).isEqualTo("outbound|9080|v3|" + REVIEWS);
    assertThat(
            jason
                .getMetadata()
                .getFilterMetadataOrThrow("istio")
                .getFieldsOrThrow("config")
                .getStringValue())
        .isEqualTo("/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews");
    assertThat(jason.getDecorator().getOperation()).isEqualTo(REVIEWS + ":9080/*");
  }

  @Test
  void zeroWeightDestinationsAreDropped() {
    MeshSnapshot s =
        reviewsMesh()
            .add(
                vs(
                    "default",
                    "reviews",
                    List.of("reviews"),
                    route(dest("reviews", "v1", 100), dest("reviews", "v2", 0))))
            .build();
    Route r = reviewsRoutes(s).get(0);
    assertThat(r.getRoute().getWeightedClusters().getClustersList())
        .extracting(WeightedCluster.ClusterWeight::getName)
        .containsExactly("outbound|9080|v1|" + REVIEWS);
  }

  @Test
  void oldestVirtualServiceForAHostWins() {
    VirtualService older =
        vs("default", "b-older", T0, List.of("reviews"), route(dest("reviews", "v1")));
    VirtualService newer =
        vs(
            "default",
            "a-newer",
            T0.plusSeconds(60),
            List.of("reviews"),
            route(dest("reviews", "v2")));
    assertThat(cluster(reviewsRoutes(reviewsMesh().add(newer).add(older).build()).get(0)))
        .isEqualTo("outbound|9080|v1|" + REVIEWS);

    VirtualService olderV2 =
        vs(
            "default",
            "a-newer",
            T0.minusSeconds(60),
            List.of("reviews"),
            route(dest("reviews", "v2")));
    assertThat(cluster(reviewsRoutes(reviewsMesh().add(olderV2).add(older).build()).get(0)))
        .isEqualTo("outbound|9080|v2|" + REVIEWS);
  }

  @Test
  void exactHostBeatsWildcardAndWildcardCoversOtherServices() {
    MeshSnapshot s =
        reviewsMesh()
            .add(
                vs(
                    "default",
                    "wild",
                    T0,
                    List.of("*.default.svc.cluster.local"),
                    route(dest("ratings", "wild"))))
            .add(
                vs(
                    "default",
                    "exact",
                    T0.plusSeconds(5),
                    List.of("reviews"),
                    route(dest("reviews", "v1"))))
            .build();
    assertThat(cluster(reviewsRoutes(s).get(0))).isEqualTo("outbound|9080|v1|" + REVIEWS);
    Route ratings =
        Generated.virtualHost(
                Generated.routes(s, PRODUCTPAGE, "9080"), fqdn("ratings", "default") + ":9080")
            .getRoutes(0);
    assertThat(cluster(ratings)).isEqualTo("outbound|9080|wild|" + fqdn("ratings", "default"));
  }

  @Test
  void virtualServicesForOtherGatewaysOrNotExportedAreIgnored() {
    VirtualService gatewayOnly =
        new VirtualService(
            TestMesh.meta(VirtualService.KIND, "default", "gw", T0),
            List.of("reviews"),
            List.of("istio-system/ingress"),
            List.of(route(dest("reviews", "v1"))),
            List.of());
    VirtualService hidden =
        new VirtualService(
            TestMesh.meta(VirtualService.KIND, "other", "hidden", T0),
            List.of(REVIEWS),
            List.of(),
            List.of(route(dest("reviews.default.svc.cluster.local", "v2"))),
            List.of("."));
    List<Route> routes = reviewsRoutes(reviewsMesh().add(gatewayOnly).add(hidden).build());
    assertThat(routes).extracting(Route::getName).containsExactly("default");

    VirtualService meshAndGateway =
        new VirtualService(
            TestMesh.meta(VirtualService.KIND, "default", "both", T0),
            List.of("reviews"),
            List.of("mesh", "istio-system/ingress"),
            List.of(route(dest("reviews", "v1"))),
            List.of("default"));
    assertThat(cluster(reviewsRoutes(reviewsMesh().add(meshAndGateway).build()).get(0)))
        .isEqualTo("outbound|9080|v1|" + REVIEWS);
  }

  @Test
  void sourceLabelsAndPortSelectMatches() {
    HttpRoute fromRatings =
        route(
            "from-ratings",
            List.of(TestMesh.sourceLabels(Map.of("app", "ratings"))),
            dest("reviews", "v1"));
    // source labels are no Envoy match: without a uri this would be a catch-all
    HttpMatch productpageApi =
        new HttpMatch(
            "",
            Optional.of(StringMatch.prefix("/api")),
            new TreeMap<>(),
            0,
            Map.of("app", "productpage"),
            false);
    HttpRoute fromProductpage =
        route("from-productpage", List.of(productpageApi), dest("reviews", "v2"));
    HttpRoute otherPort =
        route("other-port", List.of(TestMesh.onPort(9999)), dest("reviews", "v3"));
    HttpRoute rest = route("rest", List.of(), dest("reviews", "v3"));
    MeshSnapshot s =
        reviewsMesh()
            .add(
                vs(
                    "default",
                    "reviews",
                    List.of("reviews"),
                    fromRatings,
                    otherPort,
                    fromProductpage,
                    rest))
            .build();
    assertThat(reviewsRoutes(s))
        .extracting(Route::getName)
        .containsExactly("from-productpage", "rest");
  }

  @Test
  void nothingFollowsTheFirstCatchAllRoute() {
    HttpMatch prefixSlash = TestMesh.uri(StringMatch.prefix("/"), false);
    HttpMatch never = TestMesh.uri(StringMatch.prefix("/never"), false);
    HttpRoute first =
        new HttpRoute(
            "first", List.of(prefixSlash, never), List.of(dest("reviews", "v1")), Optional.empty());
    HttpRoute second = route("second", List.of(), dest("reviews", "v2"));
    MeshSnapshot s =
        reviewsMesh().add(vs("default", "r", List.of("reviews"), first, second)).build();
    assertThat(reviewsRoutes(s)).extracting(Route::getName).containsExactly("first");
  }

  @Test
  void matchTranslation() {
    TreeMap<String, StringMatch> headers = new TreeMap<>();
    headers.put("x-b-prefix", StringMatch.prefix("pre"));
    headers.put("x-a-regex", StringMatch.regex("v[0-9]+"));
    headers.put("x-c-present", StringMatch.PRESENT_MATCH);
    headers.put("x-d-star", StringMatch.regex("*"));
    HttpMatch exact =
        new HttpMatch(
            "exact", Optional.of(StringMatch.exact("/login")), headers, 0, Map.of(), true);
    HttpMatch regex = TestMesh.uri(StringMatch.regex("/api/.*"), false);
    HttpMatch prefix = TestMesh.uri(StringMatch.prefix("/static"), false);
    HttpRoute r =
        new HttpRoute(
            "r",
            List.of(exact, regex, prefix),
            List.of(dest("reviews", "v1")),
            Optional.of(Duration.ofMillis(1500)));
    List<Route> routes =
        reviewsRoutes(reviewsMesh().add(vs("default", "r", List.of("reviews"), r)).build());

    Route login = routes.get(0);
    assertThat(login.getName()).isEqualTo("r.exact");
    assertThat(login.getMatch().getPath()).isEqualTo("/login");
    assertThat(login.getMatch().getCaseSensitive().getValue()).isFalse();
    assertThat(login.getMatch().getHeadersList())
        .extracting(HeaderMatcher::getName)
        .containsExactly("x-a-regex", "x-b-prefix", "x-c-present", "x-d-star");
    assertThat(login.getMatch().getHeaders(0).getStringMatch().getSafeRegex().getRegex())
        .isEqualTo("v[0-9]+");
    assertThat(login.getMatch().getHeaders(1).getStringMatch().getPrefix()).isEqualTo("pre");
    assertThat(login.getMatch().getHeaders(2).getPresentMatch()).isTrue();
    assertThat(login.getMatch().getHeaders(3).getPresentMatch()).isTrue();
    assertThat(login.getDecorator().getOperation()).isEqualTo(REVIEWS + ":9080/login");
    assertThat(login.getRoute().getTimeout().getSeconds()).isEqualTo(1);
    assertThat(login.getRoute().getTimeout().getNanos()).isEqualTo(500_000_000);

    assertThat(routes.get(1).getMatch().getSafeRegex().getRegex()).isEqualTo("/api/.*");
    assertThat(routes.get(1).getMatch().getCaseSensitive().getValue()).isTrue();
    assertThat(routes.get(1).getName()).isEqualTo("r");
    assertThat(routes.get(2).getMatch().getPrefix()).isEqualTo("/static");
    assertThat(routes.get(2).getDecorator().getOperation()).isEqualTo(REVIEWS + ":9080/static*");
  }

  @Test
  void destinationPortComesFromTheDestinationElseTheListener() {
    // istiod looks sidecar destinations up among the services on the listener port, each reduced
    // to that port, so "the service's only port" never differs from the listener port there:
    // reviews (9080 only) routed from port 8080 is outbound|8080||reviews, as from istiod.
    MeshSnapshot s =
        TestMesh.create()
            .service("reviews", "default", "10.96.0.12", http(9080))
            .service("multi", "default", "10.96.0.20", http(9080), port("http-alt", 8080, 8080))
            .add(
                vs(
                    "default",
                    "r",
                    List.of("reviews", "multi"),
                    new HttpRoute(
                        "explicit",
                        List.of(TestMesh.header("x", StringMatch.exact("1"))),
                        List.of(new RouteDestination(new Destination("multi", "", 8080), 0)),
                        Optional.empty()),
                    route(
                        "implied",
                        List.of(TestMesh.header("x", StringMatch.exact("2"))),
                        dest("multi", "")),
                    route("single", List.of(), dest("reviews", ""))))
            .build();
    RouteConfiguration rc9080 = Generated.routes(s, PRODUCTPAGE, "9080");
    List<Route> multi =
        Generated.virtualHost(rc9080, fqdn("multi", "default") + ":9080").getRoutesList();
    assertThat(multi)
        .extracting(RouteTranslatorTest::cluster)
        .containsExactly(
            "outbound|8080||" + fqdn("multi", "default"),
            "outbound|9080||" + fqdn("multi", "default"),
            "outbound|9080||" + REVIEWS);
    RouteConfiguration rc8080 = Generated.routes(s, PRODUCTPAGE, "8080");
    List<Route> onAlt =
        Generated.virtualHost(rc8080, fqdn("multi", "default") + ":8080").getRoutesList();
    assertThat(onAlt)
        .extracting(RouteTranslatorTest::cluster)
        .containsExactly(
            "outbound|8080||" + fqdn("multi", "default"),
            "outbound|8080||" + fqdn("multi", "default"),
            "outbound|8080||" + REVIEWS);
  }

  @Test
  void serviceWithoutVirtualServiceGetsIstiodsDefaultRoute() {
    Route r = reviewsRoutes(reviewsMesh().build()).get(0);
    assertThat(r.getName()).isEqualTo("default");
    assertThat(r.getMatch().getPrefix()).isEqualTo("/");
    assertThat(r.getMatch().hasCaseSensitive()).isFalse();
    assertThat(cluster(r)).isEqualTo("outbound|9080||" + REVIEWS);
    assertThat(r.getRoute().getTimeout().getSeconds()).isZero();
    assertThat(r.getRoute().hasTimeout()).isTrue();
    assertThat(r.getRoute().getRetryPolicy().getNumRetries().getValue()).isEqualTo(2);
    assertThat(r.getRoute().getRetryPolicy().getRetryOn())
        .isEqualTo("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes");
    assertThat(r.getRoute().getRetryPolicy().getRetriableStatusCodesList()).isEmpty();
    assertThat(r.getRoute().getRetryPolicy().getHostSelectionRetryMaxAttempts()).isEqualTo(5);
    assertThat(r.getRoute().getRetryPolicy().getRetryHostPredicate(0).getName())
        .isEqualTo("envoy.retry_host_predicates.previous_hosts");
    assertThat(r.getDecorator().getOperation()).isEqualTo(REVIEWS + ":9080/*");
    assertThat(r.hasMetadata()).isFalse();
  }

  @Test
  void routeConfigurationShape() {
    RouteConfiguration rc = Generated.routes(BookinfoMesh.bookinfo(), PRODUCTPAGE, "9080");
    assertThat(rc.getIgnorePortInHostMatching()).isTrue();
    assertThat(rc.getValidateClusters().getValue()).isFalse();
    List<String> names =
        rc.getVirtualHostsList().stream().map(VirtualHost::getName).collect(Collectors.toList());
    assertThat(names)
        .containsExactly(
            fqdn("details", "default") + ":9080",
            fqdn("productpage", "default") + ":9080",
            fqdn("ratings", "default") + ":9080",
            REVIEWS_VH,
            "allow_any");
    VirtualHost allowAny = rc.getVirtualHosts(4);
    assertThat(allowAny.getDomainsList()).containsExactly("*");
    assertThat(allowAny.getRoutes(0).getRoute().getCluster()).isEqualTo("PassthroughCluster");

    // wildcard RDS request: one configuration per HTTP port
    assertThat(Generated.resources(BookinfoMesh.bookinfo(), PRODUCTPAGE, XdsType.ROUTE).keySet())
        .containsExactly("9080");
    // a name that is no port gets an empty configuration, as from istiod
    RouteConfiguration unknown = Generated.routes(BookinfoMesh.bookinfo(), PRODUCTPAGE, "nope");
    assertThat(unknown.getVirtualHostsCount()).isZero();
  }

  @Test
  void domainsDependOnTheProxyNamespace() {
    MeshSnapshot s = reviewsMesh().build();
    VirtualHost same = Generated.virtualHost(Generated.routes(s, PRODUCTPAGE, "9080"), REVIEWS_VH);
    assertThat(same.getDomainsList())
        .containsExactly(
            REVIEWS,
            REVIEWS + ".",
            "reviews",
            "reviews.default.svc",
            "reviews.default",
            "10.96.0.12");
    ProxyView other = TestMesh.sidecar("client-1", "other", "10.244.3.3", Map.of("app", "client"));
    VirtualHost fromOther = Generated.virtualHost(Generated.routes(s, other, "9080"), REVIEWS_VH);
    assertThat(fromOther.getDomainsList())
        .containsExactly(
            REVIEWS, REVIEWS + ".", "reviews.default", "reviews.default.svc", "10.96.0.12");
  }

  @Test
  void shortHostsResolveInTheVirtualServiceNamespace() {
    MeshSnapshot s =
        TestMesh.create()
            .service("reviews", "default", "10.96.0.12", http(9080))
            .service("reviews", "staging", "10.96.1.12", http(9080))
            .add(vs("staging", "r", List.of("reviews"), route(dest("reviews", "canary"))))
            .build();
    RouteConfiguration rc = Generated.routes(s, PRODUCTPAGE, "9080");
    assertThat(
            cluster(Generated.virtualHost(rc, fqdn("reviews", "staging") + ":9080").getRoutes(0)))
        .isEqualTo("outbound|9080|canary|" + fqdn("reviews", "staging"));
    assertThat(cluster(Generated.virtualHost(rc, REVIEWS_VH).getRoutes(0)))
        .isEqualTo("outbound|9080||" + REVIEWS);
  }

  @Test
  void timeoutFromTheVirtualService() {
    HttpRoute r = TestMesh.withTimeout(route(dest("reviews", "v1")), Duration.ofSeconds(5));
    Route route =
        reviewsRoutes(reviewsMesh().add(vs("default", "r", List.of("reviews"), r)).build()).get(0);
    assertThat(route.getRoute().getTimeout().getSeconds()).isEqualTo(5);
    @SuppressWarnings("deprecation")
    long maxGrpc = route.getRoute().getMaxGrpcTimeout().getSeconds();
    assertThat(maxGrpc).isEqualTo(5);
  }

  @Test
  void outputIsDeterministic() {
    MeshSnapshot s = BookinfoMesh.bookinfo();
    for (XdsType t : XdsType.values()) {
      assertThat(XdsYaml.toYaml(Generated.resources(s, PRODUCTPAGE, t)))
          .isEqualTo(XdsYaml.toYaml(Generated.resources(BookinfoMesh.bookinfo(), PRODUCTPAGE, t)));
    }
  }
}
