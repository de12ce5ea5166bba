package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.HeaderOperations;
import io.jpilot.model.config.Headers;
import io.jpilot.model.config.HttpBody;
import io.jpilot.model.config.HttpDirectResponse;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpRedirect;
import io.jpilot.model.config.HttpRewrite;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.RegexRewrite;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.config.VirtualService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Cases of istiod's TestBuildHTTPRoutes (pilot/pkg/networking/core/route/route_test.go) that do not
 * involve DestinationRules, transcribed: the same VirtualServices (built without validation, as the
 * Go test builds them), translated for listener port 8080 and the gateway {@code some-gateway},
 * with the same expectations. Every route also passes Envoy's validation rules.
 */
class IstioRouteBuildCasesTest {
  private static final Set<String> GATEWAYS = Set.of("some-gateway");
  private static final ProxyView NODE =
      ProxyView.parse("sidecar~1.1.1.1~someID~foo.com", Map.of("NAMESPACE", ""), Map.of(), null);

  private static RouteDestination dest(String host, int port) {
    return new RouteDestination(new Destination(host, "", port), 100);
  }

  private static HttpMatch.Builder match(String name) {
    return HttpMatch.builder().name(name);
  }

  private static List<Route> build(ProxyView node, HttpRoute... http) {
    VirtualService vs =
        new VirtualService(
            TestMesh.meta(VirtualService.KIND, "default", "acme", TestMesh.T0),
            List.of("headers.test.istio.io"),
            List.of("some-gateway"),
            List.of(http),
            List.of());
    MeshSnapshot s = TestMesh.create().add(vs).build();
    List<Route> out =
        RoutePlanner.forGateway(s, node).routesForVirtualService(vs, 8080, GATEWAYS, false).stream()
            .map(p -> RouteTranslator.route(p, RouteTranslator.Flavour.SIDECAR))
            .toList();
    Map<String, Route> byIndex = new LinkedHashMap<>();
    for (int i = 0; i < out.size(); i++) {
      byIndex.put("route " + i, out.get(i));
    }
    XdsYaml.assertValid(byIndex);
    return out;
  }

  private static List<Route> build(HttpRoute... http) {
    return build(NODE, http);
  }

  private static HttpRoute.Builder toExample() {
    return HttpRoute.builder().addRoute(dest("*.example.org", 8484));
  }

  @Test
  void forVirtualServiceWithoutTimeout() {
    List<Route> routes = build(toExample().build());
    assertThat(routes).hasSize(1);
    assertThat(routes.get(0).getRoute().getTimeout().getSeconds()).isZero();
    @SuppressWarnings("deprecation")
    long maxGrpc = routes.get(0).getRoute().getMaxGrpcTimeout().getSeconds();
    assertThat(maxGrpc).isZero();
  }

  @Test
  void forVirtualServiceWithTimeout() {
    List<Route> routes = build(toExample().timeout(java.time.Duration.ofSeconds(10)).build());
    assertThat(routes.get(0).getRoute().getTimeout().getSeconds()).isEqualTo(10);
    @SuppressWarnings("deprecation")
    long maxGrpc = routes.get(0).getRoute().getMaxGrpcTimeout().getSeconds();
    assertThat(maxGrpc).isEqualTo(10);
  }

  @Test
  void forVirtualServiceWithCatchAllRoute() {
    List<Route> routes =
        build(
            toExample()
                .name("route")
                .addMatch(match("non-catch-all").uri(StringMatch.prefix("/route/v1")).build())
                .addMatch(match("catch-all").uri(StringMatch.prefix("/")).build())
                .build());
    assertThat(routes)
        .extracting(Route::getName)
        .containsExactly("route.non-catch-all", "route.catch-all");
  }

