package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.jpilot.debug.SubscriptionWalker;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The normalized proxy view is a sound cache key: translating it gives what translating the proxy
 * gives, and proxies that differ only in what translation cannot see normalize to equal views.
 */
class TranslationInputsTest {
  private final Translator translator = new Translator();

  static List<String> cases() throws IOException {
    return GoldenTest.cases();
  }

  private static ProxyView withIps(ProxyView p, String nodeId, String podId, List<String> ips) {
    return new ProxyView(
        nodeId, p.type(), ips, podId, p.namespace(), p.dnsDomain(), p.labels(), p.generator(),
        p.locality());
  }

  private Map<XdsType, SortedMap<String, Message>> walk(
      MeshSnapshot snapshot, ProxyView proxy, List<String> listeners) {
    return SubscriptionWalker.walk(translator, snapshot, proxy, new TreeSet<>(listeners));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void translatingTheNormalizedViewGivesTheSameResources(String name) throws IOException {
    Path dir = GoldenTest.goldenRoot().resolve(name);
    MeshSnapshot snapshot = GoldenTest.readInput(dir.resolve("input"));
    GoldenTest.ProxyFile file = GoldenTest.readProxy(dir.resolve("proxy.yaml"));
    ProxyView proxy = file.view();

    List<String> workloads = new ArrayList<>(new TreeSet<>(snapshot.workloadAddresses()));
    List<ProxyView> variants = new ArrayList<>();
    variants.add(proxy);
    variants.add(withIps(proxy, "other~node~id~x", "other.pod", List.of("10.250.0.1")));
    variants.add(withIps(proxy, proxy.nodeId(), proxy.id(), List.of("fd00::1")));
    variants.add(withIps(proxy, proxy.nodeId(), proxy.id(), List.of("fd00::1", "10.250.0.1")));
    for (String w : workloads.subList(0, Math.min(3, workloads.size()))) {
      variants.add(withIps(proxy, proxy.nodeId(), proxy.id(), List.of(w)));
      variants.add(withIps(proxy, proxy.nodeId(), proxy.id(), List.of("10.250.0.1", w)));
    }
    for (ProxyView v : variants) {
      ProxyView normalized = TranslationInputs.normalize(snapshot, v);
      Map<XdsType, SortedMap<String, Message>> walked = walk(snapshot, v, file.listeners());
      assertThat(walk(snapshot, normalized, file.listeners()))
          .as("%s: resources for %s (ips %s) and for its normalized view", name, v.nodeId(), v.ips())
          .isEqualTo(walked);

      // Per type, with the names a client would subscribe to (and wildcards).
      Map<XdsType, List<Set<String>>> requests = new EnumMap<>(XdsType.class);
      requests.put(
          XdsType.CLUSTER, List.of(Set.of(), walked.get(XdsType.CLUSTER).keySet()));
      requests.put(
          XdsType.LISTENER,
          List.of(
              v.isProxylessGrpc() ? new TreeSet<>(file.listeners()) : Set.of(),
              walked.get(XdsType.LISTENER).keySet()));
      requests.put(
          XdsType.ENDPOINT,
          List.of(walked.get(XdsType.CLUSTER).keySet(), walked.get(XdsType.ENDPOINT).keySet()));
      requests.put(
          XdsType.ROUTE,
          v.isProxylessGrpc()
              ? List.of(walked.get(XdsType.ROUTE).keySet())
              : List.of(Set.of(), walked.get(XdsType.ROUTE).keySet()));
      for (Map.Entry<XdsType, List<Set<String>>> e : requests.entrySet()) {
        for (Set<String> names : e.getValue()) {
          XdsType type = e.getKey();
          ProxyView key = TranslationInputs.normalize(snapshot, v, type, names);
          assertThat(translator.generate(snapshot, key, type, names))
              .as("%s: %s %s for %s (ips %s) and for its key", name, type, names, v.nodeId(), v.ips())
              .isEqualTo(translator.generate(snapshot, v, type, names));
        }
      }
    }
  }

  @Test
  void sidecarsOfDifferentPodsShareEndpointsAndNamedRoutes() {
    MeshSnapshot s =
        ParsedMesh.parse(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              clusterIP: 10.0.0.10
              selector: {app: web}
              ports: [{name: http, port: 8080, targetPort: 8080}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
            ports: [{name: http, port: 8080}]
            endpoints:
            - addresses: [10.1.0.7]
            - addresses: [10.1.0.8]
            """);
    ProxyView one = ParsedMesh.sidecar("10.1.0.7", "shop", Map.of("app", "web"));
    ProxyView two = ParsedMesh.sidecar("10.1.0.8", "shop", Map.of("app", "web"));
    Set<String> eds = Set.of("outbound|8080||web.shop.svc.cluster.local");
    assertThat(TranslationInputs.normalize(s, one, XdsType.ENDPOINT, eds))
        .isEqualTo(TranslationInputs.normalize(s, two, XdsType.ENDPOINT, eds));
    assertThat(TranslationInputs.normalize(s, one, XdsType.ROUTE, Set.of("8080")))
        .isEqualTo(TranslationInputs.normalize(s, two, XdsType.ROUTE, Set.of("8080")));
    assertThat(TranslationInputs.normalize(s, one, XdsType.CLUSTER, Set.of()))
        .as("each pod is its own workload for clusters")
        .isNotEqualTo(TranslationInputs.normalize(s, two, XdsType.CLUSTER, Set.of()));
    assertThat(TranslationInputs.normalize(s, one, XdsType.ROUTE, Set.of()))
        .as("a wildcard route request reads the listeners")
        .isNotEqualTo(TranslationInputs.normalize(s, two, XdsType.ROUTE, Set.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void proxiesThatDifferOnlyInWhatTranslationCannotSeeShareAView(String name) throws IOException {
    Path dir = GoldenTest.goldenRoot().resolve(name);
    MeshSnapshot snapshot = GoldenTest.readInput(dir.resolve("input"));
    GoldenTest.ProxyFile file = GoldenTest.readProxy(dir.resolve("proxy.yaml"));
    ProxyView proxy = file.view();

    ProxyView a = withIps(proxy, "a~1~a.ns~ns", "a.ns", List.of("10.250.0.1"));
    ProxyView b = withIps(proxy, "b~2~b.ns~ns", "b.ns", List.of("10.250.0.2"));
    assertThat(TranslationInputs.normalize(snapshot, a))
        .isEqualTo(TranslationInputs.normalize(snapshot, b));

    for (String workload : snapshot.workloadAddresses()) {
      ProxyView c = withIps(proxy, "c~3~c.ns~ns", "c.ns", List.of(workload));
      assertThat(TranslationInputs.normalize(snapshot, c))
          .as("a workload's own address makes it that workload")
          .isNotEqualTo(TranslationInputs.normalize(snapshot, a));
    }

    ProxyView v6 = withIps(proxy, "d~4~d.ns~ns", "d.ns", List.of("fd00::1"));
    assertThat(TranslationInputs.normalize(snapshot, v6))
        .as("the address family is kept")
        .isNotEqualTo(TranslationInputs.normalize(snapshot, a));

    ProxyView labelled =
        new ProxyView(
            a.nodeId(), a.type(), a.ips(), a.id(), a.namespace(), a.dnsDomain(),
            Map.of("app", "something-else"), a.generator(), a.locality());
    assertThat(TranslationInputs.normalize(snapshot, labelled))
        .as("labels are kept")
        .isNotEqualTo(TranslationInputs.normalize(snapshot, a));
  }

  @Test
  void anIngressListenerForwardingToTheProxysOwnAddressKeepsEveryAddress() {
    MeshSnapshot s =
        ParsedMesh.parse(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              clusterIP: 10.0.0.10
              selector: {app: web}
              ports: [{name: http, port: 8080, targetPort: 8080}]
            ---
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: web-ingress, namespace: shop}
            spec:
              workloadSelector: {labels: {app: web}}
              ingress:
              - port: {number: 9090, protocol: TCP, name: tcp-raw}
                defaultEndpoint: 0.0.0.0:9091
            """);
    ProxyView one = ParsedMesh.sidecar("10.1.0.7", "shop", Map.of("app", "web"));
    ProxyView two = ParsedMesh.sidecar("10.1.0.8", "shop", Map.of("app", "web"));

    assertThat(TranslationInputs.normalize(s, one).ips()).containsExactly("10.1.0.7");
    assertThat(walk(s, one, List.of()))
        .as("the inbound cluster forwards to the proxy's own address")
        .isNotEqualTo(walk(s, two, List.of()));
    assertThat(walk(s, TranslationInputs.normalize(s, one), List.of()))
        .isEqualTo(walk(s, one, List.of()));
  }

  @Test
  void clusterHostReadsBothClusterNameForms() {
    assertThat(TranslationInputs.clusterHost("outbound|9080|v1|reviews.default.svc.cluster.local"))
        .contains("reviews.default.svc.cluster.local");
    assertThat(TranslationInputs.clusterHost("outbound_.9080_.v1_.reviews.default.svc.cluster.local"))
        .contains("reviews.default.svc.cluster.local");
    assertThat(TranslationInputs.clusterHost("inbound|9080||")).isEmpty();
    assertThat(TranslationInputs.clusterHost("BlackHoleCluster")).isEmpty();
  }
}
