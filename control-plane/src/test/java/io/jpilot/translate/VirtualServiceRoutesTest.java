package io.jpilot.translate;

import static io.jpilot.translate.IstioYaml.vs;
import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.HttpDirectResponse;
import io.jpilot.model.config.HttpRedirect;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.VirtualService;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * VirtualService HTTP features as istiod translates them (route/route.go, route/retry/retry.go),
 * asserted on the Envoy fields of sidecar route configuration "9080". Every resource passes the
 * Envoy validation rules ({@link Generated}).
 */
class VirtualServiceRoutesTest {
  private static final String REVIEWS = fqdn("reviews", "default");
  private static final String REVIEWS_VH = REVIEWS + ":9080";
  private static final ProxyView PRODUCTPAGE =
      TestMesh.sidecar(
          "productpage-v1-abc", "default", "10.244.0.20", Map.of("app", "productpage"));

  private static TestMesh mesh() {
    return TestMesh.create()
        .service("reviews", "default", "10.96.0.12", http(9080))
        .service("ratings", "default", "10.96.0.11", http(9080))
        .service("mirror", "default", "10.96.0.14", http(9080));
  }

  private static MeshSnapshot with(MeshObject... objects) {
    TestMesh m = mesh();
    for (MeshObject o : objects) {
      m.add(o);
    }
    return m.build();
  }

  private static List<Route> reviewsRoutes(MeshSnapshot s, ProxyView proxy) {
    return Generated.virtualHost(Generated.routes(s, proxy, "9080"), REVIEWS_VH).getRoutesList();
  }

  private static List<Route> reviewsRoutes(String spec) {
    return reviewsRoutes(with(vs("default", "reviews", spec)), PRODUCTPAGE);
  }

  private static Route reviewsRoute(String spec) {
    List<Route> routes = reviewsRoutes(spec);
    assertThat(routes).hasSize(1);
    return routes.get(0);
  }

  private static FractionalPercent percent(int numerator, FractionalPercent.DenominatorType d) {
    return FractionalPercent.newBuilder().setNumerator(numerator).setDenominator(d).build();
  }

  private static <T extends com.google.protobuf.Message> T filterConfig(
      Route r, String filter, Class<T> type) throws InvalidProtocolBufferException {
    assertThat(r.getTypedPerFilterConfigMap()).containsKey(filter);
    return r.getTypedPerFilterConfigOrThrow(filter).unpack(type);
  }

  // ---- matches --------------------------------------------------------------------------------

  @Test
  void everyMatchFieldBecomesAnEnvoyCondition() {
    Route r =
        reviewsRoute(
            """
            hosts: [reviews]
            http:
            - name: api
              match:
              - name: v2
                uri: {prefix: /api}
                ignoreUriCase: true
                method: {exact: GET}
                authority: {prefix: reviews}
                scheme: {exact: http}
                headers:
                  x-b: {exact: one}
                  x-a: {regex: "v[0-9]+"}
                  x-present: {}
                withoutHeaders:
                  x-debug: {exact: "true"}
                  x-absent: {}
                  x-star: {regex: "*"}
                queryParams:
                  version: {exact: v2}
                  debug: {}
                  id: {regex: "[0-9]+"}
                statPrefix: reviews-api
              route:
              - destination: {host: reviews, subset: v2}
            """);
    assertThat(r.getName()).isEqualTo("api.v2");
    assertThat(r.getMatch().getPrefix()).isEqualTo("/api");
    assertThat(r.getMatch().getCaseSensitive().getValue()).isFalse();
    assertThat(r.getStatPrefix()).isEqualTo("reviews-api");
    // sorted headers and withoutHeaders, then :method, :authority, :scheme
    assertThat(r.getMatch().getHeadersList())
        .extracting(HeaderMatcher::getName)
        .containsExactly(
            "x-a",
            "x-absent",
            "x-b",
            "x-debug",
            "x-present",
            "x-star",
            ":method",
            ":authority",
            ":scheme");
    List<HeaderMatcher> h = r.getMatch().getHeadersList();
    assertThat(h.get(0).getStringMatch().getSafeRegex().getRegex()).isEqualTo("v[0-9]+");
    assertThat(h.get(1).getPresentMatch()).isTrue();
    assertThat(h.get(1).getInvertMatch()).isTrue();
    assertThat(h.get(1).getTreatMissingHeaderAsEmpty()).isFalse(); // conflicts with present_match
    assertThat(h.get(2).getStringMatch().getExact()).isEqualTo("one");
    assertThat(h.get(2).getInvertMatch()).isFalse();
    assertThat(h.get(3).getStringMatch().getExact()).isEqualTo("true");
    assertThat(h.get(3).getInvertMatch()).isTrue();
    assertThat(h.get(3).getTreatMissingHeaderAsEmpty()).isTrue();
    assertThat(h.get(4).getPresentMatch()).isTrue();
    assertThat(h.get(5).getPresentMatch()).isTrue(); // regex "*" is a presence check
    assertThat(h.get(5).getInvertMatch()).isTrue();
    assertThat(h.get(5).getTreatMissingHeaderAsEmpty()).isFalse();
    assertThat(h.get(6).getStringMatch().getExact()).isEqualTo("GET");
    assertThat(h.get(7).getStringMatch().getPrefix()).isEqualTo("reviews");
    assertThat(h.get(8).getStringMatch().getExact()).isEqualTo("http");
    assertThat(r.getMatch().getQueryParametersList())
        .extracting(QueryParameterMatcher::getName)
        .containsExactly("debug", "id", "version");
    assertThat(r.getMatch().getQueryParameters(0).getPresentMatch()).isTrue();
    assertThat(r.getMatch().getQueryParameters(1).getStringMatch().getSafeRegex().getRegex())
        .isEqualTo("[0-9]+");
    assertThat(r.getMatch().getQueryParameters(2).getStringMatch().getExact()).isEqualTo("v2");
    assertThat(r.getDecorator().getOperation()).isEqualTo(REVIEWS_VH + "/api*");
  }

