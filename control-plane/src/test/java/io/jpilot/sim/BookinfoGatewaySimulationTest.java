package io.jpilot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import io.jpilot.sim.Result.Failure;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ingress gateway of {@code examples/bookinfo}: Bookinfo's bookinfo-gateway.yaml exposes
 * productpage on port 8080 of the gateway pod.
 */
class BookinfoGatewaySimulationTest {
  static final String PRODUCTPAGE = "outbound|9080||productpage.default.svc.cluster.local";

  static TrafficSimulator sim;

  @BeforeAll
  static void translate() {
    MeshSnapshot snapshot =
        new MeshYaml().addDirectory(MeshYaml.repoRoot().resolve("examples/bookinfo")).snapshot();
    ProxyView gateway =
        ProxyView.parse(
            "router~10.244.0.5~istio-ingressgateway-abc.istio-system~istio-system.svc.cluster.local",
            Map.of("NAMESPACE", "istio-system"),
            Map.of("app", "istio-ingressgateway", "istio", "ingressgateway"),
            Locality.NONE);
    sim = Xds.simulate(snapshot, gateway);
  }

  static Call.Builder browser(String path) {
    return Call.http("bookinfo.example.com", 8080).path(path).mode(Call.Mode.GATEWAY);
  }

  @Test
  void productpagePagesGoToProductpage() {
    assertThat(sim.listeners()).extracting(Listener::getName).containsExactly("0.0.0.0_8080");
    for (String path :
        new String[] {
          "/productpage", "/static/bootstrap.css", "/login", "/logout", "/api/v1/products/0"
        }) {
      Result r = sim.run(browser(path).build());
      assertThat(r.ok()).as("%s -> %s", path, r).isTrue();
      assertThat(r.routeConfig()).isEqualTo("http.8080");
      assertThat(r.virtualHost()).isEqualTo("*:8080");
      assertThat(r.cluster()).as(path).isEqualTo(PRODUCTPAGE);
      assertThat(r.undefinedClusters()).as("the gateway has the productpage cluster").isEmpty();
    }
  }

  @Test
  void otherPathsAre404() {
    assertThat(sim.run(browser("/").build()).error()).contains(Failure.NO_ROUTE);
    assertThat(sim.run(browser("/productpage/x").build()).error()).contains(Failure.NO_ROUTE);
    assertThat(sim.run(browser("/admin").build()).error()).contains(Failure.NO_ROUTE);
  }

  @Test
  void onlyTheServerPortListens() {
    assertThat(sim.run(Call.http("x", 80).mode(Call.Mode.GATEWAY).build()).error())
        .contains(Failure.NO_LISTENER);
    assertThat(sim.run(Call.http("x", 443).mode(Call.Mode.GATEWAY).build()).error())
        .contains(Failure.NO_LISTENER);
  }
}
