package io.jpilot.e2e;

import static io.jpilot.e2e.GrpcXdsClientHarness.awaitIdentities;
import static io.jpilot.e2e.GrpcXdsClientHarness.awaitOnly;
import static io.jpilot.e2e.GrpcXdsClientHarness.bootstrapJson;
import static io.jpilot.e2e.GrpcXdsClientHarness.tally;
import static io.jpilot.e2e.GrpcXdsClientHarness.writeAtomically;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.grpc.ManagedChannel;
import io.jpilot.e2e.GrpcXdsClientHarness.Backend;
import io.jpilot.e2e.GrpcXdsClientHarness.Convergence;
import io.jpilot.e2e.GrpcXdsClientHarness.Node;
import io.jpilot.server.JPilotServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jpilot serving a real grpc-java xDS client. The mesh is {@link ReviewsMeshFixture}'s plain
 * Kubernetes and Istio YAML in a config directory: a {@code reviews} Service with two pods (v1 on
 * 127.0.0.2, v2 on 127.0.0.3, both real gRPC servers on one port), a DestinationRule with subsets
 * v1 and v2, and a VirtualService that sends {@code x-env: staging} to v2 and splits the rest
 * 80/20. The client dials {@code xds:///reviews.default.svc.cluster.local:<port>} and learns
 * everything from jpilot. {@link GrpcJsXdsE2ETest} runs the same mesh with grpc-js-xds.
 */
@Timeout(value = 45, unit = TimeUnit.SECONDS)
class ProxylessGrpcRoutingE2ETest {

  private static final Duration RPC_TIMEOUT = Duration.ofSeconds(2);
  private static final Map<String, String> NO_HEADERS = Map.of();
  private static final Map<String, String> STAGING = Map.of("x-env", "staging");

  @TempDir Path configDir;

  @Test
  void weightedSplitHeaderMatchAndLiveEdit() throws Exception {
    try (GrpcXdsClientHarness harness = new GrpcXdsClientHarness()) {
      List<Backend> backends = harness.startBackendsOnSharedPort(ReviewsMeshFixture.ipByVersion());
      int port = backends.get(0).address().getPort();

      ReviewsMeshFixture.writeTo(configDir, port);
      JPilotServer jpilot = ReviewsMeshFixture.startJPilot(configDir);
      try {
        String bootstrap =
            bootstrapJson(
                "127.0.0.1",
                jpilot.xdsPort(),
                Node.proxylessGrpc("127.0.0.1", "client-1", "default"));
        ManagedChannel channel = harness.xdsChannel(ReviewsMeshFixture.xdsTarget(port), bootstrap);

        // The first config: listener, route, both subset clusters and their endpoints.
        awaitIdentities(channel, Set.of("v1", "v2"), NO_HEADERS, Duration.ofSeconds(10));

        // (1) 80/20 over 1,000 RPCs, within ±5 points.
        SortedMap<String, Integer> split = tally(channel, 1000, NO_HEADERS, RPC_TIMEOUT);
        assertThat(split).as("answers to 1,000 RPCs without x-env").containsOnlyKeys("v1", "v2");
        assertThat(split.get("v1")).as("v1's share of %s", split).isBetween(750, 850);

        // (2) the header match wins over the split.
        assertThat(tally(channel, 100, STAGING, RPC_TIMEOUT))
            .as("answers to 100 RPCs with x-env: staging")
            .containsExactly(entry("v2", 100));

        // (3) an edit on disk moves all traffic within one second.
        Path vsFile = configDir.resolve(ReviewsMeshFixture.VIRTUAL_SERVICE_FILE);
        long editedAt = System.nanoTime();
        writeAtomically(vsFile, ReviewsMeshFixture.VIRTUAL_SERVICE_ALL_V1);
        Convergence shift =
            awaitOnly(channel, "v1", NO_HEADERS, editedAt, 100, Duration.ofSeconds(5));
        assertThat(shift.elapsed())
            .as("time from the edit to 100 RPCs in a row on v1 (%s)", shift)
            .isNotNull()
            .isLessThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(shift.before().keySet())
            .as("no RPC fails while traffic shifts (%s)", shift)
            .allMatch(answer -> !answer.startsWith("error:"));
        assertThat(tally(channel, 200, NO_HEADERS, RPC_TIMEOUT))
            .as("answers to 200 RPCs after the edit")
            .containsExactly(entry("v1", 200));
        assertThat(tally(channel, 50, STAGING, RPC_TIMEOUT))
            .as("x-env: staging still goes to v2 after the edit")
            .containsExactly(entry("v2", 50));
      } finally {
        harness.shutdownChannels();
        jpilot.close();
      }
    }
  }
}