  @Test
  void uriExactAndRegexAndTheDefaultPrefix() {
    List<Route> routes =
        reviewsRoutes(
            """
            hosts: [reviews]
            http:
            - match:
              - uri: {exact: /login}
              - uri: {regex: "/api/v[0-9]+/.*"}
              route:
              - destination: {host: reviews}
            - route:
              - destination: {host: reviews, subset: v1}
            """);
    assertThat(routes).hasSize(3);
    assertThat(routes.get(0).getMatch().getPath()).isEqualTo("/login");
    assertThat(routes.get(0).getMatch().getCaseSensitive().getValue()).isTrue();
    assertThat(routes.get(1).getMatch().getSafeRegex().getRegex()).isEqualTo("/api/v[0-9]+/.*");
    assertThat(routes.get(1).getDecorator().getOperation())
        .isEqualTo(REVIEWS_VH + "/api/v[0-9]+/.*");
    // no match: prefix "/" and no case_sensitive, as TranslateRouteMatch(nil)
    assertThat(routes.get(2).getMatch().getPrefix()).isEqualTo("/");
    assertThat(routes.get(2).getMatch().hasCaseSensitive()).isFalse();
  }

  @Test
  void sourceNamespaceSourceLabelsAndGatewaysSelectMatchesPerProxy() {
    VirtualService v =
        vs(
            "default",
            "reviews",
            """
            hosts: [reviews]
            gateways: [mesh, istio-system/ingress]
            http:
            - name: from-gateway
              match:
              - gateways: [istio-system/ingress]
              route:
              - destination: {host: reviews, subset: gw}
            - name: from-mesh-in-other
              match:
              - gateways: [mesh]
                sourceLabels: {app: nobody}
                headers: {x: {exact: "1"}}
              route:
              - destination: {host: reviews, subset: mesh}
            - name: from-other
              match:
              - sourceNamespace: other
              route:
              - destination: {host: reviews, subset: other}
            - name: from-ratings
              match:
              - sourceLabels: {app: ratings}
              route:
              - destination: {host: reviews, subset: ratings}
            - name: rest
              route:
              - destination: {host: reviews, subset: v1}
            """);
    MeshSnapshot s = with(v);
    // a match limited to "mesh" applies to sidecars whatever their labels
    assertThat(reviewsRoutes(s, PRODUCTPAGE))
        .extracting(Route::getName)
        .containsExactly("from-mesh-in-other", "rest");
    ProxyView inOther = TestMesh.sidecar("client-1", "other", "10.244.3.3", Map.of("app", "x"));
    assertThat(reviewsRoutes(s, inOther))
        .extracting(Route::getName)
        .containsExactly("from-mesh-in-other", "from-other");
    ProxyView ratings =
        TestMesh.sidecar("ratings-1", "default", "10.244.3.4", Map.of("app", "ratings"));
    assertThat(reviewsRoutes(s, ratings))
        .extracting(Route::getName)
        .containsExactly("from-mesh-in-other", "from-ratings");
  }

  @Test
  void portMatchSelectsTheListener() {
    MeshSnapshot s =
        TestMesh.create()
            .service(
                "reviews",
                "default",
                "10.96.0.12",
                http(9080),
                TestMesh.port("http-alt", 8080, 8080))
            .add(
                vs(
                    "default",
                    "reviews",
                    """
                    hosts: [reviews]
                    http:
                    - name: on-8080
                      match: [{port: 8080}]
                      route:
                      - destination: {host: reviews, subset: alt}
                    - name: rest
                      route:
                      - destination: {host: reviews, subset: main}
                    """))
            .build();
    assertThat(
            Generated.virtualHost(Generated.routes(s, PRODUCTPAGE, "8080"), REVIEWS + ":8080")
                .getRoutesList())
        .extracting(Route::getName, r -> r.getRoute().getCluster())
        .containsExactly(tuple("on-8080", "outbound|8080|alt|" + REVIEWS));
    assertThat(reviewsRoutes(s, PRODUCTPAGE))
        .extracting(Route::getName, r -> r.getRoute().getCluster())
        .containsExactly(tuple("rest", "outbound|9080|main|" + REVIEWS));
  }

