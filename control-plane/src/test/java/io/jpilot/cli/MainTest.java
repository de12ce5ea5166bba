package io.jpilot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.jpilot.debug.ConfigDumps;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI as a user runs it: proxy-config on the bundled example, and usage errors. */
class MainTest {
  private static final String BOOKINFO =
      Path.of(System.getProperty("jpilot.repoRoot"), "examples", "bookinfo").toString();
  private static final String PRODUCTPAGE =
      "sidecar~10.244.3.15~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local";

  private record Run(int code, String out, String err) {}

  private static Run run(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            argv,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void clustersTableListsServicesAndSubsets() {
    Run r = run("proxy-config", "clusters", "--config", BOOKINFO, "--proxy", PRODUCTPAGE);
    assertThat(r.code()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).startsWith("SERVICE FQDN").contains("DESTINATION RULE");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l.split("\\s+"))
                    .containsExactly(
                        "reviews.default.svc.cluster.local", "9080", "v2", "outbound", "EDS",
                        "reviews.default"));
    assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("BlackHoleCluster"));
  }

  @Test
  void routesTableShowsTheWeightedSplitAndTheHeaderMatch() {
    Run r = run("proxy-config", "routes", "--config", BOOKINFO, "--proxy", PRODUCTPAGE);
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("[end-user]")
        .contains("outbound|9080|v1|reviews.default.svc.cluster.local 80")
        .contains("outbound|9080|v2|reviews.default.svc.cluster.local 20")
        .contains("allow_any");
  }

  @Test
  void jsonOutputIsAnEnvoyConfigDump() throws Exception {
    Run r = run("proxy-config", "all", "--config", BOOKINFO, "--proxy", PRODUCTPAGE, "-o", "json");
    assertThat(r.code()).isZero();
    ConfigDump dump = ConfigDumps.parse(r.out());
    assertThat(dump.getConfigsList())
        .extracting(a -> a.getTypeUrl().substring(a.getTypeUrl().lastIndexOf('.') + 1))
        .containsExactly(
            "ClustersConfigDump", "EndpointsConfigDump", "ListenersConfigDump", "RoutesConfigDump");
    RoutesConfigDump routes = dump.getConfigs(3).unpack(RoutesConfigDump.class);
    assertThat(routes.getDynamicRouteConfigsList())
        .extracting(d -> d.getRouteConfig().unpack(RouteConfiguration.class).getName())
        .containsExactly("80", "9080");
  }

  @Test
  void ingressGatewayRoutesShowTheBookinfoGateway() {
    Run r =
        run(
            "proxy-config", "routes", "--config", BOOKINFO,
            "--proxy",
            "router~10.244.0.5~istio-ingressgateway-abc.istio-system~istio-system.svc.cluster.local");
    assertThat(r.code()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(6);
    assertThat(lines.subList(1, 6))
        .allSatisfy(
            l ->
                assertThat(l)
                    .startsWith("http.8080")
                    .contains("outbound|9080||productpage.default.svc.cluster.local")
                    .endsWith("bookinfo.default"));
    assertThat(r.out()).contains("/productpage").contains("/static*").contains("/login");
  }

  @Test
  void proxylessGrpcNodeGetsItsListenerAndNamedClustersOnly() {
    Run r =
        run(
            "proxy-config", "all", "--config", BOOKINFO,
            "--proxy", "sidecar~127.0.0.1~client.default~default.svc.cluster.local",
            "--meta", "GENERATOR=grpc",
            "--name", "reviews.default.svc.cluster.local:9080");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .contains("reviews.default.svc.cluster.local:9080")
        .contains("Route: outbound|9080||reviews.default.svc.cluster.local")
        .doesNotContain("details.default.svc.cluster.local")
        .doesNotContain("BlackHoleCluster");
  }

  @Test
  void usageErrorsExitTwoAndSayWhatIsWrong() {
    Run unknown = run("proxy-config", "secrets", "--config", BOOKINFO, "--proxy", PRODUCTPAGE);
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown resource kind secrets").contains("usage:");

    Run missing = run("proxy-config", "clusters", "--config", BOOKINFO);
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("--proxy NODE_ID");

    Run badOption = run("serve", "--config", BOOKINFO, "--debounce-after", "fast");
    assertThat(badOption.code()).isEqualTo(2);
    assertThat(badOption.err()).contains("--debounce-after").contains("fast");

    Run badNode = run("proxy-config", "clusters", "--config", BOOKINFO, "--proxy", "not-a-node");
    assertThat(badNode.code()).isEqualTo(1);
    assertThat(badNode.err()).contains("expected 4 parts");

    assertThat(run().code()).isEqualTo(2);
    assertThat(run("frobnicate").err()).contains("unknown command frobnicate");
  }
}
