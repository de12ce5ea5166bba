package io.jpilot.model.parse;

import static io.jpilot.model.parse.KubernetesObjectParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpRetry;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.config.VirtualService;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IstioObjectParserTest {

  static String vs(String spec) {
    return "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
        + "metadata: {name: reviews, namespace: default}\nspec:\n"
        + indent(spec);
  }

  static String dr(String spec) {
    return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
        + "metadata: {name: reviews, namespace: default}\nspec:\n"
        + indent(spec);
  }

  private static String indent(String s) {
    StringBuilder sb = new StringBuilder();
    for (String line : s.split("\n")) {
      sb.append("  ").append(line).append('\n');
    }
    return sb.toString();
  }

  static List<String> rendered(ParseResult r) {
    return r.diagnostics().stream().map(Diagnostic::toString).toList();
  }

  @Test
  void virtualServiceFieldsAreMapped() {
    ParseResult r =
        parse(
            "apiVersion: networking.istio.io/v1\n"
                + "kind: VirtualService\n"
                + "metadata:\n"
                + "  name: reviews\n"
                + "  namespace: shop\n"
                + "  labels: {team: a}\n"
                + "  creationTimestamp: \"2024-05-01T12:00:00Z\"\n"
                + "spec:\n"
                + "  hosts: [reviews, reviews.shop.svc.cluster.local]\n"
                + "  gateways: [mesh]\n"
                + "  exportTo: [\".\"]\n"
                + "  http:\n"
                + "  - name: jason\n"
                + "    match:\n"
                + "    - name: m0\n"
                + "      uri: {prefix: /api}\n"
                + "      headers:\n"
                + "        end-user: {exact: jason}\n"
                + "        x-debug: {}\n"
                + "        x-re: {regex: \"v[0-9]+\"}\n"
                + "      port: 9080\n"
                + "      sourceLabels: {app: productpage}\n"
                + "      ignoreUriCase: true\n"
                + "    route:\n"
                + "    - destination: {host: reviews, subset: v3, port: {number: 9080}}\n"
                + "    timeout: 1.5s\n"
                + "  - route:\n"
                + "    - destination: {host: reviews, subset: v1}\n"
                + "      weight: 80\n"
                + "    - destination: {host: reviews, subset: v2}\n"
                + "      weight: 20\n"
                + "    timeout: 100ms\n"
                + "    retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}\n");

    assertThat(r.diagnostics()).isEmpty();
    VirtualService vs = (VirtualService) r.object().orElseThrow();
    assertThat(vs.key()).isEqualTo(new ConfigKey("VirtualService", "shop", "reviews"));
    assertThat(vs.meta().labels()).isEqualTo(Map.of("team", "a"));
    assertThat(vs.meta().creationTimestamp()).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
    assertThat(vs.meta().source()).isEqualTo("test.yaml");
    assertThat(vs.hosts()).containsExactly("reviews", "reviews.shop.svc.cluster.local");
    assertThat(vs.gateways()).containsExactly("mesh");
    assertThat(vs.exportTo()).containsExactly(".");
    TreeMap<String, StringMatch> headers = new TreeMap<>();
    headers.put("end-user", StringMatch.exact("jason"));
    headers.put("x-debug", StringMatch.PRESENT_MATCH);
    headers.put("x-re", StringMatch.regex("v[0-9]+"));
    assertThat(vs.http())
        .containsExactly(
            new HttpRoute(
                "jason",
                List.of(
                    new HttpMatch(
                        "m0",
                        Optional.of(StringMatch.prefix("/api")),
                        headers,
                        9080,
                        Map.of("app", "productpage"),
                        true)),
                List.of(new RouteDestination(new Destination("reviews", "v3", 9080), 0)),
                Optional.of(Duration.ofMillis(1500))),
            new HttpRoute(
                "",
                List.of(),
                List.of(
                    new RouteDestination(new Destination("reviews", "v1", 0), 80),
                    new RouteDestination(new Destination("reviews", "v2", 0), 20)),
                Optional.of(Duration.ofMillis(100)))
                .toBuilder()
                .retries(
                    new HttpRetry(
                        3,
                        Optional.of(Duration.ofSeconds(2)),
                        "5xx",
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty()))
                .build());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "networking.istio.io/v1",
        "networking.istio.io/v1beta1",
        "networking.istio.io/v1alpha3"
      })
  void acceptsEveryServedApiVersion(String apiVersion) {
    ParseResult r =
        parse(
            "apiVersion: "
                + apiVersion
                + "\nkind: VirtualService\nmetadata: {name: r}\n"
                + "spec: {hosts: [r], http: [{route: [{destination: {host: r}}]}]}\n");
    assertThat(r.diagnostics()).isEmpty();
    VirtualService vs = (VirtualService) r.object().orElseThrow();
    assertThat(vs.meta().namespace()).isEqualTo("default");
    assertThat(vs.meta().creationTimestamp()).isEqualTo(Instant.EPOCH);
  }

  @Test
  void otherIstioVersionsAreUnsupported() {
    ParseResult r =
        parse(
            "apiVersion: networking.istio.io/v2\n"
                + "kind: VirtualService\n"
                + "metadata: {name: r}\n"
                + "spec: {}\n");
    assertThat(r.object()).isEmpty();
    assertThat(r.hasErrors()).isFalse();
    assertThat(r.diagnostics())
        .singleElement()
        .extracting(Diagnostic::message)
        .isEqualTo("unsupported kind VirtualService (apiVersion networking.istio.io/v2); skipped");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1h", "1m", "1.5s", "100ms", "1m30s", "2s"})
  void istioDurationSyntax(String timeout) {
    ParseResult r =
        parse(vs("hosts: [r]\nhttp:\n- route: [{destination: {host: r}}]\n  timeout: " + timeout));
    assertThat(r.diagnostics()).isEmpty();
    Duration expected =
        switch (timeout) {
          case "1h" -> Duration.ofHours(1);
          case "1m" -> Duration.ofMinutes(1);
          case "1.5s" -> Duration.ofMillis(1500);
          case "100ms" -> Duration.ofMillis(100);
          case "1m30s" -> Duration.ofSeconds(90);
          default -> Duration.ofSeconds(2);
        };
    assertThat(((VirtualService) r.object().orElseThrow()).http().get(0).timeout())
        .contains(expected);
  }

  @Test
  void destinationRuleFieldsAreMapped() {
    ParseResult r =
        parse(
            dr(
                "host: reviews\n"
                    + "exportTo: [\"*\"]\n"
                    + "trafficPolicy:\n"
                    + "  loadBalancer: {simple: RANDOM}\n"
                    + "  connectionPool: {tcp: {maxConnections: 100}, http: {http2MaxRequests:"
                    + " 1000}}\n"
                    + "  outlierDetection: {consecutive5xxErrors: 5, interval: 10s,"
                    + " baseEjectionTime: 30s}\n"
                    + "subsets:\n"
                    + "- name: v1\n"
                    + "  labels: {version: v1}\n"
                    + "- name: v2\n"
                    + "  labels: {version: v2}\n"
                    + "  trafficPolicy: {loadBalancer: {simple: 4}}\n"
                    + "- name: v3\n"
                    + "  labels: {version: v3}\n"
                    + "  trafficPolicy: {connectionPool: {tcp: {maxConnections: 5}}}\n"));

    assertThat(r.diagnostics()).isEmpty();
    DestinationRule d = (DestinationRule) r.object().orElseThrow();
    assertThat(d.host()).isEqualTo("reviews");
    assertThat(d.exportTo()).containsExactly("*");
    TrafficPolicy top = d.trafficPolicy().orElseThrow();
    assertThat(top.loadBalancer()).isEqualTo(LoadBalancer.RANDOM);
    assertThat(top.connectionPool().orElseThrow().tcp().orElseThrow().maxConnections())
        .isEqualTo(100);
    assertThat(top.connectionPool().orElseThrow().http().orElseThrow().http2MaxRequests())
        .isEqualTo(1000);
    assertThat(top.outlierDetection().orElseThrow().consecutive5xxErrors()).contains(5);
    assertThat(top.outlierDetection().orElseThrow().interval()).contains(Duration.ofSeconds(10));
    assertThat(top.outlierDetection().orElseThrow().baseEjectionTime())
        .contains(Duration.ofSeconds(30));
    assertThat(d.subsets()).hasSize(3);
    assertThat(d.subsets().get(0))
        .isEqualTo(new Subset("v1", Map.of("version", "v1"), Optional.empty()));
    assertThat(d.subsets().get(1))
        .isEqualTo(
            new Subset(
                "v2",
                Map.of("version", "v2"),
                Optional.of(new TrafficPolicy(LoadBalancer.ROUND_ROBIN))));
    TrafficPolicy v3 = d.subsets().get(2).trafficPolicy().orElseThrow();
    assertThat(v3.loadBalancerSettings()).isEmpty();
    assertThat(v3.connectionPool().orElseThrow().tcp().orElseThrow().maxConnections())
        .isEqualTo(5);
  }

  // ---- the four headline cases --------------------------------------------------------------

  @Test
  void unknownFieldNamesItsPathAndTheIntendedPlace() {
    ParseResult r =
        parse(
            vs(
                "hosts: [reviews]\n"
                    + "http:\n"
                    + "- route: [{destination: {host: reviews}}]\n"
                    + "  circuitBreaker: {maxConnections: 1}"));

    assertThat(r.object()).isEmpty();
    assertThat(rendered(r))
        .containsExactly(
            "ERROR VirtualService default/reviews (test.yaml): spec.http[0].circuitBreaker: unknown"
                + " field \"circuitBreaker\"; circuit breaking belongs in a DestinationRule:"
                + " trafficPolicy.connectionPool/outlierDetection");
  }

  @Test
  void bareStringHeaderMatchIsAShapeError() {
    ParseResult r =
        parse(
            vs(
                "hosts: [reviews]\n"
                    + "http:\n"
                    + "- match:\n"
                    + "  - headers:\n"
                    + "      x-env: \"staging\"\n"
                    + "  route: [{destination: {host: reviews}}]"));

    assertThat(r.object()).isEmpty();
    assertThat(r.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.ERROR);
              assertThat(d.object()).isEqualTo("VirtualService default/reviews");
              assertThat(d.source()).isEqualTo("test.yaml");
              assertThat(d.path()).isEqualTo("spec.http[0].match[0].headers.x-env");
              assertThat(d.message())
                  .isEqualTo(
                      "expected a StringMatch object (one of exact, prefix, regex), got string"
                          + " \"staging\"; write {exact: \"staging\"}");
            });
  }

  @Test
  void emptyHeaderMatchMeansPresent() {
    ParseResult r =
        parse(
            vs(
                "hosts: [reviews]\n"
                    + "http:\n"
                    + "- match:\n"
                    + "  - headers:\n"
                    + "      x-env: {}\n"
                    + "  route: [{destination: {host: reviews}}]"));

    assertThat(r.diagnostics()).isEmpty();
    HttpMatch m = ((VirtualService) r.object().orElseThrow()).http().get(0).match().get(0);
    assertThat(m.headers()).containsExactly(Map.entry("x-env", StringMatch.PRESENT_MATCH));
    assertThat(m.uri()).isEmpty();
  }

  @Test
  void stringMatchWithTwoKindsIsAnError() {
    ParseResult r =
        parse(
            vs(
                "hosts: [reviews]\n"
                    + "http:\n"
                    + "- match:\n"
                    + "  - uri: {exact: /a, prefix: /b}\n"
                    + "  route: [{destination: {host: reviews}}]"));

    assertThat(r.object()).isEmpty();
    assertThat(rendered(r))
        .containsExactly(
            "ERROR VirtualService default/reviews (test.yaml): spec.http[0].match[0].uri: only one"
                + " of exact, prefix, regex may be set in StringMatch; got exact and prefix");
  }

  // ---- more schema findings -----------------------------------------------------------------

  @Test
  void unknownFieldHints() {
    ParseResult r =
        parse(
            vs(
                "hosts: [reviews]\n"
                    + "export_to: [\".\"]\n"
                    + "http:\n"
                    + "- route: [{destination: {host: reviews}}]\n"
                    + "  timout: 1s\n"
                    + "  loadBalancer: {simple: RANDOM}\n"
                    + "  frobnicate: true\n"));

    assertThat(r.diagnostics())
        .extracting(Diagnostic::path, Diagnostic::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "spec.export_to",
                "unknown field \"export_to\"; did you mean \"exportTo\"? (field names are"
                    + " camelCase)"),
            org.assertj.core.groups.Tuple.tuple(
                "spec.http[0].timout", "unknown field \"timout\"; did you mean \"timeout\"?"),
            org.assertj.core.groups.Tuple.tuple(
                "spec.http[0].loadBalancer",
                "unknown field \"loadBalancer\" in HTTPRoute; \"loadBalancer\" is a field of"
                    + " DestinationRule spec.trafficPolicy.loadBalancer and of DestinationRule"
                    + " spec.trafficPolicy.portLevelSettings[].loadBalancer"),
            org.assertj.core.groups.Tuple.tuple(
                "spec.http[0].frobnicate",
                "unknown field \"frobnicate\" (HTTPRoute fields: name, match, route, redirect,"
                    + " directResponse, delegate, rewrite, timeout, retries, fault, mirror,"
                    + " mirrors, mirrorPercent, mirrorPercentage, corsPolicy, headers)"));
  }

  @Test
  void misplacedFieldHintPrefersTheSameKind() {
    ParseResult r =
        parse(
            vs("hosts: [reviews]\ntimeout: 5s\nhttp: [{route: [{destination: {host: reviews}}]}]"));
    assertThat(r.diagnostics())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "ERROR VirtualService default/reviews (test.yaml): spec.timeout: unknown field"
                + " \"timeout\" in VirtualService; \"timeout\" is a field of VirtualService"
                + " spec.http[].timeout");
  }

  @Test
  void legalButUntranslatedFieldsAreAccepted() {
    ParseResult r =
        parse(
            vs(
                "hosts: [reviews]\n"
                    + "http:\n"
                    + "- match: [{uri: {prefix: /}, queryParams: {q: {exact: x}}, withoutHeaders:"
                    + " {x-a: {}}, statPrefix: s}]\n"
                    + "  route:\n"
                    + "  - destination: {host: reviews}\n"
                    + "    headers: {request: {set: {x-b: \"1\"}}, response: {remove: [x-c]}}\n"
                    + "  retries: {attempts: 2, retryOn: \"gateway-error,503\","
                    + " retryRemoteLocalities: true}\n"
                    + "  fault: {delay: {fixedDelay: 5s, percentage: {value: 10}}, abort:"
                    + " {httpStatus: 500, percentage: {value: 0.5}}}\n"
                    + "  mirror: {host: mirror}\n"
                    + "  mirrorPercentage: {value: 25}\n"
                    + "  corsPolicy: {allowOrigins: [{exact: \"https://a.com\"}], allowMethods:"
                    + " [GET], maxAge: 24h}\n"
                    + "  rewrite: {uri: /v2}\n"
                    + "tcp:\n"
                    + "- match: [{port: 3306, destinationSubnets: [10.0.0.0/8]}]\n"
                    + "  route: [{destination: {host: db, port: {number: 3306}}}]\n"));
    assertThat(r.diagnostics()).isEmpty();
    assertThat(r.object()).isPresent();
  }

  @Test
  void wrongShapes() {
    ParseResult r =
        parse(
            vs(
                "hosts: reviews\n"
                    + "http:\n"
                    + "- route:\n"
                    + "  - destination: reviews\n"
                    + "    weight: \"80\"\n"
                    + "  timeout: 5\n"
                    + "  retries: {attempts: 1.5}\n"));
    assertThat(r.diagnostics())
        .extracting(Diagnostic::path, Diagnostic::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "spec.hosts",
                "expected a list of strings, got string \"reviews\"; write [\"reviews\"]"),
            org.assertj.core.groups.Tuple.tuple(
                "spec.http[0].route[0].destination",
                "expected a Destination object, got string \"reviews\"; write {host: \"reviews\"}"),
            org.assertj.core.groups.Tuple.tuple(
                "spec.http[0].route[0].weight",
                "expected an integer, got string \"80\"; remove the quotes"),
            org.assertj.core.groups.Tuple.tuple(
                "spec.http[0].timeout",
                "expected a duration string such as \"1.5s\", \"100ms\" or \"1m\", got number 5;"
                    + " write \"5s\" for seconds"),
            org.assertj.core.groups.Tuple.tuple(
                "spec.http[0].retries.attempts", "expected an integer, got number 1.5"));
  }

  @Test
  void unknownLoadBalancerValue() {
    ParseResult r = parse(dr("host: reviews\ntrafficPolicy: {loadBalancer: {simple: random}}"));
    assertThat(r.object()).isEmpty();
    assertThat(rendered(r))
        .containsExactly(
            "ERROR DestinationRule default/reviews (test.yaml):"
                + " spec.trafficPolicy.loadBalancer.simple: unknown value \"random\" for SimpleLB"
                + " (expected one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN,"
                + " LEAST_REQUEST); did you mean \"RANDOM\"?");
  }

  @Test
  void deprecatedConsecutiveErrorsIsAWarningEverywhere() {
    ParseResult r =
        parse(
            dr(
                "host: reviews\n"
                    + "trafficPolicy:\n"
                    + "  outlierDetection: {consecutiveErrors: 5}\n"
                    + "  portLevelSettings:\n"
                    + "  - port: {number: 9080}\n"
                    + "    outlierDetection: {consecutiveErrors: 3}\n"
                    + "subsets:\n"
                    + "- name: v1\n"
                    + "  labels: {version: v1}\n"
                    + "  trafficPolicy: {outlierDetection: {consecutiveErrors: 2}}\n"));

    assertThat(r.object()).isPresent();
    assertThat(r.diagnostics())
        .allSatisfy(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.WARNING);
              assertThat(d.message())
                  .startsWith("consecutiveErrors is deprecated; use consecutive5xxErrors");
            });
    assertThat(r.diagnostics())
        .extracting(Diagnostic::path)
        .containsExactly(
            "spec.trafficPolicy.outlierDetection.consecutiveErrors",
            "spec.trafficPolicy.portLevelSettings[0].outlierDetection.consecutiveErrors",
            "spec.subsets[0].trafficPolicy.outlierDetection.consecutiveErrors");
  }

  @Test
  void invalidCreationTimestamp() {
    ParseResult r =
        parse(
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                + "metadata: {name: r, creationTimestamp: yesterday}\nspec: {host: r}\n");
    assertThat(r.object()).isEmpty();
    assertThat(r.diagnostics())
        .singleElement()
        .extracting(Diagnostic::path)
        .isEqualTo("metadata.creationTimestamp");
  }

  @Test
  void topLevelTyposAreReported() {
    ParseResult r =
        parse(
            "apiVersion: networking.istio.io/v1\n"
                + "kind: DestinationRule\n"
                + "metadata: {name: r}\n"
                + "specs: {host: r}\n");
    assertThat(r.object()).isEmpty();
    assertThat(r.diagnostics()).extracting(Diagnostic::path).contains("specs");
  }
}