  @Test
  void forVirtualServiceWithCatchAllRoutePortMatch() {
    List<Route> routes =
        build(
            HttpRoute.builder()
                .name("route 1")
                .addMatch(match("catch-all for 8080").port(8080).build())
                .addRoute(dest("example1.default.svc.cluster.local", 8484))
                .build(),
            HttpRoute.builder()
                .name("route 2")
                .addMatch(
                    match("header match").header("cookie", StringMatch.exact("canary")).build())
                .addRoute(dest("example2.default.svc.cluster.local", 8484))
                .build(),
            HttpRoute.builder()
                .name("route 3")
                .addRoute(dest("example1.default.svc.cluster.local", 8484))
                .build());
    assertThat(routes).extracting(Route::getName).containsExactly("route 1.catch-all for 8080");
  }

  @Test
  void forVirtualServiceWithTopLevelCatchAllRoute() {
    List<Route> routes =
        build(
            HttpRoute.builder()
                .addMatch(
                    match("headers-only")
                        .header("version", StringMatch.exact("v2"))
                        .sourceLabels(Map.of("version", "v1"))
                        .build())
                .addRoute(
                    new RouteDestination(new Destination("c-weighted.extsvc.com", "v2", 0), 100))
                .build(),
            HttpRoute.builder()
                .addRoute(
                    new RouteDestination(new Destination("c-weighted.extsvc.com", "v1", 0), 100))
                .build());
    assertThat(routes).hasSize(1);
  }

  @Test
  void forVirtualServiceWithMultiPrefixCatchAllRoute() {
    List<Route> routes =
        build(
            toExample()
                .addMatch(
                    match("catch-all")
                        .uri(StringMatch.prefix("/"))
                        .sourceLabels(Map.of("matchingNoSrc", "xxx"))
                        .build())
                .addMatch(match("specific match").uri(StringMatch.prefix("/a")).build())
                .build());
    assertThat(routes).hasSize(1);
  }

  @Test
  void forVirtualServiceWithRegexMatchingOnUri() {
    List<Route> routes =
        build(
            toExample()
                .addMatch(match("status").uri(StringMatch.regex("\\/(.?)\\/status")).build())
                .build());
    assertThat(routes.get(0).getMatch().getSafeRegex().getRegex()).isEqualTo("\\/(.?)\\/status");
  }

  @Test
  void forVirtualServiceWithStatPrefixSetForAMatchOnUri() {
    List<Route> routes =
        build(
            HttpRoute.builder()
                .name("foo")
                .addMatch(match("foo").uri(StringMatch.prefix("/foo")).statPrefix("foo").build())
                .addMatch(match("baz").uri(StringMatch.prefix("/baz")).build())
                .addRoute(dest("foo.example.org", 8484))
                .build(),
            HttpRoute.builder()
                .name("bar")
                .addMatch(match("bar").uri(StringMatch.prefix("/bar")).build())
                .addRoute(dest("bar.example.org", 8484))
                .build());
    assertThat(routes).hasSize(3);
    assertThat(routes)
        .extracting(r -> r.getMatch().getPrefix())
        .containsExactly("/foo", "/baz", "/bar");
    assertThat(routes).extracting(Route::getStatPrefix).containsExactly("foo", "", "");
    assertThat(routes.get(0).getRoute().getRetryPolicy().getRetryHostPredicateCount()).isEqualTo(1);
  }

  @Test
  void forVirtualServiceWithRegexMatchingOnHeaderAndWithoutHeader() {
    Route header =
        build(
                toExample()
                    .addMatch(
                        match("auth")
                            .header("Authentication", StringMatch.regex("Bearer .+?\\..+?\\..+?"))
                            .build())
                    .build())
            .get(0);
    assertThat(header.getMatch().getHeaders(0).getStringMatch().getSafeRegex().getRegex())
        .isEqualTo("Bearer .+?\\..+?\\..+?");
    Route without =
        build(
                toExample()
                    .addMatch(
                        match("without-test")
                            .withoutHeader("FOO-HEADER", StringMatch.regex("BAR .+?\\..+?\\..+?"))
                            .build())
                    .build())
            .get(0);
    assertThat(without.getMatch().getHeaders(0).getStringMatch().getSafeRegex().getRegex())
        .isEqualTo("BAR .+?\\..+?\\..+?");
    assertThat(without.getMatch().getHeaders(0).getInvertMatch()).isTrue();
    assertThat(without.getMatch().getHeaders(0).getTreatMissingHeaderAsEmpty()).isTrue();
  }

