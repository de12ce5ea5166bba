package io.jpilot.e2e;

import static io.jpilot.e2e.GrpcXdsClientHarness.bootstrapJson;
import static io.jpilot.e2e.GrpcXdsClientHarness.tally;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.jpilot.e2e.GrpcXdsClientHarness.Node;
import io.jpilot.server.JPilotServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consistent hashing end to end with a real grpc-java xDS client. A {@code ratings} Service has
 * three pods (real gRPC servers on 127.0.0.2, .3 and .4) and a DestinationRule with {@code
 * consistentHash: {httpHeaderName: x-user}}. jpilot sends the client a RING_HASH cluster and a
 * route whose hash policy reads {@code x-user}; grpc-java then hashes every call by that header:
 * one user always reaches the same backend, and different users spread over the backends.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RingHashStickinessE2ETest {
  private static final String HOST = "ratings.default.svc.cluster.local";
  private static final Duration RPC_TIMEOUT = Duration.ofSeconds(2);

  @TempDir Path configDir;

  @Test
  void theSameUserAlwaysReachesTheSameBackend() throws Exception {
    Map<String, String> ips = new LinkedHashMap<>();
    ips.put("ratings-a", "127.0.0.2");
    ips.put("ratings-b", "127.0.0.3");
    ips.put("ratings-c", "127.0.0.4");
    try (GrpcXdsClientHarness harness = new GrpcXdsClientHarness()) {
      int port = harness.startBackendsOnSharedPort(ips).get(0).address().getPort();
      writeMesh(configDir, port, ips);
      JPilotServer jpilot = JPilotServer.start(JPilotServer.Options.forTest(configDir));
      try {
        String bootstrap =
            bootstrapJson(
                "127.0.0.1",
                jpilot.xdsPort(),
                Node.proxylessGrpc("127.0.0.1", "client-1", "default"));
        ManagedChannel channel = harness.xdsChannel("xds:///" + HOST + ":" + port, bootstrap);

        // Different users, once the config has arrived, reach every backend.
        Set<String> reached = awaitAllBackends(channel, ips.keySet(), Duration.ofSeconds(10));
        assertThat(reached).containsExactlyInAnyOrderElementsOf(ips.keySet());

        // One user: 100 calls, one backend.
        for (String user : new String[] {"alice", "bob", "carol"}) {
          SortedMap<String, Integer> answers =
              tally(channel, 100, Map.of("x-user", user), RPC_TIMEOUT);
          assertThat(answers)
              .as("backends answering 100 calls with x-user: %s", user)
              .hasSize(1)
              .allSatisfy((backend, count) -> assertThat(count).isEqualTo(100));
        }

        // Twenty users spread over more than one backend, each still sticky.
        Set<String> spread = new TreeSet<>();
        for (int i = 0; i < 20; i++) {
          SortedMap<String, Integer> answers =
              tally(channel, 5, Map.of("x-user", "user-" + i), RPC_TIMEOUT);
          assertThat(answers).as("answers for user-%s", i).hasSize(1);
          spread.addAll(answers.keySet());
        }
        assertThat(spread).as("backends reached by 20 users").hasSizeGreaterThan(1);
        assertThat(spread).allMatch(ips::containsKey);
      } finally {
        harness.shutdownChannels();
        jpilot.close();
      }
    }
  }

  /** Calls as ever new users until every backend has answered; the users reached. */
  private static Set<String> awaitAllBackends(
      Channel channel, Set<String> backends, Duration deadline) {
    Set<String> seen = new TreeSet<>();
    long end = System.nanoTime() + deadline.toNanos();
    String lastError = "none";
    for (int user = 0; !seen.containsAll(backends); user++) {
      if (System.nanoTime() > end) {
        throw new AssertionError(
            "after " + deadline + " only " + seen + " answered; last error: " + lastError);
      }
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("x-user", Metadata.ASCII_STRING_MARSHALLER), "warmup-" + user);
      Channel ch =
          ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
      try {
        seen.add(
            ClientCalls.blockingUnaryCall(
                ch,
                GrpcXdsClientHarness.WHO_AM_I,
                CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(1, TimeUnit.SECONDS),
                ""));
      } catch (StatusRuntimeException e) {
        lastError = e.getStatus().toString();
      }
    }
    return seen;
  }

  private static void writeMesh(Path dir, int port, Map<String, String> ips) throws Exception {
    StringBuilder endpoints = new StringBuilder();
    StringBuilder pods = new StringBuilder();
    for (Map.Entry<String, String> e : ips.entrySet()) {
      endpoints.append(
          "- {addresses: [\"%2$s\"], conditions: {ready: true}, targetRef: {kind: Pod, name: %1$s,"
                  .formatted(e.getKey(), e.getValue())
              + " namespace: default}}\n");
      pods.append(
          """
          ---
          apiVersion: v1
          kind: Pod
          metadata:
            name: %1$s
            namespace: default
            labels: {app: ratings}
          spec:
            containers: [{name: ratings, image: example.com/ratings}]
          status: {podIP: %2$s}
          """
              .formatted(e.getKey(), e.getValue()));
    }
    String mesh =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: ratings, namespace: default}
        spec:
          clusterIP: 10.96.20.30
          selector: {app: ratings}
          ports: [{name: grpc, port: %1$d, targetPort: %1$d}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: ratings-x1
          namespace: default
          labels: {kubernetes.io/service-name: ratings}
        addressType: IPv4
        ports: [{name: grpc, port: %1$d}]
        endpoints:
        %2$s%3$s
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: ratings, namespace: default}
        spec:
          host: ratings
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpHeaderName: x-user}
        """
            .formatted(port, endpoints, pods);
    Files.writeString(dir.resolve("ratings.yaml"), mesh, StandardCharsets.UTF_8);
  }
}
