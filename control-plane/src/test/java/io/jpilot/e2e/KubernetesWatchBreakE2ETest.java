package io.jpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.e2e.EdsRecorder.Assignment;
import io.jpilot.k8s.NamespaceSelector;
import io.jpilot.server.JPilotServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection to the API server breaks: while it is down nothing changes for the proxies, and
 * when it is back jpilot catches up with what changed meanwhile. Between the two, no endpoint ever
 * vanishes, and a re-established watch that brings nothing new pushes nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesWatchBreakE2ETest {
  private static final Duration CONVERGE = Duration.ofSeconds(15);
  private static final String CLUSTER = "outbound|9080||" + ReviewsMeshFixture.HOST;
  private static final int WATCHED_KINDS = io.jpilot.k8s.KubernetesSource.watchedKinds().size();

  @TempDir Path dir;

  @Test
  void aBrokenWatchLosesNoEndpointAndCatchesUp() throws Exception {
    try (MockKubernetes k8s = MockKubernetes.start();
        TcpProxy proxy = new TcpProxy(k8s.address())) {
      ReviewsMeshFixture.writeTo(dir, 9080);
      k8s.applyDirectory(dir);
      k8s.apply(node("zone-a"));

      try (JPilotServer jpilot =
              JPilotServer.start(k8s.jpilotOptions(proxy.url(), NamespaceSelector.all()));
          EdsRecorder eds = new EdsRecorder(jpilot.xdsPort(), CLUSTER)) {
        int monitoring = jpilot.monitoringPort();
        Assignment first =
            eds.await(
                CLUSTER,
                a -> a.addresses().size() == 2 && a.zones().equals(Set.of("zone-a")),
                CONVERGE);

        // (1) every connection to the API server is reset; the informers watch again, and the API
        // server replays every object on each new watch
        int requestsBefore = k8s.server.getRequestCount();
        proxy.breakConnections();
        await(
            () -> k8s.server.getRequestCount() >= requestsBefore + WATCHED_KINDS,
            "a new watch for every kind");
        Thread.sleep(500); // longer than the 100ms debounce: a push would have gone out
        assertThat(eds.received(CLUSTER)).containsExactly(first);
        assertThat(MonitoringScrape.sum(monitoring, "pilot_push_triggers_total", Map.of()))
            .as("pushes after a replay that changed nothing")
            .isZero();

        // (2) the API server is unreachable while a pod is added and the node changes zone
        proxy.refuse(true);
        proxy.breakConnections();
        k8s.apply(pod("reviews-v3", "v3", "127.0.0.4"));
        k8s.edit(
            "EndpointSlice",
            "default",
            "reviews-7xk2p",
            s -> {
              @SuppressWarnings("unchecked")
              List<Object> endpoints = (List<Object>) s.getAdditionalProperties().get("endpoints");
              endpoints.add(
                  Map.of(
                      "addresses", List.of("127.0.0.4"),
                      "conditions", Map.of("ready", true),
                      "nodeName", "node-1",
                      "targetRef", Map.of("kind", "Pod", "name", "reviews-v3")));
              return s;
            });
        k8s.apply(node("zone-b"));
        Thread.sleep(500);
        assertThat(eds.received(CLUSTER)).as("nothing changes while disconnected").hasSize(1);

        // (3) reachable again: the changes arrive, and nothing was lost on the way
        proxy.refuse(false);
        eds.await(
            CLUSTER,
            a -> a.addresses().size() == 3 && a.zones().equals(Set.of("zone-b")),
            CONVERGE);
        for (Assignment a : eds.received(CLUSTER)) {
          assertThat(a.addresses())
              .as("endpoints of version %s", a.version())
              .contains("127.0.0.2:9080", "127.0.0.3:9080");
        }
      }
    }
  }

  private static void await(java.util.function.BooleanSupplier check, String what)
      throws InterruptedException {
    long end = System.nanoTime() + CONVERGE.toNanos();
    while (!check.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(end);
      Thread.sleep(20);
    }
  }

  private static String node(String zone) {
    return """
           apiVersion: v1
           kind: Node
           metadata:
             name: node-1
             labels:
               topology.kubernetes.io/region: region-1
               topology.kubernetes.io/zone: %s
           """
        .formatted(zone);
  }

  private static String pod(String name, String version, String ip) {
    return """
           apiVersion: v1
           kind: Pod
           metadata:
             name: %s
             namespace: default
             labels:
               app: reviews
               version: %s
           spec:
             nodeName: node-1
             containers:
             - name: reviews
               image: example.com/reviews
           status:
             podIP: %s
           """
        .formatted(name, version, ip);
  }
}