  @Test
  void forVirtualServiceWithPresenceMatchingOnHeader() {
    HttpRedirect redirect =
        new HttpRedirect(
            "example.org",
            "some-authority.default.svc.cluster.local",
            0,
            HttpRedirect.DerivePort.UNSET,
            "",
            308,
            "");
    for (StringMatch presence : List.of(StringMatch.PRESENT_MATCH, StringMatch.regex("*"))) {
      List<Route> routes =
          build(
              HttpRoute.builder()
                  .addMatch(match("presence").header("FOO-HEADER", presence).build())
                  .redirect(redirect)
                  .build());
      assertThat(routes).hasSize(1);
      assertThat(routes.get(0).getMatch().getHeaders(0).getName()).isEqualTo("FOO-HEADER");
      assertThat(routes.get(0).getMatch().getHeaders(0).getPresentMatch()).isTrue();
      assertThat(routes.get(0).getMatch().getHeaders(0).getInvertMatch()).isFalse();
      assertThat(routes.get(0).getMatch().getHeaders(0).getTreatMissingHeaderAsEmpty()).isFalse();
    }
    List<Route> without =
        build(
            HttpRoute.builder()
                .addMatch(
                    match("presence")
                        .withoutHeader("FOO-HEADER", StringMatch.PRESENT_MATCH)
                        .build())
                .redirect(redirect)
                .build());
    assertThat(without.get(0).getMatch().getHeaders(0).getPresentMatch()).isTrue();
    assertThat(without.get(0).getMatch().getHeaders(0).getInvertMatch()).isTrue();
  }

  @Test
  void forVirtualServiceWithMatchingOnQueryParameter() {
    Route exact =
        build(
                toExample()
                    .addMatch(match("q").queryParam("token", StringMatch.exact("foo")).build())
                    .build())
            .get(0);
    assertThat(exact.getMatch().getQueryParameters(0).getStringMatch().getExact()).isEqualTo("foo");
    Route prefix =
        build(
                toExample()
                    .addMatch(match("q").queryParam("token", StringMatch.prefix("foo-")).build())
                    .build())
            .get(0);
    assertThat(prefix.getMatch().getQueryParameters(0).getStringMatch().getPrefix())
        .isEqualTo("foo-");
    Route regex =
        build(
                toExample()
                    .addMatch(
                        match("q")
                            .queryParam("token", StringMatch.regex("BAR .+?\\..+?\\..+?"))
                            .build())
                    .build())
            .get(0);
    assertThat(regex.getMatch().getQueryParameters(0).getStringMatch().getSafeRegex().getRegex())
        .isEqualTo("BAR .+?\\..+?\\..+?");
    Route all =
        build(
                toExample()
                    .addMatch(match("q").queryParam("token", StringMatch.regex("*")).build())
                    .build())
            .get(0);
    assertThat(all.getMatch().getQueryParameters(0).getName()).isEqualTo("token");
    assertThat(all.getMatch().getQueryParameters(0).getPresentMatch()).isTrue();
  }

  @Test
  void forVirtualServiceWithSourceNamespaceMatching() {
    HttpRoute foo =
        HttpRoute.builder()
            .name("foo")
            .addMatch(match("").sourceNamespace("foo").build())
            .addRoute(dest("foo.example.org", 8484))
            .build();
    HttpRoute bar =
        HttpRoute.builder()
            .name("bar")
            .addMatch(match("").sourceNamespace("bar").build())
            .addRoute(dest("bar.example.org", 8484))
            .build();
    ProxyView fooNode = TestMesh.sidecar("a", "foo", "1.1.1.1", Map.of());
    ProxyView barNode = TestMesh.sidecar("a", "bar", "1.1.1.1", Map.of());
    assertThat(build(fooNode, foo, bar)).extracting(Route::getName).containsExactly("foo");
    assertThat(build(barNode, foo, bar)).extracting(Route::getName).containsExactly("bar");
  }

