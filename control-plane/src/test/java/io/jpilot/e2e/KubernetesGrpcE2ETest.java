package io.jpilot.e2e;

import static io.jpilot.e2e.GrpcXdsClientHarness.awaitIdentities;
import static io.jpilot.e2e.GrpcXdsClientHarness.awaitOnly;
import static io.jpilot.e2e.GrpcXdsClientHarness.bootstrapJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.jpilot.e2e.GrpcXdsClientHarness.Backend;
import io.jpilot.e2e.GrpcXdsClientHarness.Convergence;
import io.jpilot.e2e.GrpcXdsClientHarness.Node;
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
 * jpilot watching a Kubernetes API server (fabric8's mock in CRUD mode) and serving a real
 * grpc-java xDS client. The objects are {@link ReviewsMeshFixture}'s, applied to the API server as
 * {@code kubectl apply} would; then every kind is created, updated and deleted, and each change is
 * seen in where the client's RPCs go.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KubernetesGrpcE2ETest {
  private static final Map<String, String> NO_HEADERS = Map.of();
  private static final Duration CONVERGE = Duration.ofSeconds(10);
  private static final String UNAVAILABLE = "error:UNAVAILABLE";

  @TempDir Path dir;

  @Test
  void everyKindsChangesReachTheClient() throws Exception {
    try (GrpcXdsClientHarness harness = new GrpcXdsClientHarness();
        MockKubernetes k8s = MockKubernetes.start()) {
      List<Backend> backends = harness.startBackendsOnSharedPort(ReviewsMeshFixture.ipByVersion());
      int port = backends.get(0).address().getPort();
      k8s.apply(namespace("on"));
      ReviewsMeshFixture.writeTo(dir, port);
      k8s.applyDirectory(dir);

      try (JPilotServer jpilot =
          JPilotServer.start(
              k8s.jpilotOptions(k8s.url(), NamespaceSelector.parse(List.of("mesh=on"))))) {
        ManagedChannel channel =
            harness.xdsChannel(
                ReviewsMeshFixture.xdsTarget(port),
                bootstrapJson(
                    "127.0.0.1",
                    jpilot.xdsPort(),
                    Node.proxylessGrpc("127.0.0.1", "client-1", "default")));
        // the 80/20 split over subsets v1 and v2
        awaitIdentities(channel, Set.of("v1", "v2"), NO_HEADERS, CONVERGE);

        // VirtualService update: everything to subset v1
        k8s.apply(ReviewsMeshFixture.VIRTUAL_SERVICE_ALL_V1);
        awaitOnlyAnswer(channel, "v1");

        // Pod update: the v2 pod is relabelled version=v1, so subset v1 holds both pods
        k8s.edit("Pod", "default", "reviews-v2", p -> relabel(p, "v1"));
        awaitIdentities(channel, Set.of("v1", "v2"), NO_HEADERS, CONVERGE);

        // Pod delete: its endpoint loses the pod's labels and leaves subset v1
        k8s.delete("Pod", "default", "reviews-v2");
        awaitOnlyAnswer(channel, "v1");

        // Pod create: back with version=v1, back in subset v1
        k8s.apply(pod("reviews-v2", "v1", ReviewsMeshFixture.V2_IP));
        awaitIdentities(channel, Set.of("v1", "v2"), NO_HEADERS, CONVERGE);
        k8s.edit("Pod", "default", "reviews-v2", p -> relabel(p, "v2"));
        awaitOnlyAnswer(channel, "v1");

        // DestinationRule update: subset v1 now selects version=v2
        k8s.apply(destinationRule("v2"));
        awaitOnlyAnswer(channel, "v2");

        // DestinationRule delete: the route's subset cluster is gone
        k8s.delete("DestinationRule", "default", "reviews");
        awaitOnlyAnswer(channel, UNAVAILABLE);

        // DestinationRule create
        k8s.apply(destinationRule("v1"));
        awaitOnlyAnswer(channel, "v1");

        // VirtualService delete: the default route balances over every endpoint
        k8s.delete("VirtualService", "default", "reviews");
        awaitIdentities(channel, Set.of("v1", "v2"), NO_HEADERS, CONVERGE);

        // VirtualService create
        k8s.apply(ReviewsMeshFixture.VIRTUAL_SERVICE_ALL_V1);
        awaitOnlyAnswer(channel, "v1");
        k8s.delete("VirtualService", "default", "reviews");
        awaitIdentities(channel, Set.of("v1", "v2"), NO_HEADERS, CONVERGE);

        // EndpointSlice update: the v2 address leaves
        k8s.edit(
            "EndpointSlice",
            "default",
            "reviews-7xk2p",
            s -> {
              List<?> endpoints = (List<?>) s.getAdditionalProperties().get("endpoints");
              s.getAdditionalProperties().put("endpoints", List.of(endpoints.get(0)));
              return s;
            });
        awaitOnlyAnswer(channel, "v1");

        // EndpointSlice delete: the cluster's endpoints are empty (grpc-java keeps using the
        // endpoints it had when an update is empty, so this is checked on the EDS stream)
        String cluster = "outbound|" + port + "||" + ReviewsMeshFixture.HOST;
        try (EdsRecorder eds = new EdsRecorder(jpilot.xdsPort(), cluster)) {
          eds.await(cluster, a -> a.addresses().size() == 1, CONVERGE);
          k8s.delete("EndpointSlice", "default", "reviews-7xk2p");
          eds.await(cluster, a -> a.addresses().isEmpty(), CONVERGE);
        }

        // EndpointSlice create
        k8s.apply(slice(port));
        awaitIdentities(channel, Set.of("v1", "v2"), NO_HEADERS, CONVERGE);

        // Service delete: the client's listener is gone
        k8s.delete("Service", "default", "reviews");
        awaitOnlyAnswer(channel, UNAVAILABLE);

        // Service create
        k8s.apply(service(port));
        awaitIdentities(channel, Set.of("v1", "v2"), NO_HEADERS, CONVERGE);

        // Namespace update: the namespace leaves the mesh (discovery selector mesh=on), and
        // comes back
        k8s.apply(namespace("off"));
        awaitOnlyAnswer(channel, UNAVAILABLE);
        k8s.apply(namespace("on"));
        awaitIdentities(channel, Set.of("v1", "v2"), NO_HEADERS, CONVERGE);

        harness.shutdownChannels();
      }
    }
  }

  private static void awaitOnlyAnswer(ManagedChannel channel, String answer) {
    Convergence c = awaitOnly(channel, answer, NO_HEADERS, System.nanoTime(), 20, CONVERGE);
    assertThat(c.elapsed()).as("20 answers in a row from %s; saw %s", answer, c).isNotNull();
  }

  private static io.fabric8.kubernetes.api.model.GenericKubernetesResource relabel(
      io.fabric8.kubernetes.api.model.GenericKubernetesResource pod, String version) {
    pod.getMetadata().getLabels().put("version", version);
    return pod;
  }

  private static String namespace(String mesh) {
    return """
           apiVersion: v1
           kind: Namespace
           metadata:
             name: default
             labels:
               mesh: %s
           """
        .formatted(mesh);
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

  private static String destinationRule(String v1Label) {
    return """
           apiVersion: networking.istio.io/v1
           kind: DestinationRule
           metadata:
             name: reviews
             namespace: default
           spec:
             host: reviews
             subsets:
             - name: v1
               labels:
                 version: %s
             - name: v2
               labels:
                 version: v2
           """
        .formatted(v1Label);
  }

  private static String service(int port) {
    return """
           apiVersion: v1
           kind: Service
           metadata:
             name: reviews
             namespace: default
           spec:
             clusterIP: 10.96.10.20
             selector:
               app: reviews
             ports:
             - name: grpc
               port: %1$d
               targetPort: %1$d
           """
        .formatted(port);
  }

  private static String slice(int port) {
    return """
           apiVersion: discovery.k8s.io/v1
           kind: EndpointSlice
           metadata:
             name: reviews-7xk2p
             namespace: default
             labels:
               kubernetes.io/service-name: reviews
           addressType: IPv4
           ports:
           - name: grpc
             port: %d
           endpoints:
           - addresses: ["%s"]
             targetRef:
               kind: Pod
               name: reviews-v1
               namespace: default
           - addresses: ["%s"]
             targetRef:
               kind: Pod
               name: reviews-v2
               namespace: default
           """
        .formatted(port, ReviewsMeshFixture.V1_IP, ReviewsMeshFixture.V2_IP);
  }
}
