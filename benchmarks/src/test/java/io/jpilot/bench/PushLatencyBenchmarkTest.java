package io.jpilot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.jpilot.translate.XdsType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs the benchmark's setup and a few operations of each method with three clients. */
class PushLatencyBenchmarkTest {
  private static final String SVC0_CLUSTER = "outbound|8080||" + PushLatencyBenchmark.CHANGED_HOST;

  private final PushLatencyBenchmark bench = new PushLatencyBenchmark();

  @AfterEach
  void tearDown() {
    bench.tearDown();
  }

  @Test
  void everyClientAcksTheChangedRoutesAndEndpoints() throws Exception {
    bench.clients = 3;
    bench.keepResponses = true;
    bench.setUp();

    List<AdsBenchClient> clients = bench.fleet().clients();
    assertThat(clients).hasSize(3);
    for (AdsBenchClient c : clients) {
      assertThat(c.failure()).isNull();
      assertThat(c.subscribed(XdsType.ROUTE)).contains("8080");
      assertThat(c.subscribed(XdsType.ENDPOINT)).contains(SVC0_CLUSTER).hasSizeGreaterThan(100);
      assertThat(c.ackedVersion(XdsType.ROUTE)).isZero();
      assertThat(weights(c.lastAcked(XdsType.ROUTE))).containsExactly(100, 90, 10);
    }

    long v1 = bench.virtualServiceChange();
    assertThat(v1).isEqualTo(1).isEqualTo(bench.engine().snapshot().version());
    for (AdsBenchClient c : clients) {
      assertThat(c.ackedVersion(XdsType.ROUTE)).isEqualTo(v1);
      assertThat(weights(c.lastAcked(XdsType.ROUTE))).containsExactly(100, 80, 20);
    }
    long v2 = bench.virtualServiceChange();
    assertThat(v2).isEqualTo(v1 + 1);
    for (AdsBenchClient c : clients) {
      assertThat(c.ackedVersion(XdsType.ROUTE)).isEqualTo(v2);
      assertThat(weights(c.lastAcked(XdsType.ROUTE))).containsExactly(100, 90, 10);
    }

    ClusterLoadAssignment before = assignment(clients.get(0).lastAcked(XdsType.ENDPOINT));
    long v3 = bench.endpointChange();
    assertThat(v3).isEqualTo(v2 + 1);
    for (AdsBenchClient c : clients) {
      assertThat(c.ackedVersion(XdsType.ENDPOINT)).isEqualTo(v3);
      assertThat(assignment(c.lastAcked(XdsType.ENDPOINT))).isNotEqualTo(before);
      // An endpoint-only push leaves the routes alone.
      assertThat(c.ackedVersion(XdsType.ROUTE)).isEqualTo(v2);
    }
    long v4 = bench.endpointChange();
    assertThat(v4).isEqualTo(v3 + 1);
    for (AdsBenchClient c : clients) {
      assertThat(c.ackedVersion(XdsType.ENDPOINT)).isEqualTo(v4);
      assertThat(assignment(c.lastAcked(XdsType.ENDPOINT))).isEqualTo(before);
    }
  }

  /** The route weights of svc-0's virtual host in route 8080 (single-cluster routes count 100). */
  private static List<Integer> weights(DiscoveryResponse rds) throws Exception {
    List<Integer> out = new ArrayList<>();
    for (Any any : rds.getResourcesList()) {
      RouteConfiguration rc = any.unpack(RouteConfiguration.class);
      if (!rc.getName().equals("8080")) {
        continue;
      }
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        if (!vh.getDomainsList().contains(PushLatencyBenchmark.CHANGED_HOST)) {
          continue;
        }
        for (Route r : vh.getRoutesList()) {
          if (r.getRoute().hasWeightedClusters()) {
            for (WeightedCluster.ClusterWeight w : r.getRoute().getWeightedClusters().getClustersList()) {
              out.add(w.getWeight().getValue());
            }
          } else {
            out.add(100);
          }
        }
      }
    }
    return out;
  }

  private static ClusterLoadAssignment assignment(DiscoveryResponse eds) throws Exception {
    for (Any any : eds.getResourcesList()) {
      ClusterLoadAssignment cla = any.unpack(ClusterLoadAssignment.class);
      if (cla.getClusterName().equals(SVC0_CLUSTER)) {
        return cla;
      }
    }
    throw new AssertionError("no " + SVC0_CLUSTER + " in EDS version " + eds.getVersionInfo());
  }
}