  @Test
  void nothingFollowsACatchAllMatchButSourceOnlyMatchesAreCatchAllToo() {
    List<Route> routes =
        reviewsRoutes(
            """
            hosts: [reviews]
            http:
            - name: first
              match:
              - name: query
                uri: {prefix: /}
                queryParams: {a: {exact: b}}
              - name: labels
                sourceLabels: {app: productpage}
              - name: never
                uri: {prefix: /never}
              route:
              - destination: {host: reviews}
            - name: second
              route:
              - destination: {host: reviews, subset: v2}
            """);
    assertThat(routes).extracting(Route::getName).containsExactly("first.query", "first.labels");
  }

  // ---- actions ------------------------------------------------------------------------------

  @Test
  void redirectFieldsAndCodes() {
    List<Route> routes =
        reviewsRoutes(
            """
            hosts: [reviews]
            http:
            - name: moved
              match: [{uri: {exact: /old}}]
              redirect:
                uri: /new
                authority: new.example.com
                scheme: https
                port: 8443
                redirectCode: 308
            - name: prefix
              match: [{uri: {prefix: /v1}}]
              redirect:
                prefixRewrite: /v2
                derivePort: FROM_REQUEST_PORT
                redirectCode: 302
            - name: default-port
              match: [{uri: {prefix: /plain}}]
              redirect:
                authority: plain.example.com
                port: 80
            - name: unsupported-code
              match: [{uri: {prefix: /teapot}}]
              redirect:
                uri: /x
                redirectCode: 300
            - name: rest
              route:
              - destination: {host: reviews}
            """);
    assertThat(routes)
        .extracting(Route::getName)
        .containsExactly("moved", "prefix", "default-port", "rest");
    RedirectAction moved = routes.get(0).getRedirect();
    assertThat(moved.getPathRedirect()).isEqualTo("/new");
    assertThat(moved.getHostRedirect()).isEqualTo("new.example.com");
    assertThat(moved.getSchemeRedirect()).isEqualTo("https");
    assertThat(moved.getPortRedirect()).isEqualTo(8443);
    assertThat(moved.getResponseCode())
        .isEqualTo(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT);
    assertThat(routes.get(0).getDecorator().getOperation()).isEqualTo("reviews:9080/old");
    RedirectAction prefix = routes.get(1).getRedirect();
    assertThat(prefix.getPrefixRewrite()).isEqualTo("/v2");
    assertThat(prefix.getPortRedirect()).isEqualTo(9080); // the listener port
    assertThat(prefix.getResponseCode()).isEqualTo(RedirectAction.RedirectResponseCode.FOUND);
    RedirectAction plain = routes.get(2).getRedirect();
    assertThat(plain.getPortRedirect()).isZero(); // :80 over http is implied
    assertThat(plain.getResponseCode())
        .isEqualTo(RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY);
    assertThat(routes.get(0).hasRoute()).isFalse();
  }

  @Test
  void redirectCodesMapToEnvoysEnum() {
    assertThat(RouteTranslator.redirectCode(0))
        .contains(RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY);
    assertThat(RouteTranslator.redirectCode(301))
        .contains(RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY);
    assertThat(RouteTranslator.redirectCode(302))
        .contains(RedirectAction.RedirectResponseCode.FOUND);
    assertThat(RouteTranslator.redirectCode(303))
        .contains(RedirectAction.RedirectResponseCode.SEE_OTHER);
    assertThat(RouteTranslator.redirectCode(307))
        .contains(RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT);
    assertThat(RouteTranslator.redirectCode(308))
        .contains(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT);
    assertThat(RouteTranslator.redirectCode(304)).isEmpty();
    // 443 over https is implied too; the scheme defaults to https on TLS listeners
    HttpRedirect toTls = new HttpRedirect("", "", 443, HttpRedirect.DerivePort.UNSET, "", 0, "");
    assertThat(RouteTranslator.redirect(toTls, 443, true).orElseThrow().getPortRedirect()).isZero();
    assertThat(RouteTranslator.redirect(toTls, 80, false).orElseThrow().getPortRedirect())
        .isEqualTo(443);
  }

  @Test
  void directResponseWithStringOrBytesBody() {
    List<Route> routes =
        reviewsRoutes(
            """
            hosts: [reviews]
            http:
            - match: [{uri: {prefix: /text}}]
              directResponse:
                status: 503
                body: {string: "unavailable"}
              headers:
                response:
                  set: {content-type: text/plain}
            - match: [{uri: {prefix: /bin}}]
              directResponse:
                status: 200
                body: {bytes: "AAEC"}
            - directResponse: {status: 404}
            """);
    assertThat(routes.get(0).getDirectResponse().getStatus()).isEqualTo(503);
    assertThat(routes.get(0).getDirectResponse().getBody().getInlineString())
        .isEqualTo("unavailable");
    assertThat(routes.get(0).getResponseHeadersToAdd(0).getHeader().getKey())
        .isEqualTo("content-type");
    assertThat(routes.get(1).getDirectResponse().getBody().getInlineBytes().toByteArray())
        .containsExactly(0, 1, 2);
    assertThat(routes.get(2).getDirectResponse().getStatus()).isEqualTo(404);
    assertThat(routes.get(2).getDirectResponse().hasBody()).isFalse();
    assertThat(routes.get(2).getDecorator().getOperation()).isEqualTo("reviews:9080/*");
    RouteConfiguration rc =
        Generated.routes(
            with(
                vs(
                    "default",
                    "reviews",
                    "hosts: [reviews]\nhttp:\n- directResponse: {status: 404}")),
            PRODUCTPAGE,
            "9080");
    assertThat(rc.getMaxDirectResponseBodySizeBytes().getValue()).isEqualTo(1024 * 1024);
  }

