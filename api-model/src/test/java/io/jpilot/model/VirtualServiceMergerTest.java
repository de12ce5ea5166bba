package io.jpilot.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.ConfigMeta;
import io.jpilot.model.config.Delegate;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.GatewayNameResolver;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpRetry;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.config.VirtualService;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Delegate merging, with cases transcribed from istiod's pilot/pkg/model/virtualservice_test.go
 * (TestHasConflict, TestResolveGatewayName).
 */
class VirtualServiceMergerTest {
  private static HttpMatch.Builder m() {
    return HttpMatch.builder();
  }

  static Stream<Arguments> conflicts() {
    return Stream.of(
        Arguments.of(
            "regex uri",
            m().uri(StringMatch.regex("^/productpage")),
            m().uri(StringMatch.prefix("/productpage/v2")),
            true),
        Arguments.of(
            "regex uri in root and delegate does not have uri",
            m().uri(StringMatch.regex("^/productpage")),
            m(),
            false),
        Arguments.of(
            "regex uri in delegate and root does not have uri",
            m(),
            m().uri(StringMatch.regex("^/productpage")),
            false),
        Arguments.of(
            "regex uri in root and delegate has conflicting uri match",
            m().uri(StringMatch.regex("^/productpage")),
            m().uri(StringMatch.prefix("/productpage")),
            true),
        Arguments.of(
            "regex uri in delegate and root has conflicting uri match",
            m().uri(StringMatch.prefix("/productpage")),
            m().uri(StringMatch.regex("^/productpage")),
            true),
        Arguments.of(
            "match uri",
            m().uri(StringMatch.prefix("/productpage")),
            m().uri(StringMatch.prefix("/productpage/v2")),
            false),
        Arguments.of(
            "mismatch uri",
            m().uri(StringMatch.prefix("/productpage/v2")),
            m().uri(StringMatch.prefix("/productpage")),
            true),
        Arguments.of(
            "match uri exact",
            m().uri(StringMatch.prefix("/productpage/v2")),
            m().uri(StringMatch.exact("/productpage/v2")),
            false),
        Arguments.of(
            "headers not equal",
            m().header("header", StringMatch.exact("h1")),
            m().header("header", StringMatch.exact("h2")),
            true),
        Arguments.of(
            "headers equal",
            m().header("header", StringMatch.exact("h1")),
            m().header("header", StringMatch.exact("h1")),
            false),
        Arguments.of(
            "headers match",
            m().header("header", StringMatch.prefix("h1")),
            m().header("header", StringMatch.exact("h1-v1")),
            false),
        Arguments.of(
            "headers mismatch",
            m().header("header", StringMatch.prefix("h1")),
            m().header("header", StringMatch.exact("h2")),
            true),
        Arguments.of(
            "headers prefix mismatch",
            m().header("header", StringMatch.prefix("h1")),
            m().header("header", StringMatch.prefix("h2")),
            true),
        Arguments.of(
            "diff headers",
            m().header("header", StringMatch.exact("h1")),
            m().header("header-2", StringMatch.exact("h2")),
            false),
        Arguments.of(
            "withoutHeaders mismatch",
            m().withoutHeader("header", StringMatch.prefix("h1")),
            m().withoutHeader("header", StringMatch.exact("h2")),
            true),
        Arguments.of("port unset in root", m(), m().port(8080), false),
        Arguments.of("port unset in leaf", m().port(8080), m(), false),
        Arguments.of("port differs", m().port(8080), m().port(8090), true),
        Arguments.of(
            "sourceLabels mismatch",
            m().sourceLabels(Map.of("a", "b")),
            m().sourceLabels(Map.of("a", "c")),
            true),
        Arguments.of(
            "sourceNamespace mismatch",
            m().sourceNamespace("test1"),
            m().sourceNamespace("test2"),
            true),
        Arguments.of(
            "root has less gateways than delegate",
            m().gateways(List.of("ingress-gateway")),
            m().gateways(List.of("ingress-gateway", "mesh")),
            true),
        Arguments.of("ignoreUriCase differs", m().ignoreUriCase(true), m(), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conflicts")
  void hasConflictAsIstiod(
      String name, HttpMatch.Builder root, HttpMatch.Builder leaf, boolean expected) {
    assertThat(VirtualServiceMerger.hasConflict(root.build(), leaf.build())).isEqualTo(expected);
  }

  static Stream<Arguments> gatewayNames() {
    return Stream.of(
        Arguments.of("./gateway", "default", "default/gateway"),
        Arguments.of("gateway", "default", "default/gateway"),
        Arguments.of("default/gateway", "foo", "default/gateway"),
        Arguments.of("gateway.default", "default", "default/gateway"),
        Arguments.of("gateway.default", "foo", "default/gateway"),
        Arguments.of("private.ingress.svc.cluster.local", "foo", "ingress/private"),
        Arguments.of("mesh", "foo", "mesh"));
  }

  @ParameterizedTest(name = "{0} in {1}")
  @MethodSource("gatewayNames")
  void resolveGatewayNameAsIstiod(String gateway, String namespace, String resolved) {
    assertThat(GatewayNameResolver.resolve(gateway, namespace)).isEqualTo(resolved);
  }

  private static VirtualService vs(String ns, String name, List<String> hosts, HttpRoute... http) {
    return new VirtualService(
        new ConfigMeta(
            new ConfigKey(VirtualService.KIND, ns, name), Map.of(), Instant.EPOCH, "test"),
        hosts,
        List.of(),
        List.of(http),
        List.of());
  }

  @Test
  void mergedRoutesInheritWhatTheDelegateLeavesUnset() {
    HttpRoute root =
        HttpRoute.builder()
            .name("root")
            .addMatch(m().name("r").uri(StringMatch.prefix("/api")).gateways(List.of("gw")).build())
            .delegate(new Delegate("d", "team"))
            .timeout(Duration.ofSeconds(3))
            .retries(HttpRetry.of(4, "5xx"))
            .build();
    HttpRoute sub =
        HttpRoute.builder()
            .addMatch(m().name("s").uri(StringMatch.exact("/api/x")).build())
            .addRoute(new RouteDestination(new Destination("reviews", "v1", 0), 0))
            .mirror(new Destination("mirror", "", 0))
            .build();
    MeshSnapshot s =
        MeshSnapshot.build(
            1,
            "cluster.local",
            List.of(
                vs("default", "root", List.of("reviews"), root), vs("team", "d", List.of(), sub)));
    VirtualService merged =
        s.virtualServices().stream()
            .filter(v -> v.meta().name().equals("root"))
            .findFirst()
            .orElseThrow();
    assertThat(merged.http()).hasSize(1);
    HttpRoute r = merged.http().get(0);
    assertThat(r.name()).isEqualTo("root");
    assertThat(r.delegate()).isEmpty();
    assertThat(r.timeout()).contains(Duration.ofSeconds(3));
    assertThat(r.retries()).contains(HttpRetry.of(4, "5xx"));
    assertThat(r.route().get(0).destination().host()).isEqualTo("reviews.team.svc.cluster.local");
    assertThat(r.mirror().orElseThrow().host()).isEqualTo("mirror.team.svc.cluster.local");
    HttpMatch match = r.match().get(0);
    assertThat(match.name()).isEqualTo("r-s");
    assertThat(match.uri()).contains(StringMatch.exact("/api/x"));
    // the root's gateways, resolved in the root's namespace
    assertThat(match.gateways()).containsExactly("default/gw");
    // the delegate is still listed, unchanged
    assertThat(s.virtualServices()).hasSize(2);
  }
}