  @Test
  void forRedirectCodeAndHeaderManipulation() {
    Headers hsts =
        new Headers(
            HeaderOperations.EMPTY,
            new HeaderOperations(
                new TreeMap<>(
                    Map.of(
                        "Strict-Transport-Security",
                        "max-age=31536000; includeSubDomains; preload")),
                null,
                null));
    List<Route> routes =
        build(
            HttpRoute.builder()
                .redirect(
                    new HttpRedirect(
                        "example.org",
                        "some-authority.default.svc.cluster.local",
                        0,
                        HttpRedirect.DerivePort.UNSET,
                        "",
                        308,
                        ""))
                .headers(hsts)
                .build());
    assertThat(routes).hasSize(1);
    assertThat(routes.get(0).getRedirect().getResponseCode())
        .isEqualTo(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT);
    assertThat(routes.get(0).getResponseHeadersToAddList())
        .extracting(
            h -> h.getHeader().getKey(),
            h -> h.getHeader().getValue(),
            HeaderValueOption::getAppendAction)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "Strict-Transport-Security",
                "max-age=31536000; includeSubDomains; preload",
                HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
  }

  /**
   * istiod keeps a route whose redirect code Envoy cannot express, with no action at all; Envoy
   * rejects such a route (and with it the whole route configuration), so jpilot leaves it out.
   */
  @Test
  void forInvalidRedirectCode() {
    List<Route> routes =
        build(
            HttpRoute.builder()
                .redirect(new HttpRedirect("/x", "", 0, HttpRedirect.DerivePort.UNSET, "", 317, ""))
                .build());
    assertThat(routes).isEmpty();
  }

  @Test
  void forRewrites() {
    RouteDestination d = dest("*.example.org", 8484);
    Route host =
        build(
                HttpRoute.builder()
                    .addRoute(d)
                    .rewrite(new HttpRewrite("", Optional.empty(), "bar.example.org"))
                    .build())
            .get(0);
    assertThat(host.getRoute().getHostRewriteLiteral()).isEqualTo("bar.example.org");
    assertThat(host.getRoute().getAppendXForwardedHost()).isFalse();
    Route full =
        build(
                HttpRoute.builder()
                    .addRoute(d)
                    .rewrite(
                        new HttpRewrite(
                            "", Optional.of(new RegexRewrite("/.*", "/replace-full")), ""))
                    .build())
            .get(0);
    assertThat(full.getRoute().getRegexRewrite().getPattern().getRegex()).isEqualTo("/.*");
    assertThat(full.getRoute().getRegexRewrite().getSubstitution()).isEqualTo("/replace-full");
    Route prefix =
        build(
                HttpRoute.builder()
                    .addRoute(d)
                    .rewrite(new HttpRewrite("/replace-prefix", Optional.empty(), ""))
                    .build())
            .get(0);
    assertThat(prefix.getRoute().getPrefixRewrite()).isEqualTo("/replace-prefix");
    Route both =
        build(
                HttpRoute.builder()
                    .addRoute(d)
                    .rewrite(
                        new HttpRewrite(
                            "",
                            Optional.of(new RegexRewrite("/.*", "/replace-full")),
                            "bar.example.org"))
                    .build())
            .get(0);
    assertThat(both.getRoute().getHostRewriteLiteral()).isEqualTo("bar.example.org");
    assertThat(both.getRoute().getRegexRewrite().getSubstitution()).isEqualTo("/replace-full");
    Route regexMatch =
        build(
                HttpRoute.builder()
                    .addMatch(match("").uri(StringMatch.regex("^/service/([^/]+)(/.*)$")).build())
                    .addRoute(d)
                    .rewrite(
                        new HttpRewrite(
                            "",
                            Optional.of(
                                new RegexRewrite("^/service/([^/]+)(/.*)$", "\\2/instance/\\1")),
                            ""))
                    .build())
            .get(0);
    assertThat(regexMatch.getRoute().getRegexRewrite().getPattern().getRegex())
        .isEqualTo("^/service/([^/]+)(/.*)$");
    assertThat(regexMatch.getRoute().getRegexRewrite().getSubstitution())
        .isEqualTo("\\2/instance/\\1");
  }

