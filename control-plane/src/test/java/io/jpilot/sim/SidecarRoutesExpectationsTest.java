package io.jpilot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;

/**
 * istiod's TestSidecarRoutes (VirtualService precedence on sidecar route configurations), read from
 * {@code istio-derived/sidecar-routes-expectations.yaml}. Each case is checked twice: the domain →
 * clusters map of the route configuration, as istiod's test extracts it, and a simulated request
 * for each expected domain.
 *
 * <p>Cases that configure a Sidecar check its egress scoping (the Sidecar must parse). Cases in
 * {@link #PENDING} fail today for a stated reason and are skipped with it; should one start
 * passing, the test fails so that the entry is removed.
 */
class SidecarRoutesExpectationsTest {
  static final String FILE = "istio-derived/sidecar-routes-expectations.yaml";
  static final Map<String, String> TIMES =
      Map.of(
          "older", "2019-01-01T00:00:00Z",
          "base", "2020-01-01T00:00:00Z",
          "newer", "2021-01-01T00:00:00Z");

  /** Cases that fail today, with the reason. */
  static final Map<String, String> PENDING = Map.of();

  record Case(String name, JsonNode node) {
    @Override
    public String toString() {
      return name;
    }
  }

  static JsonNode file() throws IOException {
    return new YAMLMapper().readTree(MeshYaml.testResource(FILE).toFile());
  }

  static List<Case> cases() throws IOException {
    List<Case> out = new ArrayList<>();
    for (JsonNode c : file().get("cases")) {
      out.add(new Case(c.get("name").asText(), c));
    }
    assertThat(out).hasSizeGreaterThanOrEqualTo(30);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void routes(Case c) throws IOException {
    JsonNode node = c.node();
    MeshYaml mesh = new MeshYaml().add("services", file().get("services").asText());
    boolean needsSidecar = false;
    int i = 0;
    for (JsonNode cfg : node.get("configs")) {
      if (cfg.has("vs")) {
        mesh.add("configs[" + i + "]", virtualService(cfg.get("vs"), i));
      } else if (cfg.has("sidecar")) {
        needsSidecar = true;
        mesh.add("configs[" + i + "]", sidecar(cfg.get("sidecar")));
      } else {
        fail("unknown config " + cfg);
      }
      i++;
    }
    assertThat(!needsSidecar || mesh.has("Sidecar"))
        .as("the case's Sidecar is parsed: %s", mesh.diagnostics())
        .isTrue();

    String ns = node.get("proxyNamespace").asText();
    ProxyView proxy =
        ProxyView.parse(
            "sidecar~10.10.0.1~app-abc.%s~%s.svc.cluster.local".formatted(ns, ns),
            Map.of("NAMESPACE", ns),
            Map.of("app", "app"),
            Locality.NONE);
    TrafficSimulator sim = Xds.simulate(mesh.snapshot(), proxy);
    String pending = PENDING.get(c.name());
    try {
      check(node, sim);
    } catch (AssertionFailedError e) {
      Assumptions.assumeTrue(
          pending == null, "pending: " + pending + "; fails with: " + e.getMessage());
      throw e;
    }
    if (pending != null) {
      fail("case passes now; remove it from PENDING (" + pending + ")");
    }
  }

  private static void check(JsonNode node, TrafficSimulator sim) {
    String routeName = node.get("routeName").asText();
    int port = Integer.parseInt(routeName);
    JsonNode expected = node.get("expected");
    Optional<RouteConfiguration> rc = sim.routeConfiguration(routeName);
    if (expected == null || expected.isNull()) {
      if (rc.isPresent()) {
        assertThat(clustersByDomain(rc.get()))
            .as("route %s should be absent or carry no cluster routes", routeName)
            .isEmpty();
      }
      return;
    }
    assertThat(rc).as("route configuration %s", routeName).isPresent();
    Map<String, List<String>> byDomain = clustersByDomain(rc.get());
    Iterator<Map.Entry<String, JsonNode>> it = expected.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String domain = e.getKey();
      if (e.getValue().isNull()) {
        assertThat(byDomain)
            .as("domain %s in route %s", domain, routeName)
            .doesNotContainKey(domain);
        continue;
      }
      List<String> want = new ArrayList<>();
      e.getValue().forEach(v -> want.add(v.asText()));
      assertThat(byDomain.get(domain))
          .as("clusters of the virtual host with domain %s in route %s", domain, routeName)
          .isEqualTo(want);

      // the same through a request: a wildcard domain is probed with a name it covers
      String host = domain.startsWith("*.") ? "probe" + domain.substring(1) : domain;
      Result r = sim.run(Call.http(host, port).build());
      assertThat(r.routeConfig()).as("%s", r).isEqualTo(routeName);
      assertThat(r.clusters())
          .as("request to %s:%d -> %s", host, port, r)
          .containsExactlyElementsOf(new TreeSet<>(want));
    }
  }

  /**
   * istiod's xdstest.ExtractVirtualHosts: each domain → the sorted single clusters of its vhost.
   */
  static Map<String, List<String>> clustersByDomain(RouteConfiguration rc) {
    Map<String, List<String>> out = new TreeMap<>();
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      List<String> clusters = new ArrayList<>();
      for (Route r : vh.getRoutesList()) {
        if (r.hasRoute() && !r.getRoute().getCluster().isEmpty()) {
          clusters.add(r.getRoute().getCluster());
        }
      }
      if (clusters.isEmpty()) {
        continue;
      }
      clusters.sort(null);
      for (String d : vh.getDomainsList()) {
        out.put(d, clusters);
      }
    }
    return out;
  }

  /** The test's VirtualService template. */
  static String virtualService(JsonNode vs, int index) {
    String ns = vs.get("namespace").asText();
    String time = TIMES.get(vs.has("time") ? vs.get("time").asText() : "base");
    StringBuilder hosts = new StringBuilder();
    for (JsonNode h : vs.get("hosts")) {
      hosts.append(hosts.length() == 0 ? "" : ", ").append('"').append(h.asText()).append('"');
    }
    String dest = vs.get("dest").asText();
    String name =
        (ns + "-" + vs.get("hosts").get(0).asText() + "-" + dest)
            .replace("*", "wildcard")
            .toLowerCase(Locale.ROOT);
    StringBuilder y = new StringBuilder();
    y.append("apiVersion: networking.istio.io/v1\nkind: VirtualService\n");
    y.append("metadata: {name: \"").append(name).append("\", namespace: ").append(ns);
    y.append(", creationTimestamp: \"").append(time).append("\"}\n");
    y.append("spec:\n  hosts: [").append(hosts).append("]\n  http:\n");
    y.append("  - route:\n    - destination:\n        host: ").append(dest).append('\n');
    if (vs.has("port")) {
      y.append("        port: {number: ").append(vs.get("port").asInt()).append("}\n");
    }
    if (vs.has("portMatch")) {
      y.append("    match: [{port: ").append(vs.get("portMatch").asInt()).append("}]\n");
    }
    return y.toString();
  }

  /** The test's Sidecar template: spec.egress[0].hosts. */
  static String sidecar(JsonNode sc) {
    StringBuilder hosts = new StringBuilder();
    for (JsonNode h : sc.get("egress")) {
      hosts.append(hosts.length() == 0 ? "" : ", ").append('"').append(h.asText()).append('"');
    }
    return "apiVersion: networking.istio.io/v1\n"
        + "kind: Sidecar\n"
        + "metadata: {name: sidecar, namespace: "
        + sc.get("namespace").asText()
        + "}\nspec:\n  egress:\n  - hosts: ["
        + hosts
        + "]\n";
  }
}