  @Test
  void redirectWinsOverDirectResponseWhichWinsOverRoute() {
    // validation forbids combining them; the model can, and istiod's order decides
    HttpRoute both =
        HttpRoute.builder()
            .redirect(new HttpRedirect("/r", "", 0, HttpRedirect.DerivePort.UNSET, "", 0, ""))
            .directResponse(new HttpDirectResponse(500, Optional.empty()))
            .addRoute(TestMesh.dest("reviews", "v1"))
            .build();
    HttpRoute direct = both.toBuilder().redirect(Optional.empty()).build();
    MeshSnapshot s =
        with(
            new VirtualService(
                TestMesh.meta(VirtualService.KIND, "default", "reviews", TestMesh.T0),
                List.of("reviews"),
                List.of(),
                List.of(both),
                List.of()));
    assertThat(reviewsRoutes(s, PRODUCTPAGE).get(0).hasRedirect()).isTrue();
    s =
        with(
            new VirtualService(
                TestMesh.meta(VirtualService.KIND, "default", "reviews", TestMesh.T0),
                List.of("reviews"),
                List.of(),
                List.of(direct),
                List.of()));
    assertThat(reviewsRoutes(s, PRODUCTPAGE).get(0).hasDirectResponse()).isTrue();
  }

  @Test
  void rewrites() {
    List<Route> routes =
        reviewsRoutes(
            """
hosts: [reviews]
http:
- match: [{uri: {prefix: /old}}]
  rewrite: {uri: /new, authority: reviews.internal}
  route:
  - destination: {host: reviews}
- match: [{uri: {regex: "^/service/([^/]+)(/.*)$"}}]
  rewrite:
    uriRegexRewrite: {match: "^/service/([^/]+)(/.*)$", rewrite: "\\\\2/instance/\\\\1"}
  route:
  - destination: {host: reviews}
- match: [{uri: {prefix: /host-header}}]
  headers:
    request:
      add: {host: add.example.com, x-kept: "1"}
  route:
  - destination: {host: reviews}
""");
    RouteAction first = routes.get(0).getRoute();
    assertThat(first.getPrefixRewrite()).isEqualTo("/new");
    assertThat(first.getHostRewriteLiteral()).isEqualTo("reviews.internal");
    RouteAction second = routes.get(1).getRoute();
    assertThat(second.getRegexRewrite().getPattern().getRegex())
        .isEqualTo("^/service/([^/]+)(/.*)$");
    assertThat(second.getRegexRewrite().getSubstitution()).isEqualTo("\\2/instance/\\1");
    assertThat(second.hasHostRewriteLiteral()).isFalse();
    // :authority/host in request headers is a host rewrite, never a header
    assertThat(routes.get(2).getRoute().getHostRewriteLiteral()).isEqualTo("add.example.com");
    assertThat(routes.get(2).getRequestHeadersToAddList())
        .extracting(h -> h.getHeader().getKey())
        .containsExactly("x-kept");
    // set wins over add (validation rejects both, istiod's translation still decides)
    RouteHeaderOperations ops =
        RouteHeaderOperations.of(
            new io.jpilot.model.config.Headers(
                new io.jpilot.model.config.HeaderOperations(
                    new java.util.TreeMap<>(Map.of(":authority", "set.example.com")),
                    new java.util.TreeMap<>(Map.of("host", "add.example.com")),
                    List.of(":path", "x-gone")),
                io.jpilot.model.config.HeaderOperations.EMPTY));
    assertThat(ops.authority()).isEqualTo("set.example.com");
    assertThat(ops.requestHeadersToAdd()).isEmpty();
    assertThat(ops.requestHeadersToRemove()).containsExactly("x-gone");
  }

  @Test
  void rewriteAuthorityWinsOverTheAuthorityHeader() {
    Route r =
        reviewsRoute(
            """
            hosts: [reviews]
            http:
            - rewrite: {authority: from-rewrite.example.com}
              route:
              - destination: {host: reviews}
                headers:
                  request:
                    set: {":authority": from-destination.example.com}
            """);
    assertThat(r.getRoute().getHostRewriteLiteral()).isEqualTo("from-rewrite.example.com");
  }

