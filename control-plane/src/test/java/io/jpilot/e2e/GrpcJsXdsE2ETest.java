package io.jpilot.e2e;

import static io.jpilot.e2e.GrpcXdsClientHarness.bootstrapJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.jpilot.e2e.GrpcJsXdsClient.Phase;
import io.jpilot.e2e.GrpcJsXdsClient.PhaseResult;
import io.jpilot.e2e.GrpcJsXdsClient.Plan;
import io.jpilot.e2e.GrpcJsXdsClient.Run;
import io.jpilot.e2e.GrpcXdsClientHarness.Backend;
import io.jpilot.e2e.GrpcXdsClientHarness.Node;
import io.jpilot.server.JPilotServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jpilot serving a real Node.js {@code @grpc/grpc-js-xds} client, on the same mesh as {@link
 * ProxylessGrpcRoutingE2ETest} ({@link ReviewsMeshFixture}). grpc-js-xds validates xDS resources
 * differently from grpc-java (for one, it rejects a ClusterLoadAssignment whose LocalityLbEndpoints
 * have no locality, and a bootstrap node without one), so both clients are run.
 *
 * <p>Needs Node.js 18+ and npm on the PATH; the client's dependencies are installed from its
 * committed lock file with {@code npm ci} when missing.
 */
class GrpcJsXdsE2ETest {

  private static final Duration RPC_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration CLIENT_DEADLINE = Duration.ofSeconds(40);

  @TempDir Path configDir;

  @BeforeAll
  static void installClient() throws Exception {
    GrpcJsXdsClient.ensureInstalled();
  }

  @Test
  @Timeout(value = 75, unit = TimeUnit.SECONDS)
  void weightedSplitAndHeaderMatch() throws Exception {
    try (GrpcXdsClientHarness harness = new GrpcXdsClientHarness()) {
      List<Backend> backends = harness.startBackendsOnSharedPort(ReviewsMeshFixture.ipByVersion());
      int port = backends.get(0).address().getPort();

      ReviewsMeshFixture.writeTo(configDir, port);
      try (JPilotServer jpilot = ReviewsMeshFixture.startJPilot(configDir)) {
        String bootstrap =
            bootstrapJson(
                "127.0.0.1",
                jpilot.xdsPort(),
                Node.proxylessGrpc("127.0.0.1", "client-js-1", "default"));

        // First every identity once (the whole config has arrived), then the tallies.
        Run run =
            GrpcJsXdsClient.run(
                ReviewsMeshFixture.xdsTarget(port),
                bootstrap,
                new Plan(
                    List.of("v1", "v2"),
                    Duration.ofSeconds(15),
                    List.of(
                        new Phase("split", 1000, Map.of()),
                        new Phase("staging", 200, Map.of("x-env", "staging"))),
                    RPC_TIMEOUT,
                    CLIENT_DEADLINE));

        assertThat(run.nacks()).as("responses grpc-js-xds rejected; %s", run.describe()).isEmpty();
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.result()).as(run.describe()).isNotNull();
        assertThat(run.result().fatal()).as(run.describe()).isNull();

        // (1) 80/20 over 1,000 RPCs, within ±5 points.
        PhaseResult split = run.result().phase("split").orElseThrow();
        assertThat(split.errors()).as("failed calls without x-env: %s", split).isEmpty();
        assertThat(split.answers())
            .as("answers to 1,000 RPCs without x-env")
            .containsOnlyKeys("v1", "v2");
        assertThat(split.answers().get("v1")).as("v1's share of %s", split).isBetween(750, 850);

        // (2) the header match wins over the split: every staging call reaches v2.
        PhaseResult staging = run.result().phase("staging").orElseThrow();
        assertThat(staging.errors()).as("failed calls with x-env: staging: %s", staging).isEmpty();
        assertThat(staging.answers())
            .as("answers to 200 RPCs with x-env: staging")
            .containsExactly(entry("v2", 200));
      }
    }
  }
}
