package io.jpilot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Traffic from the productpage sidecar of {@code examples/bookinfo}, through what jpilot generates
 * for it: the reviews VirtualService sends end-user jason to v3 and splits the rest 80/20.
 */
class BookinfoSidecarSimulationTest {
  static final String REVIEWS = "reviews.default.svc.cluster.local";
  static final String PRODUCTPAGE_NODE =
      "sidecar~10.244.3.15~productpage-v1-7d4f9c8b6-x2k9m.default~default.svc.cluster.local";

  static TrafficSimulator sim;

  @BeforeAll
  static void translate() {
    MeshSnapshot snapshot =
        new MeshYaml().addDirectory(MeshYaml.repoRoot().resolve("examples/bookinfo")).snapshot();
    ProxyView productpage =
        ProxyView.parse(
            PRODUCTPAGE_NODE,
            Map.of("NAMESPACE", "default"),
            Map.of("app", "productpage", "version", "v1"),
            Locality.NONE);
    sim = Xds.simulate(snapshot, productpage);
  }

  @Test
  void jasonGoesToReviewsV3() {
    Result r = sim.run(Call.http("reviews", 9080).header("end-user", "jason").build());
    assertThat(r.ok()).as("%s", r).isTrue();
    assertThat(r.listener()).isEqualTo("0.0.0.0_9080");
    assertThat(r.routeConfig()).isEqualTo("9080");
    assertThat(r.virtualHost()).isEqualTo(REVIEWS + ":9080");
    assertThat(r.route()).isEqualTo("jason");
    assertThat(r.cluster()).isEqualTo("outbound|9080|v3|" + REVIEWS);
    assertThat(r.undefinedClusters()).isEmpty();
  }

  @Test
  void everyoneElseIsSplitBetweenV1AndV2() {
    for (Call c :
        new Call[] {
          Call.http("reviews", 9080).build(),
          Call.http("reviews:9080", 9080).header("end-user", "mike").build(),
          Call.http("reviews.default.svc.cluster.local", 9080).path("/reviews/0").build(),
          Call.http("reviews", 9080).address("10.96.114.47").build(),
        }) {
      Result r = sim.run(c);
      assertThat(r.ok()).as("%s -> %s", c, r).isTrue();
      assertThat(r.route()).as("%s", c).isEqualTo("split");
      assertThat(r.weights())
          .as("%s", c)
          .isEqualTo(Map.of("outbound|9080|v1|" + REVIEWS, 80, "outbound|9080|v2|" + REVIEWS, 20));
      assertThat(r.undefinedClusters()).as("%s", c).isEmpty();
    }
  }

  @Test
  void headerValuesAreCaseSensitive() {
    Result r = sim.run(Call.http("reviews", 9080).header("End-User", "Jason").build());
    assertThat(r.route()).as("header names are not, values are").isEqualTo("split");
  }

  @Test
  void serviceWithoutVirtualServiceGetsTheDefaultRoute() {
    Result r = sim.run(Call.http("ratings.default", 9080).build());
    assertThat(r.virtualHost()).isEqualTo("ratings.default.svc.cluster.local:9080");
    assertThat(r.route()).isEqualTo("default");
    assertThat(r.cluster()).isEqualTo("outbound|9080||ratings.default.svc.cluster.local");
    assertThat(r.undefinedClusters()).isEmpty();
  }

  @Test
  void unknownHostsAndPortsPassThrough() {
    Result http = sim.run(Call.http("example.com", 9080).build());
    assertThat(http.virtualHost()).isEqualTo("allow_any");
    assertThat(http.cluster()).isEqualTo("PassthroughCluster");

    Result tcp = sim.run(Call.tcp("192.168.7.7", 5432).build());
    assertThat(tcp.listener()).isEqualTo("virtualOutbound");
    assertThat(tcp.cluster()).isEqualTo("PassthroughCluster");
  }
}