  @Test
  void timeoutsForSidecarsAndProxylessClients() {
    String spec =
        """
        hosts: [reviews]
        http:
        - timeout: 1.5s
          route:
          - destination: {host: reviews}
        """;
    Route sidecar = reviewsRoute(spec);
    assertThat(sidecar.getRoute().getTimeout().getSeconds()).isEqualTo(1);
    assertThat(sidecar.getRoute().getTimeout().getNanos()).isEqualTo(500_000_000);
    @SuppressWarnings("deprecation")
    com.google.protobuf.Duration maxGrpc = sidecar.getRoute().getMaxGrpcTimeout();
    assertThat(maxGrpc).isEqualTo(sidecar.getRoute().getTimeout());
    assertThat(sidecar.getRoute().hasMaxStreamDuration()).isFalse();

    ProxyView grpc = TestMesh.grpc("client", "default", "10.244.0.30");
    RouteConfiguration rc =
        Generated.routes(with(vs("default", "reviews", spec)), grpc, "outbound|9080||" + REVIEWS);
    Route proxyless = rc.getVirtualHosts(0).getRoutes(0);
    assertThat(proxyless.getRoute().getMaxStreamDuration().getMaxStreamDuration())
        .isEqualTo(sidecar.getRoute().getTimeout());
    @SuppressWarnings("deprecation")
    boolean hasMaxGrpc = proxyless.getRoute().hasMaxGrpcTimeout();
    assertThat(hasMaxGrpc).isFalse();
  }

  // ---- destinations -------------------------------------------------------------------------

