package io.jpilot.model.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.config.CorsPolicy;
import io.jpilot.model.config.Delegate;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.FaultAbort;
import io.jpilot.model.config.FaultDelay;
import io.jpilot.model.config.HttpBody;
import io.jpilot.model.config.HttpDirectResponse;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpMirror;
import io.jpilot.model.config.HttpRedirect;
import io.jpilot.model.config.HttpRetry;
import io.jpilot.model.config.HttpRewrite;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.Percent;
import io.jpilot.model.config.RegexRewrite;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.config.VirtualService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every VirtualService HTTP field lands in its model record, unset kept apart from zero. */
class VirtualServiceParserTest {

  private static VirtualService parse(String spec) {
    ParsedFile f =
        ConfigFileParser.parse(
            "vs.yaml",
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                + "metadata: {name: reviews, namespace: default}\nspec:\n"
                + spec.stripIndent().lines().map(l -> "  " + l + "\n").reduce("", String::concat),
            "cluster.local");
    assertThat(f.diagnostics()).noneMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
    return (VirtualService) f.objects().get(0);
  }

  @Test
  void matchFields() {
    HttpMatch m =
        parse(
                """
                hosts: [reviews]
                http:
                - match:
                  - name: m
                    uri: {regex: "/a.*"}
                    scheme: {exact: https}
                    method: {}
                    authority: {prefix: rev}
                    headers: {x-b: {exact: "1"}, x-a: {}}
                    withoutHeaders: {x-c: {regex: "*"}}
                    queryParams: {q: {prefix: p}}
                    ignoreUriCase: true
                    port: 9080
                    sourceLabels: {app: productpage}
                    sourceNamespace: default
                    gateways: [mesh]
                    statPrefix: stats
                  route:
                  - destination: {host: reviews}
                """)
            .http()
            .get(0)
            .match()
            .get(0);
    assertThat(m.name()).isEqualTo("m");
    assertThat(m.uri()).contains(StringMatch.regex("/a.*"));
    assertThat(m.scheme()).contains(StringMatch.exact("https"));
    assertThat(m.method()).contains(StringMatch.PRESENT_MATCH);
    assertThat(m.authority()).contains(StringMatch.prefix("rev"));
    assertThat(m.headers())
        .containsExactly(
            Map.entry("x-a", StringMatch.PRESENT_MATCH), Map.entry("x-b", StringMatch.exact("1")));
    assertThat(m.withoutHeaders()).containsExactly(Map.entry("x-c", StringMatch.regex("*")));
    assertThat(m.queryParams()).containsExactly(Map.entry("q", StringMatch.prefix("p")));
    assertThat(m.ignoreUriCase()).isTrue();
    assertThat(m.port()).isEqualTo(9080);
    assertThat(m.sourceLabels()).containsExactly(Map.entry("app", "productpage"));
    assertThat(m.sourceNamespace()).isEqualTo("default");
    assertThat(m.gateways()).containsExactly("mesh");
    assertThat(m.statPrefix()).isEqualTo("stats");
  }

  @Test
  void routeFields() {
    List<HttpRoute> http =
        parse(
                """
hosts: [reviews]
http:
- name: all
  match: [{uri: {prefix: /a}}]
  route:
  - destination: {host: reviews, subset: v1, port: {number: 9080}}
    weight: 90
    headers:
      request: {set: {x-a: "1"}, add: {x-b: "2"}, remove: [x-c]}
  - destination: {host: reviews, subset: v2}
    weight: 10
  rewrite: {uriRegexRewrite: {match: "^/a(.*)", rewrite: "/b\\\\1"}, authority: r.example}
  timeout: 2s
  retries:
    attempts: 3
    perTryTimeout: 500ms
    retryOn: 5xx
    retryRemoteLocalities: false
    retryIgnorePreviousHosts: true
    backoff: 10ms
  fault:
    delay: {fixedDelay: 1s, percentage: {value: 12.5}}
    abort: {grpcStatus: UNAVAILABLE, percentage: {value: 100}}
  mirror: {host: shadow}
  mirrorPercentage: {value: 0}
  corsPolicy:
    allowOrigins: [{exact: "https://a"}]
    allowMethods: [GET]
    maxAge: 1m
    allowCredentials: false
    unmatchedPreflights: FORWARD
  headers:
    response: {set: {x-r: "1"}}
- match: [{uri: {prefix: /r}}]
  redirect: {uri: /new, derivePort: FROM_REQUEST_PORT, redirectCode: 307}
- match: [{uri: {prefix: /d}}]
  directResponse: {status: 418, body: {bytes: "aGk="}}
- match: [{uri: {prefix: /m}}]
  route:
  - destination: {host: reviews}
  mirrors:
  - destination: {host: shadow}
    percentage: {value: 5}
  - destination: {host: other}
  mirrorPercent: 50
- match: [{uri: {prefix: /delegated}}]
  delegate: {name: api}
""")
            .http();
    HttpRoute all = http.get(0);
    assertThat(all.route().get(0).destination()).isEqualTo(new Destination("reviews", "v1", 9080));
    assertThat(all.route().get(0).weight()).isEqualTo(90);
    assertThat(all.route().get(0).headers().orElseThrow().request().remove())
        .containsExactly("x-c");
    assertThat(all.route().get(1).headers()).isEmpty();
    assertThat(all.rewrite())
        .contains(
            new HttpRewrite("", Optional.of(new RegexRewrite("^/a(.*)", "/b\\1")), "r.example"));
    assertThat(all.timeout()).contains(Duration.ofSeconds(2));
    assertThat(all.retries())
        .contains(
            new HttpRetry(
                3,
                Optional.of(Duration.ofMillis(500)),
                "5xx",
                Optional.of(false),
                Optional.of(true),
                Optional.of(Duration.ofMillis(10))));
    assertThat(all.fault().orElseThrow().delay())
        .contains(FaultDelay.fixed(Duration.ofSeconds(1), 12.5));
    assertThat(all.fault().orElseThrow().abort())
        .contains(FaultAbort.grpcStatus("UNAVAILABLE", 100));
    assertThat(all.mirror()).contains(new Destination("shadow", "", 0));
    assertThat(all.mirrorPercentage()).contains(new Percent(0));
    assertThat(all.mirrorPercent()).isEmpty();
    CorsPolicy cors = all.corsPolicy().orElseThrow();
    assertThat(cors.allowOrigins()).containsExactly(StringMatch.exact("https://a"));
    assertThat(cors.maxAge()).contains(Duration.ofMinutes(1));
    assertThat(cors.allowCredentials()).contains(false);
    assertThat(cors.unmatchedPreflights()).isEqualTo(CorsPolicy.UnmatchedPreflights.FORWARD);
    assertThat(all.headers().orElseThrow().response().set()).containsEntry("x-r", "1");

    assertThat(http.get(1).redirect())
        .contains(
            new HttpRedirect(
                "/new", "", 0, HttpRedirect.DerivePort.FROM_REQUEST_PORT, "", 307, ""));
    assertThat(http.get(2).directResponse())
        .contains(new HttpDirectResponse(418, Optional.of(HttpBody.ofBytes("hi".getBytes()))));
    assertThat(http.get(3).mirrors())
        .containsExactly(
            new HttpMirror(new Destination("shadow", "", 0), Optional.of(new Percent(5))),
            new HttpMirror(new Destination("other", "", 0), Optional.empty()));
    assertThat(http.get(3).mirrorPercent()).contains(50);
    assertThat(http.get(4).delegate()).contains(new Delegate("api", ""));
  }
}
