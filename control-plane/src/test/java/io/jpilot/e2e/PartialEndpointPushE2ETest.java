package io.jpilot.e2e;

import static io.jpilot.e2e.GrpcXdsClientHarness.awaitIdentities;
import static io.jpilot.e2e.GrpcXdsClientHarness.awaitOnly;
import static io.jpilot.e2e.GrpcXdsClientHarness.bootstrapJson;
import static io.jpilot.e2e.GrpcXdsClientHarness.tally;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.grpc.ManagedChannel;
import io.jpilot.e2e.GrpcXdsClientHarness.Backend;
import io.jpilot.e2e.GrpcXdsClientHarness.Convergence;
import io.jpilot.e2e.GrpcXdsClientHarness.Node;
import io.jpilot.model.ConfigStore;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshObject;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import io.jpilot.push.PushEngine;
import io.jpilot.push.PushRequest;
import io.jpilot.push.PushSettings;
import io.jpilot.server.JPilotServer;
import io.jpilot.xds.XdsServer;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real grpc-java xDS client on one ADS stream watching the endpoints of two services, {@code a}
 * and {@code b} ({@code a}'s VirtualService sends {@code x-to: b} to {@code b}). When only {@code
 * a}'s endpoints move, the EDS push carries only {@code a}'s ClusterLoadAssignment: the client
 * must follow {@code a} to its new pod and keep routing to {@code b}, whose assignment the push
 * left out.
 */
@Timeout(value = 45, unit = TimeUnit.SECONDS)
class PartialEndpointPushE2ETest {
  private static final String SUFFIX = "cluster.local";
  private static final Duration RPC_TIMEOUT = Duration.ofSeconds(2);
  private static final Map<String, String> TO_A = Map.of();
  private static final Map<String, String> TO_B = Map.of("x-to", "b");

  @Test
  void theUnchangedClusterKeepsItsEndpointsAfterAPartialEdsPush() throws Exception {
    try (GrpcXdsClientHarness harness = new GrpcXdsClientHarness()) {
      Map<String, String> ips = new LinkedHashMap<>();
      ips.put("a1", "127.0.0.2");
      ips.put("b1", "127.0.0.3");
      ips.put("a2", "127.0.0.4");
      List<Backend> backends = harness.startBackendsOnSharedPort(ips);
      int port = backends.get(0).address().getPort();

      ConfigStore store = new ConfigStore();
      put(store, mesh(port) + slice("a", port, "a1", ips.get("a1")) + slice("b", port, "b1", ips.get("b1")));
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      PushEngine engine =
          JPilotServer.pushEngine(
              store,
              SUFFIX,
              new PushSettings(Duration.ZERO, Duration.ofSeconds(10), 2),
              MeshConfig.DEFAULT,
              meters);
      engine.start();
      XdsServer xds = new XdsServer("127.0.0.1", 0, engine, meters);
      xds.start();
      try {
        String bootstrap =
            bootstrapJson(
                "127.0.0.1", xds.port(), Node.proxylessGrpc("127.0.0.1", "client-1", "default"));
        ManagedChannel channel =
            harness.xdsChannel("xds:///a.default.svc.cluster.local:" + port, bootstrap);
        awaitIdentities(channel, Set.of("a1"), TO_A, Duration.ofSeconds(10));
        awaitIdentities(channel, Set.of("b1"), TO_B, Duration.ofSeconds(10));
        DistributionSummary eds =
            meters.get("pilot_xds_config_size_bytes").tag("type", "eds").summary();
        long responses = eds.count();
        double bytes = eds.totalAmount();
        double largest = eds.max(); // the answer carrying both assignments

        // a's endpoints move to its second pod: an endpoint-only push.
        long movedAt = System.nanoTime();
        MeshObject moved = put(store, slice("a", port, "a2", ips.get("a2"))).get(0);
        engine.request(
            PushRequest.now(false, Set.of(moved.key()), PushRequest.Reason.ENDPOINT));
        Convergence shift = awaitOnly(channel, "a2", TO_A, movedAt, 50, Duration.ofSeconds(5));
        assertThat(shift.elapsed()).as("traffic to a moved to a2 (%s)", shift).isNotNull();

        // One EDS response, smaller than one carrying both assignments: a's alone.
        assertThat(eds.count()).isEqualTo(responses + 1);
        assertThat(eds.totalAmount() - bytes).isPositive().isLessThan(largest);
        // b's assignment, left out of it, is still in use.
        assertThat(tally(channel, 50, TO_B, RPC_TIMEOUT)).containsExactly(entry("b1", 50));
        assertThat(tally(channel, 50, TO_A, RPC_TIMEOUT)).containsExactly(entry("a2", 50));
        assertThat(meters.get("pilot_total_xds_rejects").tag("type", "eds").counter().count())
            .isZero();
      } finally {
        harness.shutdownChannels();
        xds.close();
        engine.close();
      }
    }
  }

  private static List<MeshObject> put(ConfigStore store, String yaml) {
    ParsedFile f = ConfigFileParser.parse("mesh.yaml", yaml, SUFFIX);
    assertThat(f.diagnostics()).isEmpty();
    f.objects().forEach(store::put);
    return List.copyOf(f.objects());
  }

  private static String mesh(int port) {
    return service("a", port)
        + service("b", port)
        + pod("a1", "a", "127.0.0.2", port)
        + pod("a2", "a", "127.0.0.4", port)
        + pod("b1", "b", "127.0.0.3", port)
        + """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: a, namespace: default}
          spec:
            hosts: [a.default.svc.cluster.local]
            http:
            - match: [{headers: {x-to: {exact: b}}}]
              route: [{destination: {host: b.default.svc.cluster.local}}]
            - route: [{destination: {host: a.default.svc.cluster.local}}]
          ---
          """;
  }

  private static String service(String name, int port) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %1$s, namespace: default}
        spec:
          clusterIP: 10.96.20.%3$d
          selector: {app: %1$s}
          ports: [{name: grpc, port: %2$d, targetPort: %2$d, protocol: TCP}]
        ---
        """
        .formatted(name, port, (int) name.charAt(0));
  }

  private static String pod(String name, String app, String ip, int port) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %1$s, namespace: default, labels: {app: %2$s}}
        spec:
          containers: [{name: app, image: example.com/%2$s, ports: [{containerPort: %4$d}]}]
        status: {phase: Running, podIP: %3$s, podIPs: [{ip: %3$s}]}
        ---
        """
        .formatted(name, app, ip, port);
  }

  private static String slice(String service, int port, String pod, String ip) {
    return """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %1$s-slice
          namespace: default
          labels: {kubernetes.io/service-name: %1$s}
        addressType: IPv4
        ports: [{name: grpc, port: %2$d, protocol: TCP}]
        endpoints:
        - addresses: ["%4$s"]
          conditions: {ready: true}
          targetRef: {kind: Pod, name: %3$s, namespace: default}
        ---
        """
        .formatted(service, port, pod, ip);
  }
}
