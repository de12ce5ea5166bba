package io.jpilot.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jpilot.translate.XdsType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small runs against a real (in-process) jpilot. */
class LoadToolTest {
  @TempDir Path tmp;

  @Test
  void everyProxyAcksEveryTypeItWasSent() throws Exception {
    LoadMeshGenerator gen =
        new LoadMeshGenerator(new LoadMeshGenerator.Shape(4, 6, 2, true, 4), tmp);
    gen.writeAll();
    try (InProcessControlPlane plane = new InProcessControlPlane(gen.configDir());
        EnvoyFleet fleet =
            new EnvoyFleet(
                "127.0.0.1", plane.xdsPort(), gen.proxies(), 2, 1, XdsReply.Watch.NONE, 3)) {
      fleet.connect(Duration.ofSeconds(20));
      assertThat(fleet.channelCount()).isEqualTo(3);
      for (SimulatedEnvoy e : fleet.envoys()) {
        // Scoped: the own namespace's 1 service (3 clusters) plus the shared ones (10 x 3 + roll).
        assertThat(e.subscribed(XdsType.ENDPOINT)).isEqualTo(3 + 31);
        assertThat(e.subscribed(XdsType.ROUTE)).isPositive();
      }
      assertThat(
              fleet.awaitQuiet(
                  System.nanoTime(),
                  Duration.ofMillis(300),
                  Duration.ZERO,
                  Duration.ofSeconds(10),
                  plane::cpuSeconds,
                  1.5))
          .isTrue();
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + plane.server.monitoringPort()
                                  + "/debug/syncz"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      JsonNode syncz = new ObjectMapper().readTree(body);
      assertThat(syncz).hasSize(6);
      for (JsonNode proxy : syncz) {
        for (String type : List.of("cds", "eds", "lds", "rds")) {
          assertThat(proxy.path(type).path("status").asText())
              .as(proxy.path("proxy").asText() + " " + type)
              .isEqualTo("SYNCED");
        }
      }
    }
  }

  @Test
  void scopedRunObservesEachChangeAndPrintsParsableResults() throws Exception {
    LoadTool.Settings s =
        new LoadTool.Settings(
            "s1",
            20,
            10,
            3,
            8,
            List.of("vs", "endpoint", "roll"),
            1,
            1,
            20,
            Duration.ofMillis(700),
            Duration.ofSeconds(4),
            Duration.ofSeconds(20),
            Duration.ofMillis(150),
            true,
            0.5);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    List<ChangeReport> reports =
        LoadTool.run(s, (config, work) -> new InProcessControlPlane(config), out, false);
    String printed = bytes.toString(StandardCharsets.UTF_8);
    List<String> results = printed.lines().filter(l -> l.startsWith("RESULT ")).toList();
    assertThat(results).hasSize(3);
    Map<String, Map<String, String>> byScenario = new HashMap<>();
    for (String line : results) {
      Map<String, String> kv = new HashMap<>();
      for (String field : line.substring("RESULT ".length()).split(" ")) {
        String[] p = field.split("=", 2);
        assertThat(p).hasSize(2);
        kv.put(p[0], p[1]);
      }
      assertThat(kv)
          .containsKeys(
              "scenario", "proxies", "services", "p50_ms", "p99_ms", "max_ms", "heap_mb",
              "floor_ratio");
      assertThat(Integer.parseInt(kv.get("proxies"))).isEqualTo(20);
      assertThat(Integer.parseInt(kv.get("services"))).isEqualTo(10);
      for (String k : List.of("p50_ms", "p99_ms", "max_ms", "heap_mb", "floor_ratio")) {
        assertThat(Double.parseDouble(kv.get(k))).as(k).isPositive();
      }
      byScenario.put(kv.get("scenario"), kv);
    }
    assertThat(byScenario).containsOnlyKeys("s1-vs", "s1-endpoint", "s1-roll");

    // ns-0 holds svc-0 and proxies 0 and 10: they see both changes to svc-0.
    ChangeReport vs = reports.get(0);
    assertThat(vs.pushed()).isGreaterThanOrEqualTo(2);
    assertThat(vs.responses()[XdsType.ROUTE.ordinal()]).isGreaterThanOrEqualTo(2);
    ChangeReport endpoint = reports.get(1);
    assertThat(endpoint.pushed()).isGreaterThanOrEqualTo(2);
    // The roll service is in the shared namespace every proxy imports: all converge, none empty.
    ChangeReport roll = reports.get(2);
    assertThat(roll.pushed()).isEqualTo(20);
    assertThat(roll.notConverged()).isZero();
    assertThat(roll.emptyWatched()).isZero();
    assertThat(roll.minWatched()).isGreaterThanOrEqualTo(8);
    assertThat(printed).contains("mesh written to");
  }

