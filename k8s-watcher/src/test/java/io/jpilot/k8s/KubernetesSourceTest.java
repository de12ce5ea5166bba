package io.jpilot.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.jpilot.model.ConfigStore;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Namespace;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.registry.Service;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class KubernetesSourceTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private MockCluster cluster;
  private final ConfigStore store = new ConfigStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final BlockingQueue<ModelChange> changes = new LinkedBlockingQueue<>();
  private KubernetesSource source;

  @BeforeEach
  void startCluster() {
    cluster = MockCluster.start();
  }

  @AfterEach
  void stop() {
    if (source != null) {
      source.close();
    }
    cluster.close();
  }

  // ---- sync and readiness -------------------------------------------------------------------

  @Test
  void readsEveryKindBeforeItIsReadyAndAnnouncesNothingForIt() throws Exception {
    applyReviewsMesh();

    startSource(KubernetesSource.Settings.defaults());

    assertThat(source.isReady()).isTrue();
    assertThat(store.get(key(Namespace.KIND, "", "default"))).isInstanceOf(Namespace.class);
    Service svc = (Service) store.get(key(Service.KIND, "default", "reviews"));
    assertThat(svc.hostname()).isEqualTo("reviews.default.svc.cluster.local");
    assertThat(svc.clusterIp()).isEqualTo("10.96.10.20");
    EndpointSlice slice =
        (EndpointSlice) store.get(key(EndpointSlice.KIND, "default", "reviews-1"));
    assertThat(slice.endpoints()).hasSize(1);
    assertThat(slice.endpoints().get(0).addresses()).containsExactly("10.244.0.7");
    assertThat(store.get(key(Pod.KIND, "default", "reviews-v1"))).isInstanceOf(Pod.class);
    VirtualService vs = (VirtualService) store.get(key(VirtualService.KIND, "default", "reviews"));
    assertThat(vs.meta().source()).isEqualTo("k8s:VirtualService/default/reviews");
    assertThat(store.get(key(DestinationRule.KIND, "default", "reviews")))
        .isInstanceOf(DestinationRule.class);
    assertThat(store.size()).isEqualTo(6);
    // the initial sync is not a change: the first snapshot is built from the store
    assertThat(changes.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void isNotReadyUntilEveryKindCouldBeListed() throws Exception {
    applyReviewsMesh();
    // the API server refuses to list VirtualServices three times before it recovers
    cluster
        .server
        .expect()
        .get()
        .withPath("/apis/networking.istio.io/v1/virtualservices?resourceVersion=0")
        .andReturn(503, "{\"kind\":\"Status\",\"code\":503}")
        .times(3);
    source =
        new KubernetesSource(
            cluster.client, store, KubernetesSource.Settings.defaults(), changes::add, meters);
    source.start();

    assertThat(source.awaitReady(Duration.ofMillis(300))).isFalse();
    assertThat(source.isReady()).isFalse();
    assertThat(source.unsyncedKinds()).contains("virtualservices.networking.istio.io");
    assertThat(source.awaitReady(WAIT)).isTrue();
    assertThat(store.get(key(VirtualService.KIND, "default", "reviews"))).isNotNull();
    assertThat(changes).isEmpty();
  }

  // ---- changes ------------------------------------------------------------------------------

  @Test
  void createUpdateAndDeleteOfEachKindAreAnnounced() throws Exception {
    startSource(KubernetesSource.Settings.defaults());
    record Case(WatchedKind kind, String namespace, String name, String yaml, String updated) {}
    List<Case> cases =
        List.of(
            new Case(
                WatchedKind.NAMESPACE,
                "",
                "shop",
                namespace("shop", "team: a"),
                namespace("shop", "team: b")),
            new Case(
                WatchedKind.SERVICE,
                "default",
                "reviews",
                service("reviews", 9080),
                service("reviews", 9081)),
            new Case(
                WatchedKind.ENDPOINT_SLICE,
                "default",
                "reviews-1",
                slice("reviews-1", "10.244.0.7"),
                slice("reviews-1", "10.244.0.8")),
            new Case(
                WatchedKind.POD,
                "default",
                "reviews-v1",
                pod("reviews-v1", "v1", "10.244.0.7", "node-1"),
                pod("reviews-v1", "v1b", "10.244.0.7", "node-1")),
            new Case(
                kind("VirtualService"),
                "default",
                "reviews",
                virtualService("v1"),
                virtualService("v2")),
            new Case(
                kind("DestinationRule"),
                "default",
                "reviews",
                destinationRule("ROUND_ROBIN"),
                destinationRule("RANDOM")));
    for (Case c : cases) {
      ConfigKey key = key(c.kind().kind(), c.namespace(), c.name());

      cluster.apply(c.yaml());
      assertThat(awaitChange(key)).as("create %s", key).containsExactly(key);
      MeshObject created = store.get(key);
      assertThat(created).isNotNull();

      cluster.apply(c.updated());
      assertThat(awaitChange(key)).as("update %s", key).containsExactly(key);
      assertThat(store.get(key)).isNotNull().isNotEqualTo(created);

      cluster.delete(c.kind(), c.namespace(), c.name());
      assertThat(awaitChange(key)).as("delete %s", key).containsExactly(key);
      assertThat(store.get(key)).isNull();
    }
  }

  @Test
  void updatesTheModelDoesNotReadAnnounceNothing() throws Exception {
    applyReviewsMesh();
    startSource(KubernetesSource.Settings.defaults());
    MeshObject podBefore = store.get(key(Pod.KIND, "default", "reviews-v1"));

    // status, annotations, resourceVersion and managed fields: none is read by the model
    cluster.edit(
        WatchedKind.POD,
        "default",
        "reviews-v1",
        p -> {
          p.getMetadata().getAnnotations().put("kubectl.kubernetes.io/restartedAt", "now");
          @SuppressWarnings("unchecked")
          Map<String, Object> status =
              (Map<String, Object>) p.getAdditionalProperties().get("status");
          status.put("phase", "Running");
          status.put("startTime", "2024-05-01T12:00:00Z");
          return p;
        });
    cluster.edit(
        WatchedKind.SERVICE,
        "default",
        "reviews",
        s -> {
          s.getMetadata().setAnnotations(Map.of("owner", "team-a"));
          s.getAdditionalProperties().put("status", Map.of("loadBalancer", Map.of()));
          return s;
        });
    cluster.edit(
        kind("VirtualService"),
        "default",
        "reviews",
        v -> {
          v.getMetadata().setAnnotations(Map.of("note", "reviewed"));
          v.getAdditionalProperties().put("status", Map.of("observedGeneration", 2));
          return v;
        });
    // then a real change; the watches deliver in order, so the no-ops were handled before it
    cluster.apply(service("marker", 80));
    ConfigKey marker = key(Service.KIND, "default", "marker");
    Set<ConfigKey> seen = awaitChange(marker);

    assertThat(seen).containsExactly(marker);
    assertThat(store.get(key(Pod.KIND, "default", "reviews-v1"))).isEqualTo(podBefore);
    assertThat(counter(KubernetesSource.EVENTS_METRIC, "Pod", "update")).isEqualTo(1);
  }

  @Test
  void anInvalidUpdateKeepsTheLastValidVersion() throws Exception {
    applyReviewsMesh();
    startSource(KubernetesSource.Settings.defaults());
    ConfigKey vsKey = key(VirtualService.KIND, "default", "reviews");
    MeshObject valid = store.get(vsKey);

    // a negative weight is rejected by istiod's validation
    cluster.apply(virtualService("v1").replace("subset: v1", "subset: v1\n      weight: -1"));
    cluster.apply(service("marker", 80));
    ConfigKey marker = key(Service.KIND, "default", "marker");
    assertThat(awaitChange(marker)).containsExactly(marker);
    assertThat(store.get(vsKey)).isEqualTo(valid);
    assertThat(
            meters
                .get(KubernetesSource.INVALID_METRIC)
                .tag("kind", "VirtualService")
                .counter()
                .count())
        .isEqualTo(1);

    cluster.apply(virtualService("v2"));
    assertThat(awaitChange(vsKey)).containsExactly(vsKey);
    assertThat(store.get(vsKey)).isNotEqualTo(valid);
  }

  @Test
  void podLocalityComesFromItsNode() throws Exception {
    cluster.apply(node("node-1", "us-east1", "us-east1-b"));
    cluster.apply(pod("reviews-v1", "v1", "10.244.0.7", "node-1"));
    cluster.apply(
        pod("pinned", "v1", "10.244.0.9", "node-1")
            .replace("version: v1", "version: v1\n    istio-locality: eu-west1.eu-west1-a.rack7"));
    startSource(KubernetesSource.Settings.defaults());
    ConfigKey podKey = key(Pod.KIND, "default", "reviews-v1");

    Pod pod = (Pod) store.get(podKey);
    assertThat(pod.locality()).isEqualTo(new Locality("us-east1", "us-east1-b", ""));
    assertThat(pod.labels())
        .containsEntry("topology.kubernetes.io/region", "us-east1")
        .containsEntry("version", "v1");
    Pod pinned = (Pod) store.get(key(Pod.KIND, "default", "pinned"));
    assertThat(pinned.locality()).isEqualTo(new Locality("eu-west1", "eu-west1-a", "rack7"));

    // a node heartbeat (status only) changes nothing; a new zone label moves the pod
    cluster.edit(
        WatchedKind.NODE,
        "",
        "node-1",
        n -> {
          n.getAdditionalProperties().put("status", Map.of("phase", "Running"));
          return n;
        });
    cluster.apply(node("node-1", "us-east1", "us-east1-c"));
    assertThat(awaitChange(podKey)).containsExactly(podKey);
    assertThat(((Pod) store.get(podKey)).locality())
        .isEqualTo(new Locality("us-east1", "us-east1-c", ""));
  }

  @Test
  void onlySelectedNamespacesAreVisible() throws Exception {
    cluster.apply(namespace("shop", "mesh: enabled"));
    cluster.apply(namespace("legacy", "team: old"));
    cluster.apply(service("cart", 80).replace("namespace: default", "namespace: shop"));
    cluster.apply(service("billing", 80).replace("namespace: default", "namespace: legacy"));
    startSource(
        new KubernetesSource.Settings(
            "cluster.local", "Kubernetes", NamespaceSelector.parse(List.of("mesh=enabled"))));
    ConfigKey cart = key(Service.KIND, "shop", "cart");
    ConfigKey billing = key(Service.KIND, "legacy", "billing");

    assertThat(store.get(cart)).isNotNull();
    assertThat(store.get(billing)).isNull();
    assertThat(store.get(key(Namespace.KIND, "", "legacy"))).isNull();

    cluster.apply(namespace("legacy", "mesh: enabled"));
    assertThat(awaitChange(billing)).contains(billing, key(Namespace.KIND, "", "legacy"));
    assertThat(store.get(billing)).isNotNull();

    cluster.apply(namespace("shop", "mesh: disabled"));
    assertThat(awaitChange(cart)).contains(cart, key(Namespace.KIND, "", "shop"));
    assertThat(store.get(cart)).isNull();
  }

  @Test
  void watchesOnlyKindsThePArserReadsAndNeverWrites() {
    assertThat(KubernetesSource.watchedKinds())
        .extracting(WatchedKind::kind)
        .contains(
            "Namespace",
            "Node",
            "Service",
            "EndpointSlice",
            "Pod",
            "VirtualService",
            "DestinationRule");
    assertThat(WatchedKind.catalogue()).containsAll(KubernetesSource.watchedKinds());
    assertThat(KubernetesSource.verbs()).containsExactlyInAnyOrder("list", "watch");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private void startSource(KubernetesSource.Settings settings) throws InterruptedException {
    source = new KubernetesSource(cluster.client, store, settings, changes::add, meters);
    source.start();
    assertThat(source.awaitReady(WAIT)).as("ready").isTrue();
  }

  /** Collects announced changes until one contains {@code key}; returns every key seen. */
  private Set<ConfigKey> awaitChange(ConfigKey key) throws InterruptedException {
    Set<ConfigKey> seen = new TreeSet<>();
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      ModelChange c = changes.poll(100, TimeUnit.MILLISECONDS);
      if (c != null) {
        seen.addAll(c.changed());
        if (c.changed().contains(key)) {
          return seen;
        }
      }
    }
    return fail("no change of %s announced within %s; saw %s", key, WAIT, seen);
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        fail("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private double counter(String name, String kind, String event) {
    Counter c = meters.find(name).tag("kind", kind).tag("event", event).counter();
    return c == null ? 0 : c.count();
  }

  private static ConfigKey key(String kind, String namespace, String name) {
    return new ConfigKey(kind, namespace, name);
  }

  private static WatchedKind kind(String kind) {
    for (WatchedKind k : WatchedKind.catalogue()) {
      if (k.kind().equals(kind)) {
        return k;
      }
    }
    throw new IllegalArgumentException(kind);
  }

  private void applyReviewsMesh() {
    List<String> objects = new ArrayList<>();
    objects.add(namespace("default", "team: a"));
    objects.add(node("node-1", "us-east1", "us-east1-b"));
    objects.add(service("reviews", 9080));
    objects.add(slice("reviews-1", "10.244.0.7"));
    objects.add(pod("reviews-v1", "v1", "10.244.0.7", "node-1"));
    objects.add(destinationRule("ROUND_ROBIN"));
    objects.add(virtualService("v1"));
    objects.forEach(cluster::apply);
  }

  static String namespace(String name, String label) {
    return """
           apiVersion: v1
           kind: Namespace
           metadata:
             name: %s
             labels:
               %s
           """
        .formatted(name, label);
  }

  static String node(String name, String region, String zone) {
    return """
           apiVersion: v1
           kind: Node
           metadata:
             name: %s
             labels:
               kubernetes.io/hostname: %1$s
               topology.kubernetes.io/region: %s
               topology.kubernetes.io/zone: %s
           """
        .formatted(name, region, zone);
  }

  static String service(String name, int port) {
    return """
           apiVersion: v1
           kind: Service
           metadata:
             name: %1$s
             namespace: default
             labels:
               app: %1$s
           spec:
             clusterIP: 10.96.10.20
             selector:
               app: %1$s
             ports:
             - name: http
               port: %2$d
               targetPort: 9080
           """
        .formatted(name, port);
  }

  static String slice(String name, String ip) {
    return """
           apiVersion: discovery.k8s.io/v1
           kind: EndpointSlice
           metadata:
             name: %s
             namespace: default
             labels:
               kubernetes.io/service-name: reviews
           addressType: IPv4
           ports:
           - name: http
             port: 9080
           endpoints:
           - addresses: ["%s"]
             conditions:
               ready: true
             nodeName: node-1
             targetRef:
               kind: Pod
               name: reviews-v1
               namespace: default
           """
        .formatted(name, ip);
  }

  static String pod(String name, String version, String ip, String node) {
    return """
           apiVersion: v1
           kind: Pod
           metadata:
             name: %s
             namespace: default
             labels:
               app: reviews
               version: %s
             annotations:
               created-by: test
           spec:
             nodeName: %s
             containers:
             - name: reviews
               image: example.com/reviews
           status:
             phase: Pending
             podIP: %s
           """
        .formatted(name, version, node, ip);
  }

  static String virtualService(String subset) {
    return """
           apiVersion: networking.istio.io/v1
           kind: VirtualService
           metadata:
             name: reviews
             namespace: default
           spec:
             hosts:
             - reviews
             http:
             - route:
               - destination:
                   host: reviews
                   subset: %s
           """
        .formatted(subset);
  }

  static String destinationRule(String lb) {
    return """
           apiVersion: networking.istio.io/v1
           kind: DestinationRule
           metadata:
             name: reviews
             namespace: default
           spec:
             host: reviews
             trafficPolicy:
               loadBalancer:
                 simple: %s
             subsets:
             - name: v1
               labels:
                 version: v1
             - name: v2
               labels:
                 version: v2
           """
        .formatted(lb);
  }
}
