package io.jpilot.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.e2e.EdsRecorder.Assignment;
import io.jpilot.k8s.NamespaceSelector;
import io.jpilot.server.JPilotServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling update of a 500-pod deployment, written to the API server the way the Deployment and
 * EndpointSlice controllers do it (maxSurge 100, maxUnavailable 0): per step, 100 new pods start
 * and get a new slice, then 100 old pods go away and their slice is emptied and deleted. A proxy
 * watching the service's endpoints must see them converge on the 500 new pods without ever
 * receiving an empty (or short) endpoint set.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesRolloutE2ETest {
  private static final int REPLICAS = 500;
  private static final int STEP = 100;
  private static final String HOST = "web.default.svc.cluster.local";
  private static final String CLUSTER = "outbound|80||" + HOST;

  @Test
  void rollingFiveHundredPodsNeverEmptiesTheEndpoints() throws Exception {
    try (MockKubernetes k8s = MockKubernetes.start()) {
      k8s.apply(SERVICE);
      for (int step = 0; step < REPLICAS / STEP; step++) {
        startPods(k8s, "old", step);
      }

      // a short debounce, so that the proxy is sent (nearly) every intermediate state
      JPilotServer.Options test = k8s.jpilotOptions(k8s.url(), NamespaceSelector.all());
      JPilotServer.Options options =
          new JPilotServer.Options(
              null,
              test.bind(),
              0,
              0,
              Duration.ofMillis(5),
              Duration.ofMillis(50),
              test.pushThrottle(),
              test.domainSuffix(),
              test.kubernetes());
      try (JPilotServer jpilot = JPilotServer.start(options);
          EdsRecorder eds = new EdsRecorder(jpilot.xdsPort(), CLUSTER)) {
        eds.await(CLUSTER, a -> a.addresses().size() == REPLICAS, Duration.ofSeconds(10));

        int apiWrites = 0;
        for (int step = 0; step < REPLICAS / STEP; step++) {
          apiWrites += startPods(k8s, "new", step);
          apiWrites += stopPods(k8s, "old", step);
        }

        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < REPLICAS; i++) {
          expected.add(ip("new", i) + ":8080");
        }
        eds.await(
            CLUSTER, a -> new TreeSet<>(a.addresses()).equals(expected), Duration.ofSeconds(20));

        List<Assignment> seen = eds.received(CLUSTER);
        IntSummaryStatistics sizes =
            seen.stream().mapToInt(a -> a.addresses().size()).summaryStatistics();
        assertThat(sizes.getMin())
            .as("smallest endpoint set sent during the rollout (%s responses)", seen.size())
            .isGreaterThanOrEqualTo(REPLICAS);
        assertThat(seen.size())
            .as("EDS responses for %s API writes: intermediate states were sent", apiWrites)
            .isGreaterThan(REPLICAS / STEP);
        assertThat(
                MonitoringScrape.sum(
                    jpilot.monitoringPort(),
                    "pilot_push_triggers_total",
                    Map.of("type", "endpoint")))
            .isPositive();
      }
    }
  }

  /** Starts 100 pods and publishes them, ready, in a new slice. Returns the number of writes. */
  private static int startPods(MockKubernetes k8s, String generation, int step) {
    List<String> endpoints = new ArrayList<>();
    for (int j = 0; j < STEP; j++) {
      int i = step * STEP + j;
      String name = "web-" + generation + "-" + i;
      k8s.apply(pod(name, generation, ip(generation, i)));
      endpoints.add(endpoint(name, ip(generation, i)));
    }
    k8s.apply(slice("web-" + generation + "-" + step, endpoints));
    return STEP + 1;
  }

  /** Deletes 100 pods, then empties their slice and deletes it. Returns the number of writes. */
  private static int stopPods(MockKubernetes k8s, String generation, int step) {
    for (int j = 0; j < STEP; j++) {
      k8s.delete("Pod", "default", "web-" + generation + "-" + (step * STEP + j));
    }
    k8s.apply(slice("web-" + generation + "-" + step, List.of()));
    k8s.delete("EndpointSlice", "default", "web-" + generation + "-" + step);
    return STEP + 2;
  }

  private static String ip(String generation, int i) {
    return (generation.equals("old") ? "10.1." : "10.2.") + (i / 250) + "." + (i % 250 + 1);
  }

  private static final String SERVICE =
      """
      {"apiVersion": "v1", "kind": "Service",
       "metadata": {"name": "web", "namespace": "default"},
       "spec": {"clusterIP": "10.96.0.80", "selector": {"app": "web"},
                "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}
      """;

  private static String pod(String name, String generation, String ip) {
    return """
{"apiVersion": "v1", "kind": "Pod",
 "metadata": {"name": "%s", "namespace": "default",
              "labels": {"app": "web", "pod-template-hash": "%s"}},
 "spec": {"nodeName": "node-1", "containers": [{"name": "web", "image": "example.com/web"}]},
 "status": {"phase": "Running", "podIP": "%s"}}
"""
        .formatted(name, generation, ip);
  }

  private static String endpoint(String pod, String ip) {
    return """
           {"addresses": ["%s"], "conditions": {"ready": true}, "nodeName": "node-1",
            "targetRef": {"kind": "Pod", "name": "%s", "namespace": "default"}}
           """
        .formatted(ip, pod);
  }

  private static String slice(String name, List<String> endpoints) {
    return """
           {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "%s", "namespace": "default",
                         "labels": {"kubernetes.io/service-name": "web"}},
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": [%s]}
           """
        .formatted(name, String.join(",", endpoints));
  }
}