  @Test
  void forRedirects() {
    Route fullPath =
        build(
                HttpRoute.builder()
                    .redirect(
                        new HttpRedirect(
                            "/replace-full-path", "", 0, HttpRedirect.DerivePort.UNSET, "", 0, ""))
                    .build())
            .get(0);
    assertThat(fullPath.getRedirect().getPathRedirect()).isEqualTo("/replace-full-path");
    Route prefix =
        build(
                HttpRoute.builder()
                    .redirect(
                        new HttpRedirect(
                            "", "foo.example.com", 0, HttpRedirect.DerivePort.UNSET, "", 0, "/"))
                    .build())
            .get(0);
    assertThat(prefix.getRedirect().getHostRedirect()).isEqualTo("foo.example.com");
    assertThat(prefix.getRedirect().getPrefixRewrite()).isEqualTo("/");
  }

  @Test
  void forDirectResponse() {
    Headers hsts =
        new Headers(
            HeaderOperations.EMPTY,
            new HeaderOperations(
                new TreeMap<>(
                    Map.of(
                        "Strict-Transport-Security",
                        "max-age=31536000; includeSubDomains; preload")),
                null,
                null));
    HttpDirectResponse hello = new HttpDirectResponse(200, Optional.of(HttpBody.ofString("hello")));
    Route plain = build(HttpRoute.builder().directResponse(hello).build()).get(0);
    assertThat(plain.getDirectResponse().getStatus()).isEqualTo(200);
    assertThat(plain.getDirectResponse().getBody().getInlineString()).isEqualTo("hello");
    Route withHeader =
        build(HttpRoute.builder().directResponse(hello).headers(hsts).build()).get(0);
    assertThat(withHeader.getResponseHeadersToAddCount()).isEqualTo(1);
    assertThat(withHeader.getResponseHeadersToAdd(0).getAppendAction())
        .isEqualTo(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD);
  }

  /** route_test.go TestSortVHostRoutes: catch-all routes last, the others in order. */
  @Test
  void sortVirtualHostRoutesMovesCatchAllsLast() {
    List<RoutePlan> plans =
        List.of(
            plan("catch-all-prefix", Optional.of(match("").uri(StringMatch.prefix("/")).build())),
            plan("specific", Optional.of(match("").uri(StringMatch.prefix("/a")).build())),
            plan("catch-all-regex", Optional.of(match("").uri(StringMatch.regex(".*")).build())),
            plan(
                "headers",
                Optional.of(
                    match("")
                        .uri(StringMatch.prefix("/"))
                        .header("x", StringMatch.exact("1"))
                        .build())),
            plan("no-match", Optional.empty()));
    assertThat(RoutePlanner.catchAllLast(plans))
        .extracting(RoutePlan::name)
        .containsExactly("specific", "headers", "catch-all-prefix", "catch-all-regex", "no-match");
  }

  private static RoutePlan plan(String name, Optional<HttpMatch> m) {
    return new RoutePlan(
        name,
        m,
        List.of(new RoutePlan.Target("outbound|80||a.example.com", 0)),
        false,
        java.time.Duration.ZERO,
        Optional.empty(),
        "a.example.com:80/*");
  }
}
