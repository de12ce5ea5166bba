package io.jpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.k8s.NamespaceSelector;
import io.jpilot.server.JPilotServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** /ready says 503 until every informer has synced, and the sync itself pushes nothing. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesReadinessE2ETest {
  @TempDir Path dir;

  @Test
  void notReadyUntilEveryKindIsListedThenServesWithoutPushing() throws Exception {
    try (MockKubernetes k8s = MockKubernetes.start()) {
      ReviewsMeshFixture.writeTo(dir, 9080);
      k8s.applyDirectory(dir);
      // listing VirtualServices fails five times (retried after 0.1, 0.2, 0.4, 0.8, 1.6s)
      k8s.server
          .expect()
          .get()
          .withPath("/apis/networking.istio.io/v1/virtualservices?resourceVersion=0")
          .andReturn(503, "{\"kind\":\"Status\",\"code\":503}")
          .times(5);
      int monitoringPort = freePort();
      JPilotServer.Options test = k8s.jpilotOptions(k8s.url(), NamespaceSelector.all());
      JPilotServer.Options options =
          new JPilotServer.Options(
              null,
              test.bind(),
              0,
              monitoringPort,
              test.debounceAfter(),
              test.debounceMax(),
              test.pushThrottle(),
              test.domainSuffix(),
              test.kubernetes());

      CompletableFuture<JPilotServer> starting =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return JPilotServer.start(options);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      int notReady = 0;
      int status;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      do {
        boolean started = starting.isDone();
        status = MonitoringScrape.status(monitoringPort, "/ready");
        if (started) {
          assertThat(status).as("/ready once start() returned").isEqualTo(200);
        } else if (status == 503) {
          notReady++;
        }
        Thread.sleep(20);
      } while (status != 200 && System.nanoTime() < end);
      assertThat(notReady).as("/ready answered 503 while syncing").isPositive();
      assertThat(status).isEqualTo(200);

      try (JPilotServer jpilot = starting.get(10, TimeUnit.SECONDS)) {
        assertThat(jpilot.snapshot().services()).containsKey(ReviewsMeshFixture.HOST);
        assertThat(jpilot.snapshot().configCount()).isEqualTo(2);
        // the initial sync is the first snapshot, not a push
        Thread.sleep(500);
        assertThat(jpilot.snapshot().version()).isZero();
        assertThat(MonitoringScrape.sum(monitoringPort, "pilot_push_triggers_total", Map.of()))
            .isZero();
      }
    }
  }

  @Test
  void aClusterThatNeverSyncsFailsTheStartAfterTheTimeout() throws Exception {
    try (MockKubernetes k8s = MockKubernetes.start()) {
      k8s.server
          .expect()
          .get()
          .withPath("/api/v1/nodes?resourceVersion=0")
          .andReturn(403, "{\"kind\":\"Status\",\"code\":403,\"reason\":\"Forbidden\"}")
          .always();
      JPilotServer.Options test = k8s.jpilotOptions(k8s.url(), NamespaceSelector.all());
      JPilotServer.KubernetesOptions k = test.kubernetes().orElseThrow();
      JPilotServer.Options options =
          JPilotServer.Options.forTest(
              new JPilotServer.KubernetesOptions(
                  k.connection(), k.clusterId(), k.namespaces(), Optional.of(Duration.ofSeconds(1))));

      try {
        JPilotServer.start(options).close();
        throw new AssertionError("start() should fail");
      } catch (java.io.IOException e) {
        assertThat(e).hasMessageContaining("not synced within 1s").hasMessageContaining("nodes");
      }
    }
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