  @Test
  @SuppressWarnings("deprecation") // total_weight: istiod leaves it unset
  void weightedDestinationsCarryTheirHeaderOperations() {
    Route r =
        reviewsRoute(
            """
            hosts: [reviews]
            http:
            - headers:
                request:
                  set: {x-route: r}
              route:
              - destination: {host: reviews, subset: blue}
                weight: 70
                headers:
                  request:
                    set: {x-color: blue, ":authority": blue.example.com}
                    add: {x-add: "1"}
                    remove: [x-remove]
                  response:
                    set: {x-served-by: blue}
                    remove: [x-internal]
              - destination: {host: reviews, subset: green}
                weight: 30
              - destination: {host: reviews, subset: never}
                weight: 0
            """);
    WeightedCluster wc = r.getRoute().getWeightedClusters();
    assertThat(wc.hasTotalWeight()).isFalse();
    assertThat(wc.getClustersList())
        .extracting(WeightedCluster.ClusterWeight::getName, c -> c.getWeight().getValue())
        .containsExactly(
            tuple("outbound|9080|blue|" + REVIEWS, 70),
            tuple("outbound|9080|green|" + REVIEWS, 30));
    WeightedCluster.ClusterWeight blue = wc.getClusters(0);
    assertThat(blue.getRequestHeadersToAddList())
        .extracting(
            h -> h.getHeader().getKey(),
            h -> h.getHeader().getValue(),
            HeaderValueOption::getAppendAction)
        .containsExactly(
            tuple(
                "x-color", "blue", HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD),
            tuple("x-add", "1", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
    assertThat(blue.getRequestHeadersToRemoveList()).containsExactly("x-remove");
    assertThat(blue.getResponseHeadersToAdd(0).getHeader().getKey()).isEqualTo("x-served-by");
    assertThat(blue.getResponseHeadersToRemoveList()).containsExactly("x-internal");
    assertThat(blue.getHostRewriteLiteral()).isEqualTo("blue.example.com");
    assertThat(wc.getClusters(1).getRequestHeadersToAddCount()).isZero();
    assertThat(r.getRequestHeadersToAdd(0).getHeader().getKey()).isEqualTo("x-route");
    assertThat(r.getDecorator().getOperation()).isEqualTo("reviews:9080/*");
  }

  /** route_test.go "for header operations for single cluster", transcribed. */
  @Test
  void singleDestinationHeadersAreAppendedToTheRoute() {
    Route r =
        reviewsRoute(
            """
            hosts: [reviews]
            http:
            - route:
              - destination: {host: c-weighted.extsvc.com, subset: v1}
                weight: 100
                headers:
                  request:
                    set: {x-route-req-set: v1, ":authority": internal.foo.extsvc.com}
                    add: {x-route-req-add: v2, ":authority": internal.bar.extsvc.com}
                    remove: [x-route-req-remove]
                  response:
                    set: {x-route-resp-set: v1}
                    add: {x-route-resp-add: v2}
                    remove: [x-route-resp-remove]
              headers:
                request:
                  set: {x-req-set: v1, ":authority": foo.extsvc.com}
                  add: {x-req-add: v2}
                  remove: [x-req-remove]
                response:
                  set: {x-resp-set: v1}
                  add: {x-resp-add: v2}
                  remove: [x-resp-remove]
            """);
    assertThat(r.getRequestHeadersToAddList())
        .extracting(
            h -> h.getHeader().getKey(),
            h -> h.getHeader().getValue(),
            HeaderValueOption::getAppendAction)
        .containsExactly(
            tuple(
                "x-req-set", "v1", HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD),
            tuple("x-req-add", "v2", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD),
            tuple(
                "x-route-req-set",
                "v1",
                HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD),
            tuple(
                "x-route-req-add",
                "v2",
                HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
    assertThat(r.getRequestHeadersToRemoveList())
        .containsExactly("x-req-remove", "x-route-req-remove");
    assertThat(r.getResponseHeadersToAddList())
        .extracting(h -> h.getHeader().getKey())
        .containsExactly("x-resp-set", "x-resp-add", "x-route-resp-set", "x-route-resp-add");
    assertThat(r.getResponseHeadersToRemoveList())
        .containsExactly("x-resp-remove", "x-route-resp-remove");
    assertThat(r.getRoute().getHostRewriteLiteral()).isEqualTo("foo.extsvc.com");
    assertThat(r.getRoute().getCluster()).isEqualTo("outbound|9080|v1|c-weighted.extsvc.com");
    assertThat(r.getDecorator().getOperation()).isEqualTo("c-weighted.extsvc.com:9080/*");
  }

  @Test
  void headerOperationsAreSortedAndDropPseudoHeaders() {
    Route r =
        reviewsRoute(
            """
            hosts: [reviews]
            http:
            - headers:
                request:
                  set: {z-last: "1", a-first: "2"}
                  add: {m-mid: "3"}
                  remove: [x-gone]
                response:
                  add: {b: "4", a: "5"}
                  remove: [x-secret]
              route:
              - destination: {host: reviews}
            """);
    assertThat(r.getRequestHeadersToAddList())
        .extracting(h -> h.getHeader().getKey())
        .containsExactly("a-first", "z-last", "m-mid");
    assertThat(r.getResponseHeadersToAddList())
        .extracting(h -> h.getHeader().getKey(), HeaderValueOption::getAppendAction)
        .containsExactly(
            tuple("a", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD),
            tuple("b", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
    assertThat(r.getRequestHeadersToRemoveList()).containsExactly("x-gone");
    assertThat(r.getResponseHeadersToRemoveList()).containsExactly("x-secret");
  }

  // ---- retries ------------------------------------------------------------------------------

  @Test
  void retriesDefaultWhenAbsentAndNoneWhenAttemptsAreZero() {
    List<Route> routes =
        reviewsRoutes(
            """
            hosts: [reviews]
            http:
            - match: [{uri: {prefix: /none}}]
              retries: {attempts: 0}
              route:
              - destination: {host: reviews}
            - route:
              - destination: {host: reviews}
            """);
    assertThat(routes.get(0).getRoute().hasRetryPolicy()).isFalse();
    RetryPolicy p = routes.get(1).getRoute().getRetryPolicy();
    assertThat(p).isEqualTo(RouteTranslator.defaultRetryPolicy());
    assertThat(p.getNumRetries().getValue()).isEqualTo(2);
    assertThat(p.getRetryOn())
        .isEqualTo("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes");
    assertThat(p.getRetriableStatusCodesList()).isEmpty();
    assertThat(p.getHostSelectionRetryMaxAttempts()).isEqualTo(5);
    assertThat(p.getRetryHostPredicateList())
        .extracting(RetryPolicy.RetryHostPredicate::getName)
        .containsExactly("envoy.retry_host_predicates.previous_hosts");
  }

  @Test
  void retryPolicyFromTheVirtualService() throws InvalidProtocolBufferException {
    List<Route> routes =
        reviewsRoutes(
            """
            hosts: [reviews]
            http:
            - match: [{uri: {prefix: /full}}]
              retries:
                attempts: 5
                perTryTimeout: 250ms
                retryOn: "gateway-error,503,429,connect-failure"
                retryRemoteLocalities: true
                backoff: 50ms
              route:
              - destination: {host: reviews}
            - match: [{uri: {prefix: /codes}}]
              retries: {attempts: 1, retryOn: "retriable-status-codes,503"}
              route:
              - destination: {host: reviews}
            - route:
              - destination: {host: reviews}
              retries: {attempts: 3, retryIgnorePreviousHosts: false}
            """);
    RetryPolicy full = routes.get(0).getRoute().getRetryPolicy();
    assertThat(full.getNumRetries().getValue()).isEqualTo(5);
    assertThat(full.getRetryOn()).isEqualTo("gateway-error,connect-failure,retriable-status-codes");
    assertThat(full.getRetriableStatusCodesList()).containsExactly(503, 429);
    assertThat(full.getPerTryTimeout().getNanos()).isEqualTo(250_000_000);
    assertThat(full.getRetryPriority().getName())
        .isEqualTo("envoy.retry_priorities.previous_priorities");
    assertThat(
            full.getRetryPriority()
                .getTypedConfig()
                .unpack(PreviousPrioritiesConfig.class)
                .getUpdateFrequency())
        .isEqualTo(2);
    assertThat(full.getRetryBackOff().getBaseInterval().getNanos()).isEqualTo(50_000_000);
    assertThat(full.getHostSelectionRetryMaxAttempts()).isEqualTo(5);
    assertThat(full.getRetryHostPredicateCount()).isEqualTo(1);

    RetryPolicy codes = routes.get(1).getRoute().getRetryPolicy();
    assertThat(codes.getRetryOn()).isEqualTo("retriable-status-codes");
    assertThat(codes.getRetriableStatusCodesList()).containsExactly(503);

    RetryPolicy noPredicate = routes.get(2).getRoute().getRetryPolicy();
    assertThat(noPredicate.getNumRetries().getValue()).isEqualTo(3);
    assertThat(noPredicate.getRetryOn()).isEqualTo(RetryPolicies.DEFAULT_RETRY_ON);
    assertThat(noPredicate.getRetryHostPredicateList()).isEmpty();
  }

  // ---- fault --------------------------------------------------------------------------------

  @Test
  void faultBecomesTheFaultFiltersPerRouteConfig() throws InvalidProtocolBufferException {
    List<Route> routes =
        reviewsRoutes(
            """
            hosts: [reviews]
            http:
            - match: [{uri: {prefix: /both}}]
              fault:
                delay: {fixedDelay: 2s, percentage: {value: 0.1}}
                abort: {httpStatus: 503, percentage: {value: 50}}
              route:
              - destination: {host: reviews}
            - match: [{uri: {prefix: /grpc}}]
              fault:
                abort: {grpcStatus: UNAVAILABLE}
              route:
              - destination: {host: reviews}
            - match: [{uri: {prefix: /legacy}}]
              fault:
                delay: {fixedDelay: 1s, percent: 30}
              route:
              - destination: {host: reviews}
            - route:
              - destination: {host: reviews}
            """);
    HTTPFault both = filterConfig(routes.get(0), "envoy.filters.http.fault", HTTPFault.class);
    assertThat(both.getDelay().getFixedDelay().getSeconds()).isEqualTo(2);
    assertThat(both.getDelay().getPercentage())
        .isEqualTo(percent(1000, FractionalPercent.DenominatorType.MILLION));
    assertThat(both.getAbort().getHttpStatus()).isEqualTo(503);
    assertThat(both.getAbort().getPercentage())
        .isEqualTo(percent(500_000, FractionalPercent.DenominatorType.MILLION));
    HTTPFault grpc = filterConfig(routes.get(1), "envoy.filters.http.fault", HTTPFault.class);
    assertThat(grpc.getAbort().getGrpcStatus()).isEqualTo(14);
    assertThat(grpc.getAbort().hasPercentage()).isFalse();
    assertThat(grpc.hasDelay()).isFalse();
    HTTPFault legacy = filterConfig(routes.get(2), "envoy.filters.http.fault", HTTPFault.class);
    assertThat(legacy.getDelay().getPercentage())
        .isEqualTo(percent(30, FractionalPercent.DenominatorType.HUNDRED));
    assertThat(routes.get(3).getTypedPerFilterConfigMap()).isEmpty();
  }

  @Test
  void theSidecarConnectionManagerRunsFaultAndCorsBeforeTheRouter() throws Exception {
    HttpConnectionManager hcm =
        ListenerTranslator.httpConnectionManager("outbound_0.0.0.0_9080;", "9080")
            .getTypedConfig()
            .unpack(HttpConnectionManager.class);
    assertThat(hcm.getHttpFiltersList())
        .extracting(HttpFilter::getName)
        .containsExactly(
            "envoy.filters.http.fault", "envoy.filters.http.cors", "envoy.filters.http.router");
  }

  // ---- mirrors ------------------------------------------------------------------------------

  @Test
  void mirrorsWithTheirShares() {
    List<Route> routes =
        reviewsRoutes(
            """
            hosts: [reviews]
            http:
            - match: [{uri: {prefix: /all}}]
              mirror: {host: mirror}
              route:
              - destination: {host: reviews}
            - match: [{uri: {prefix: /half}}]
              mirror: {host: mirror, subset: v2, port: {number: 9090}}
              mirrorPercentage: {value: 50.5}
              route:
              - destination: {host: reviews}
            - match: [{uri: {prefix: /none}}]
              mirror: {host: mirror}
              mirrorPercentage: {value: 0}
              route:
              - destination: {host: reviews}
            - match: [{uri: {prefix: /legacy}}]
              mirror: {host: mirror}
              mirrorPercent: 20
              route:
              - destination: {host: reviews}
            - route:
              - destination: {host: reviews}
              mirrors:
              - destination: {host: mirror}
              - destination: {host: ratings}
                percentage: {value: 5}
            """);
    List<RouteAction.RequestMirrorPolicy> all =
        routes.get(0).getRoute().getRequestMirrorPoliciesList();
    assertThat(all).hasSize(1);
    assertThat(all.get(0).getCluster()).isEqualTo("outbound|9080||" + fqdn("mirror", "default"));
    assertThat(all.get(0).getRuntimeFraction().getDefaultValue())
        .isEqualTo(percent(100, FractionalPercent.DenominatorType.HUNDRED));
    assertThat(all.get(0).getTraceSampled().getValue()).isFalse();
    assertThat(all.get(0).hasTraceSampled()).isTrue();
    RouteAction.RequestMirrorPolicy half = routes.get(1).getRoute().getRequestMirrorPolicies(0);
    assertThat(half.getCluster()).isEqualTo("outbound|9090|v2|" + fqdn("mirror", "default"));
    assertThat(half.getRuntimeFraction().getDefaultValue())
        .isEqualTo(percent(505_000, FractionalPercent.DenominatorType.MILLION));
    assertThat(routes.get(2).getRoute().getRequestMirrorPoliciesList()).isEmpty();
    assertThat(
            routes
                .get(3)
                .getRoute()
                .getRequestMirrorPolicies(0)
                .getRuntimeFraction()
                .getDefaultValue())
        .isEqualTo(percent(20, FractionalPercent.DenominatorType.HUNDRED));
    assertThat(routes.get(4).getRoute().getRequestMirrorPoliciesList())
        .extracting(
            RouteAction.RequestMirrorPolicy::getCluster,
            m -> m.getRuntimeFraction().getDefaultValue())
        .containsExactly(
            tuple(
                "outbound|9080||" + fqdn("mirror", "default"),
                percent(100, FractionalPercent.DenominatorType.HUNDRED)),
            tuple(
                "outbound|9080||" + fqdn("ratings", "default"),
                percent(50_000, FractionalPercent.DenominatorType.MILLION)));
  }

  // ---- CORS ---------------------------------------------------------------------------------

  @Test
  void corsPolicyBecomesTheCorsFiltersPerRouteConfig() throws InvalidProtocolBufferException {
    List<Route> routes =
        reviewsRoutes(
            """
            hosts: [reviews]
            http:
            - match: [{uri: {prefix: /new}}]
              corsPolicy:
                allowOrigins:
                - exact: https://example.com
                - prefix: https://dev.
                - regex: "https://.*[.]example[.]org"
                allowMethods: [GET, POST]
                allowHeaders: [x-a, x-b]
                exposeHeaders: [x-c]
                maxAge: 24h
                allowCredentials: true
                unmatchedPreflights: IGNORE
              route:
              - destination: {host: reviews}
            - corsPolicy:
                allowOrigin: ["https://legacy.example.com"]
              route:
              - destination: {host: reviews}
            """);
    CorsPolicy full = filterConfig(routes.get(0), "envoy.filters.http.cors", CorsPolicy.class);
    assertThat(full.getAllowOriginStringMatchList())
        .extracting(
            StringMatcher::getExact, StringMatcher::getPrefix, m -> m.getSafeRegex().getRegex())
        .containsExactly(
            tuple("https://example.com", "", ""),
            tuple("", "https://dev.", ""),
            tuple("", "", "https://.*[.]example[.]org"));
    assertThat(full.getAllowMethods()).isEqualTo("GET,POST");
    assertThat(full.getAllowHeaders()).isEqualTo("x-a,x-b");
    assertThat(full.getExposeHeaders()).isEqualTo("x-c");
    assertThat(full.getMaxAge()).isEqualTo("86400");
    assertThat(full.getAllowCredentials().getValue()).isTrue();
    assertThat(full.getForwardNotMatchingPreflights().getValue()).isFalse();
    assertThat(full.getFilterEnabled().getDefaultValue())
        .isEqualTo(percent(100, FractionalPercent.DenominatorType.HUNDRED));
    CorsPolicy legacy = filterConfig(routes.get(1), "envoy.filters.http.cors", CorsPolicy.class);
    assertThat(legacy.getAllowOriginStringMatchList())
        .extracting(StringMatcher::getExact)
        .containsExactly("https://legacy.example.com");
    assertThat(legacy.hasAllowCredentials()).isFalse();
    assertThat(legacy.getForwardNotMatchingPreflights().getValue()).isTrue();
    assertThat(legacy.getMaxAge()).isEmpty();
  }

  // ---- gateway-only features of the shared translation --------------------------------------

  @Test
  void jwtClaimHeadersBecomeDynamicMetadataMatchersOnGateways() {
    VirtualService v =
        vs(
            "default",
            "claims",
            """
            hosts: [reviews.example.com]
            gateways: [istio-system/ingress]
            http:
            - match:
              - headers:
                  "@request.auth.claims.group": {exact: admin}
                  x-plain: {exact: "1"}
                withoutHeaders:
                  "@request.auth.claims.nested.key": {exact: blocked}
              route:
              - destination: {host: reviews}
            """);
    RoutePlanner planner = RoutePlanner.forGateway(with(v), PRODUCTPAGE);
    List<RoutePlan> plans =
        planner.routesForVirtualService(v, 80, java.util.Set.of("istio-system/ingress"), false);
    assertThat(plans).hasSize(1);
    Route r = RouteTranslator.route(plans.get(0), RouteTranslator.Flavour.SIDECAR);
    assertThat(r.getMatch().getHeadersList())
        .extracting(HeaderMatcher::getName)
        .containsExactly("x-plain");
    assertThat(r.getMatch().getDynamicMetadataList()).hasSize(2);
    var group = r.getMatch().getDynamicMetadata(0);
    assertThat(group.getFilter()).isEqualTo("envoy.filters.http.jwt_authn");
    assertThat(group.getPathList()).extracting(p -> p.getKey()).containsExactly("payload", "group");
    assertThat(group.getInvert()).isFalse();
    assertThat(group.getValue().getOrMatch().getValueMatchers(1).getStringMatch().getExact())
        .isEqualTo("admin");
    var nested = r.getMatch().getDynamicMetadata(1);
    assertThat(nested.getPathList())
        .extracting(p -> p.getKey())
        .containsExactly("payload", "nested", "key");
    assertThat(nested.getInvert()).isTrue();
    // a single-port destination takes that port on gateways
    assertThat(r.getRoute().getCluster()).isEqualTo("outbound|9080||" + REVIEWS);
    XdsYaml.assertValid(Map.of("r", r));
    assertThat(RouteMatchTranslator.routingClaims("@request.auth.claims[nested][key]"))
        .contains(List.of("nested", "key"));
    assertThat(RouteMatchTranslator.routingClaims("@request.auth.claims")).isEmpty();
    assertThat(RouteMatchTranslator.routingClaims("x-user")).isEmpty();
  }
}
