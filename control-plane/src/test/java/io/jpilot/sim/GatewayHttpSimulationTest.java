package io.jpilot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * istiod's TestHTTPGateway, read from {@code
 * istio-derived/gateway-http-simulation-expectations.yaml}: Gateways and VirtualServices in, calls
 * through the generated gateway configuration out.
 *
 * <p>istiod's test runs without a DNS domain, so a short destination {@code b} there becomes {@code
 * b.default}; jpilot always has one ({@code cluster.local}), so expected clusters of that form are
 * compared as {@code b.default.svc.cluster.local}, as a real cluster would name them.
 */
class GatewayHttpSimulationTest {
  static final String FILE = "istio-derived/gateway-http-simulation-expectations.yaml";
  static final Pattern NO_DOMAIN_CLUSTER =
      Pattern.compile("(outbound\\|\\d+\\|[^|]*\\|)([a-z0-9-]+\\.[a-z0-9-]+)");
  static final Map<String, Result.Failure> ERRORS =
      Map.of(
          "ErrNoRoute", Result.Failure.NO_ROUTE,
          "ErrNoVirtualHost", Result.Failure.NO_VIRTUAL_HOST,
          "ErrNoListener", Result.Failure.NO_LISTENER,
          "ErrTLSRedirect", Result.Failure.TLS_REDIRECT);

  /**
   * @param extraConfig the case's extra YAML; the file writes it as a YAML alias ({@code
   *     *simpleRoute}), which Jackson hands over as the anchor's name, so it is looked up here
   */
  record Case(String name, JsonNode node, String extraConfig) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() throws IOException {
    JsonNode file = new YAMLMapper().readTree(MeshYaml.testResource(FILE).toFile());
    List<Case> out = new ArrayList<>();
    for (JsonNode c : file.get("cases")) {
      String extra = c.path("extraConfig").asText("");
      if (file.has(extra)) {
        extra = file.get(extra).asText();
      }
      out.add(new Case(c.get("name").asText(), c, extra));
    }
    assertThat(out).hasSize(6);
    return out;
  }

  /** The ingress gateway pod of istiod's test: labels istio=ingressgateway in istio-system. */
  static ProxyView ingressGateway() {
    return ProxyView.parse(
        "router~10.244.0.5~istio-ingressgateway-abc.istio-system~istio-system.svc.cluster.local",
        Map.of("NAMESPACE", "istio-system"),
        Map.of("istio", "ingressgateway"),
        Locality.NONE);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void calls(Case c) {
    MeshYaml mesh = new MeshYaml().add("config", c.node().get("config").asText());
    if (!c.extraConfig().isEmpty()) {
      mesh.add("extraConfig", c.extraConfig());
    }
    TrafficSimulator sim = Xds.simulate(mesh.snapshot(), ingressGateway());
    SoftAssertions soft = new SoftAssertions();
    for (JsonNode e : c.node().get("calls")) {
      Call call = call(e.get("call"));
      Result got = sim.run(call);
      check(soft, call, got, e.get("result"));
    }
    soft.assertAll();
  }

  static Call call(JsonNode c) {
    Call.Builder b =
        Call.http(c.path("hostHeader").asText(""), c.get("port").asInt()).mode(Call.Mode.GATEWAY);
    if (c.has("path")) {
      b.path(c.get("path").asText());
    }
    if (c.path("protocol").asText("http").equals("http2")) {
      b.protocol(Call.Protocol.HTTP2);
    }
    if (c.path("tls").asText("").equals("tls")) {
      b.tls(Call.Tls.TLS);
    } else if (c.path("tls").asText("").equals("mtls")) {
      b.tls(Call.Tls.MTLS);
    }
    return b.build();
  }

  /**
   * istiod's Result.Matches: listed fields must match; with strictMatch, unlisted ones are empty.
   */
  static void check(SoftAssertions soft, Call call, Result got, JsonNode want) {
    boolean strict = want.path("strictMatch").asBoolean(false);
    Optional<Result.Failure> error =
        want.has("error") ? Optional.of(ERRORS.get(want.get("error").asText())) : Optional.empty();
    soft.assertThat(got.error()).as("error of %s -> %s", call, got).isEqualTo(error);
    field(soft, call, got, "listener", got.listener(), want, "listener", strict);
    field(soft, call, got, "filterChain", got.filterChain(), want, "filterChain", strict);
    field(soft, call, got, "routeConfig", got.routeConfig(), want, "routeConfig", strict);
    field(soft, call, got, "virtualHost", got.virtualHost(), want, "virtualHost", strict);
    field(soft, call, got, "route", got.route(), want, "route", strict);
    String cluster = want.has("cluster") ? withDomain(want.get("cluster").asText()) : null;
    if (cluster != null || strict) {
      soft.assertThat(got.cluster())
          .as("cluster of %s -> %s", call, got)
          .isEqualTo(cluster == null ? "" : cluster);
    }
  }

  private static void field(
      SoftAssertions soft,
      Call call,
      Result got,
      String what,
      String actual,
      JsonNode want,
      String key,
      boolean strict) {
    if (want.has(key) || strict) {
      soft.assertThat(actual)
          .as("%s of %s -> %s", what, call, got)
          .isEqualTo(want.path(key).asText(""));
    }
  }

  /** {@code outbound|80||b.default} (no DNS domain) as jpilot names it. */
  static String withDomain(String cluster) {
    Matcher m = NO_DOMAIN_CLUSTER.matcher(cluster);
    if (m.matches()) {
      return m.group(1) + m.group(2) + ".svc.cluster.local";
    }
    return cluster;
  }
}
