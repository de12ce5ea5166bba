package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Remembered Sidecar scopes answer exactly what a fresh computation would. */
class SidecarScopeCacheTest {
  private static final String MESH =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: a, namespace: ns1}
      spec:
        clusterIP: 10.0.1.1
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: b, namespace: ns2}
      spec:
        clusterIP: 10.0.2.1
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: only-own, namespace: ns1}
      spec:
        workloadSelector: {labels: {app: narrow}}
        egress: [{hosts: ["./*"]}]
      """;

  private static final String EXTRA =
      """
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: c, namespace: ns1}
      spec:
        clusterIP: 10.0.1.3
        ports: [{name: http, port: 8080}]
      """;

  private static final ProxyView WIDE = ParsedMesh.sidecar("10.1.0.1", "ns1", Map.of("app", "x"));
  private static final ProxyView WIDE_TWIN =
      ParsedMesh.sidecar("10.1.0.2", "ns1", Map.of("app", "x"));
  private static final ProxyView NARROW =
      ParsedMesh.sidecar("10.1.0.3", "ns1", Map.of("app", "narrow"));

  @Test
  void proxiesWithTheSameNamespaceAndLabelsShareOneScope() {
    MeshSnapshot s = ParsedMesh.parse(MESH);
    SidecarScopeCache cache = new SidecarScopeCache(MeshConfig.DEFAULT);
    assertThat(cache.scope(s, WIDE_TWIN)).isSameAs(cache.scope(s, WIDE));
  }

  @Test
  void labelsSelectingAnotherSidecarGetTheirOwnScope() {
    MeshSnapshot s = ParsedMesh.parse(MESH);
    SidecarScopeCache cache = new SidecarScopeCache(MeshConfig.DEFAULT);
    assertThat(cache.scope(s, WIDE).services().keySet())
        .containsExactly("a.ns1.svc.cluster.local", "b.ns2.svc.cluster.local");
    assertThat(cache.scope(s, NARROW).services().keySet())
        .containsExactly("a.ns1.svc.cluster.local");
    assertThat(cache.scope(s, NARROW).sidecar()).isPresent();
  }

  @Test
  void aNewSnapshotIsNeverAnsweredFromTheOldOne() {
    MeshSnapshot before = ParsedMesh.parse(MESH);
    MeshSnapshot after = ParsedMesh.parse(MESH + EXTRA);
    SidecarScopeCache cache = new SidecarScopeCache(MeshConfig.DEFAULT);
    SidecarScope old = cache.scope(before, WIDE);
    SidecarScope fresh = cache.scope(after, WIDE);
    assertThat(fresh).isNotSameAs(old);
    assertThat(fresh.snapshot()).isSameAs(after);
    assertThat(fresh.services()).containsKey("c.ns1.svc.cluster.local");
    // going back to the old snapshot recomputes over it
    assertThat(cache.scope(before, WIDE).services()).doesNotContainKey("c.ns1.svc.cluster.local");
  }

  @Test
  void oneTranslatorGivesWhatAFreshOneGivesForEveryProxyAndType() {
    MeshSnapshot s = ParsedMesh.parse(MESH);
    Translator shared = new Translator();
    for (int round = 0; round < 2; round++) {
      for (ProxyView p : List.of(WIDE, NARROW, WIDE_TWIN)) {
        for (XdsType t : List.of(XdsType.CLUSTER, XdsType.LISTENER, XdsType.ENDPOINT)) {
          assertThat(shared.generate(s, p, t, Set.of()))
              .isEqualTo(new Translator().generate(s, p, t, Set.of()));
        }
        assertThat(shared.generate(s, p, XdsType.ROUTE, Set.of("8080")))
            .isEqualTo(new Translator().generate(s, p, XdsType.ROUTE, Set.of("8080")));
      }
    }
  }

  @Test
  void concurrentCallersGetTheSequentialAnswers() throws Exception {
    MeshSnapshot s = ParsedMesh.parse(MESH);
    List<ProxyView> proxies = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      proxies.add(
          ParsedMesh.sidecar(
              "10.2.0." + (i + 1), "ns" + (1 + i % 2), Map.of("app", i % 3 == 0 ? "narrow" : "x")));
    }
    Translator shared = new Translator();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<SortedMap<String, Message>>> futures = new ArrayList<>();
      for (ProxyView p : proxies) {
        futures.add(pool.submit(() -> shared.generate(s, p, XdsType.CLUSTER, Set.of())));
      }
      for (int i = 0; i < proxies.size(); i++) {
        assertThat(futures.get(i).get())
            .isEqualTo(new Translator().generate(s, proxies.get(i), XdsType.CLUSTER, Set.of()));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