  @Test
  void repeatedChangesReportTheMedianPushAndListEveryRepeat() throws Exception {
    LoadTool.Settings s =
        new LoadTool.Settings(
            "s2",
            8,
            6,
            2,
            1,
            List.of("vs"),
            1,
            1,
            8,
            Duration.ofMillis(500),
            Duration.ofSeconds(4),
            Duration.ofSeconds(20),
            Duration.ofMillis(150),
            false,
            0.5,
            1,
            3,
            3);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    LoadTool.run(s, (config, work) -> new InProcessControlPlane(config), out, false);
    String printed = bytes.toString(StandardCharsets.UTF_8);
    List<String> results = printed.lines().filter(l -> l.startsWith("RESULT ")).toList();
    assertThat(results).hasSize(1);
    Map<String, String> kv = new HashMap<>();
    for (String field : results.get(0).substring("RESULT ".length()).split(" ")) {
      String[] p = field.split("=", 2);
      kv.put(p[0], p[1]);
    }
    assertThat(kv.get("scenario")).isEqualTo("s2");
    assertThat(kv.get("repeats")).isEqualTo("3");
    int warmups = Integer.parseInt(kv.get("warmups"));
    assertThat(warmups).isBetween(1, 3);
    assertThat(printed).contains("warmed up with " + warmups + " rounds");
    assertThat(Double.parseDouble(kv.get("jit_cpu_s"))).isNotNegative();
    List<Double> repeats =
        java.util.Arrays.stream(kv.get("push_ms_repeats").split("/")).map(Double::parseDouble).toList();
    assertThat(repeats).hasSize(3);
    List<Double> sorted = repeats.stream().sorted().toList();
    assertThat(Double.parseDouble(kv.get("push_ms"))).isEqualTo(sorted.get(1));
  }

  @Test
  void warmUpsEndOnceMostOfTheLastFiveChangesRanCompiled() {
    java.util.ArrayDeque<ChangeReport> recent = new java.util.ArrayDeque<>();
    for (int i = 0; i < 4; i++) {
      recent.add(report(1.0, 0.01));
    }
    assertThat(LoadTool.compiled(recent)).as("fewer than five changes").isFalse();
    recent.add(report(1.0, 0.8)); // a recompilation burst
    assertThat(LoadTool.compiled(recent)).isTrue();
    assertThat(LoadTool.compilerShare(recent))
        .isEqualTo(0.84 / 5, org.assertj.core.data.Offset.offset(1e-9));
    // Three of five still compiling: not yet.
    recent.clear();
    for (double jit : new double[] {0.2, 0.01, 0.3, 0.049, 0.06}) {
      recent.add(report(1.0, jit));
    }
    assertThat(LoadTool.compiled(recent)).isFalse();
    recent.removeFirst();
    recent.add(report(1.0, 0.0));
    assertThat(LoadTool.compiled(recent)).as("0.01, 0.049 and 0.0 are under 5%").isTrue();
  }

  private static ChangeReport report(double cpu, double jit) {
    return new ChangeReport(
        "s2", 1, 1, XdsType.ROUTE, new long[] {1}, 0, new long[4], new long[4], new long[] {1}, 1,
        cpu, 0, jit, 0, 0, -1, false, Duration.ZERO);
  }
}
