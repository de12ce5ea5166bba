package io.jpilot.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshObject;
import io.jpilot.model.parse.ConfigFileParser;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.push.PushRequest;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The cross-object checks in serve: logged when the findings change, counted in a gauge. */
class ConfigAnalysisLogTest {
  private static final String VS =
      "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\n"
          + "spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews, subset:"
          + " v2}}]}]}\n";
  private static final String DR =
      "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: reviews}\n"
          + "spec: {host: reviews, subsets: [{name: v2, labels: {version: v2}}]}\n";
  private static final String NS = "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n";

  @TempDir Path dir;

  private static List<MeshObject> objects(String... yaml) {
    List<MeshObject> all = new ArrayList<>();
    for (String y : yaml) {
      all.addAll(ConfigFileParser.parse("f.yaml", y, "cluster.local").objects());
    }
    return all;
  }

  @Test
  void onlyChangesInTheFindingsAreLogged() {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ConfigAnalysisLog analysis = new ConfigAnalysisLog("cluster.local", meters);

    ConfigAnalysisLog.Change first = analysis.check(objects(VS));
    assertThat(first.added())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.code()).isEqualTo("IST0101");
              assertThat(d.path()).isEqualTo("spec.http[0].route[0].destination.subset");
            });
    assertThat(first.resolved()).isEmpty();
    assertThat(meters.scrape()).contains("jpilot_config_reference_warnings 1.0");

    // an unrelated change: nothing new to say
    ConfigAnalysisLog.Change unrelated = analysis.check(objects(VS, NS));
    assertThat(unrelated.added()).isEmpty();
    assertThat(unrelated.resolved()).isEmpty();

    // the DestinationRule arrives: the finding is resolved
    ConfigAnalysisLog.Change fixed = analysis.check(objects(VS, NS, DR));
    assertThat(fixed.added()).isEmpty();
    assertThat(fixed.resolved())
        .extracting(Diagnostic::path)
        .containsExactly(first.added().get(0).path());
    assertThat(meters.scrape()).contains("jpilot_config_reference_warnings 0.0");
  }

  @Test
  @Timeout(60)
  void serverChecksAtLoadAndOnEveryConfigChange() throws Exception {
    Files.writeString(dir.resolve("vs.yaml"), VS);
    try (JPilotServer server = JPilotServer.start(JPilotServer.Options.forTest(dir))) {
      assertThat(server.meters().scrape()).contains("jpilot_config_reference_warnings 1.0");

      Files.writeString(dir.resolve("dr.yaml"), DR);
      while (!server.meters().scrape().contains("jpilot_config_reference_warnings 0.0")) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      assertThat(server.snapshot().virtualServices()).hasSize(1);
    }
  }

  @Test
  void podAndSliceChangesDoNotRerunTheAnalysis() {
    ConfigKey pod = new ConfigKey("Pod", "ns", "p");
    ConfigKey slice = new ConfigKey("EndpointSlice", "ns", "s");
    ConfigKey vs = new ConfigKey("VirtualService", "ns", "v");
    ConfigKey svc = new ConfigKey("Service", "ns", "s");
    assertThat(JPilotServer.needsAnalysis(new PushRequest(true, Set.of(pod, slice), Set.of(), 0)))
        .isFalse();
    assertThat(JPilotServer.needsAnalysis(new PushRequest(true, Set.of(pod, vs), Set.of(), 0)))
        .isTrue();
    assertThat(JPilotServer.needsAnalysis(new PushRequest(true, Set.of(svc), Set.of(), 0)))
        .isTrue();
    assertThat(JPilotServer.needsAnalysis(new PushRequest(false, Set.of(slice), Set.of(), 0)))
        .isFalse();
    assertThat(JPilotServer.needsAnalysis(new PushRequest(true, Set.of(), Set.of(), 0))).isTrue();
  }

  @Test
  @Timeout(30)
  void aRequestedCheckWaitsWhilePushesRun() throws Exception {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicBoolean quiet = new AtomicBoolean();
    AtomicInteger asked = new AtomicInteger();
    try (ConfigAnalysisLog analysis =
        new ConfigAnalysisLog(
            "cluster.local",
            meters,
            () -> {
              asked.incrementAndGet();
              return quiet.get();
            })) {
      List<MeshObject> objects = objects(VS);
      analysis.requestCheck(() -> objects);
      while (asked.get() < 3) {
        Thread.sleep(10);
      }
      // asked three times while a push ran (within the deferral limit): not checked yet
      assertThat(meters.scrape()).contains("jpilot_config_reference_warnings 0.0");
      quiet.set(true);
      while (!meters.scrape().contains("jpilot_config_reference_warnings 1.0")) {
        Thread.sleep(10);
      }
    }
  }
}
