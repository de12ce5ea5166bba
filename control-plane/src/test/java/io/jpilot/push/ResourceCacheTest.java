package io.jpilot.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import io.jpilot.translate.XdsType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResourceCacheTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicInteger calls = new AtomicInteger();
  private final List<ProxyView> seen = new ArrayList<>();

  /** Names one cluster after what it saw of the proxy, so a wrong key shows in the output. */
  private final ResourceGenerator generator =
      (snapshot, proxy, type, names) -> {
        calls.incrementAndGet();
        synchronized (seen) {
          seen.add(proxy);
        }
        SortedMap<String, Message> out = new TreeMap<>();
        String name = proxy.namespace() + "/" + proxy.nodeId() + "/" + snapshot.version() + names;
        out.put(name, Cluster.newBuilder().setName(name).build());
        return out;
      };

  /** Drops the node id, as the production keyer does. */
  private static final ProxyKeyer WITHOUT_NODE_ID =
      (s, p, type, names) ->
          new ProxyView(
              "", p.type(), p.ips(), "", p.namespace(), p.dnsDomain(), p.labels(), p.generator(),
              p.locality());

  private static ProxyView proxy(String pod, String ns) {
    return ProxyView.parse(
        "sidecar~10.0.0.1~" + pod + "." + ns + "~" + ns + ".svc.cluster.local",
        Map.of(),
        Map.of("app", "x"),
        Locality.NONE);
  }

  private static MeshSnapshot snapshot(long version) {
    return MeshSnapshot.build(version, "cluster.local", List.of());
  }

  private ResourceCache cache(int max) {
    return new ResourceCache(generator, WITHOUT_NODE_ID, max, meters);
  }

  @Test
  void proxiesWithEqualKeysShareOneGenerationAndItsBytes() {
    ResourceCache cache = cache(100);
    MeshSnapshot s = snapshot(1);
    GeneratedResources a = cache.get(s, proxy("a", "ns1"), XdsType.CLUSTER, Set.of());
    GeneratedResources b = cache.get(s, proxy("b", "ns1"), XdsType.CLUSTER, Set.of());
    GeneratedResources c = cache.get(s, proxy("c", "ns2"), XdsType.CLUSTER, Set.of());

    assertThat(b).isSameAs(a);
    assertThat(b.resources().values().iterator().next().encoded())
        .isSameAs(a.resources().values().iterator().next().encoded());
    assertThat(c).isNotSameAs(a);
    assertThat(calls).hasValue(2);
    assertThat(seen).extracting(ProxyView::nodeId).containsOnly("");
    assertThat(a.resources()).containsOnlyKeys("ns1//1[]");
    assertThat(meters.get("pilot_xds_cache_reads").tag("type", "hit").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("pilot_xds_cache_reads").tag("type", "miss").counter().count())
        .isEqualTo(2);
    assertThat(cache.size()).isEqualTo(2);
  }

  @Test
  void equalResourcesOfDifferentViewsShareTheirBytes() {
    ResourceCache cache =
        new ResourceCache(
            (snapshot, proxy, type, names) -> {
              SortedMap<String, Message> out = new TreeMap<>();
              out.put("shared", Cluster.newBuilder().setName("shared").build());
              String own = "own-" + proxy.namespace();
              out.put(own, Cluster.newBuilder().setName(own).build());
              return out;
            },
            WITHOUT_NODE_ID,
            100,
            meters);
    MeshSnapshot s = snapshot(1);
    GeneratedResources a = cache.get(s, proxy("a", "ns1"), XdsType.CLUSTER, Set.of());
    GeneratedResources b = cache.get(s, proxy("b", "ns2"), XdsType.CLUSTER, Set.of());
    assertThat(b).isNotSameAs(a);
    assertThat(b.resources().get("shared").encoded()).isSameAs(a.resources().get("shared").encoded());
    assertThat(b.resources().get("shared").message())
        .isEqualTo(Cluster.newBuilder().setName("shared").build());
    GeneratedResources next = cache.get(snapshot(2), proxy("a", "ns1"), XdsType.CLUSTER, Set.of());
    assertThat(next.resources().get("shared").encoded())
        .as("a new snapshot holds its own")
        .isNotSameAs(a.resources().get("shared").encoded());
  }

  @Test
  void typeAndNamesArePartOfTheKey() {
    MeshSnapshot s = snapshot(1);
    ProxyView p = proxy("a", "ns1");
    ResourceCache typed =
        new ResourceCache(
            (snapshot, proxy, type, names) -> {
              calls.incrementAndGet();
              Message m =
                  type == XdsType.CLUSTER
                      ? Cluster.newBuilder().setName("c").build()
                      : ClusterLoadAssignment.newBuilder().setClusterName("c").build();
              return new TreeMap<>(Map.of("c", m));
            },
            WITHOUT_NODE_ID,
            100,
            meters);
    typed.get(s, p, XdsType.CLUSTER, Set.of());
    typed.get(s, p, XdsType.ENDPOINT, Set.of("x"));
    typed.get(s, p, XdsType.ENDPOINT, Set.of("x", "y"));
    typed.get(s, p, XdsType.ENDPOINT, new java.util.TreeSet<>(List.of("y", "x")));
    assertThat(calls).hasValue(3);
  }

  @Test
  void aNewerSnapshotDropsTheEntriesAndAnOlderOneIsNotCached() {
    ResourceCache cache = cache(100);
    ProxyView p = proxy("a", "ns1");
    MeshSnapshot one = snapshot(1);
    MeshSnapshot two = snapshot(2);
    cache.get(one, p, XdsType.CLUSTER, Set.of());
    GeneratedResources fromTwo = cache.get(two, p, XdsType.CLUSTER, Set.of());
    assertThat(fromTwo.snapshotVersion()).isEqualTo(2);
    assertThat(cache.size()).isEqualTo(1);

    GeneratedResources old1 = cache.get(one, p, XdsType.CLUSTER, Set.of());
    GeneratedResources old2 = cache.get(one, p, XdsType.CLUSTER, Set.of());
    assertThat(old1.snapshotVersion()).isEqualTo(1);
    assertThat(old2).isNotSameAs(old1);
    assertThat(cache.get(two, p, XdsType.CLUSTER, Set.of())).isSameAs(fromTwo);
    assertThat(calls).hasValue(4);
  }

  @Test
  void beyondTheBoundResultsAreNotKept() {
    ResourceCache cache = cache(2);
    MeshSnapshot s = snapshot(1);
    for (String ns : List.of("a", "b", "c", "d")) {
      cache.get(s, proxy("p", ns), XdsType.CLUSTER, Set.of());
    }
    assertThat(cache.size()).isEqualTo(2);
    cache.get(s, proxy("p", "d"), XdsType.CLUSTER, Set.of());
    assertThat(calls).hasValue(5);
  }

  @Test
  void concurrentRequestsForOneKeyGenerateOnce() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger slowCalls = new AtomicInteger();
    ResourceGenerator slow =
        (snapshot, proxy, type, names) -> {
          slowCalls.incrementAndGet();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new TreeMap<>(Map.of("c", Cluster.newBuilder().setName("c").build()));
        };
    ResourceCache cache = new ResourceCache(slow, WITHOUT_NODE_ID, 100, meters);
    MeshSnapshot s = snapshot(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<GeneratedResources>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String pod = "p" + i;
        results.add(pool.submit(() -> cache.get(s, proxy(pod, "ns"), XdsType.CLUSTER, Set.of())));
      }
      Thread.sleep(100);
      release.countDown();
      GeneratedResources first = results.get(0).get(10, TimeUnit.SECONDS);
      for (Future<GeneratedResources> f : results) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(first);
      }
      assertThat(slowCalls).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aResourceOfTheWrongTypeIsRefusedAndNotCached() {
    ResourceGenerator wrong =
        (snapshot, proxy, type, names) ->
            new TreeMap<>(Map.of("l", Listener.newBuilder().setName("l").build()));
    ResourceCache cache = new ResourceCache(wrong, WITHOUT_NODE_ID, 100, meters);
    assertThatThrownBy(() -> cache.get(snapshot(1), proxy("a", "ns"), XdsType.CLUSTER, Set.of()))
        .hasMessageContaining("envoy.config.listener.v3.Listener")
        .hasMessageContaining("expected: envoy.config.cluster.v3.Cluster");
    assertThat(cache.size()).isZero();
  }

  @Test
  void sameResourcesComparesNamesAndBytes() {
    Cluster c = Cluster.newBuilder().setName("c").build();
    Cluster changed = c.toBuilder().setAltStatName("x").build();
    GeneratedResources one = new GeneratedResources(XdsType.CLUSTER, 1, new TreeMap<>(Map.of("c", c)));
    GeneratedResources again =
        new GeneratedResources(XdsType.CLUSTER, 2, new TreeMap<>(Map.of("c", c)));
    GeneratedResources other =
        new GeneratedResources(XdsType.CLUSTER, 2, new TreeMap<>(Map.of("c", changed)));
    GeneratedResources renamed =
        new GeneratedResources(XdsType.CLUSTER, 2, new TreeMap<>(Map.of("d", c)));
    GeneratedResources more =
        new GeneratedResources(XdsType.CLUSTER, 2, new TreeMap<>(Map.of("c", c, "d", c)));
    assertThat(one.sameResources(again)).isTrue();
    assertThat(one.sameResources(other)).isFalse();
    assertThat(one.sameResources(renamed)).isFalse();
    assertThat(one.sameResources(more)).isFalse();
    assertThat(one.sameResources(null)).isFalse();
    assertThat(GeneratedResources.none(XdsType.CLUSTER, 1).sameResources(GeneratedResources.none(XdsType.CLUSTER, 5)))
        .isTrue();
  }

  @Test
  void theWireFormIsEncodedOncePerResult() {
    GeneratedResources r =
        new GeneratedResources(
            XdsType.CLUSTER, 1, new TreeMap<>(Map.of("c", Cluster.newBuilder().setName("c").build())));
    AtomicInteger encodes = new AtomicInteger();
    String first = r.wireForm(String.class, g -> "form-" + encodes.incrementAndGet());
    String second = r.wireForm(String.class, g -> "form-" + encodes.incrementAndGet());
    assertThat(second).isSameAs(first).isEqualTo("form-1");
  }

  @Test
  void versionsChangeWithTheBytesOnly() {
    XdsResource a = XdsResource.of("c", Cluster.newBuilder().setName("c").build());
    XdsResource same = XdsResource.of("c", Cluster.newBuilder().setName("c").build());
    XdsResource other =
        XdsResource.of("c", Cluster.newBuilder().setName("c").setAltStatName("x").build());
    assertThat(same.version()).isEqualTo(a.version()).hasSize(16);
    assertThat(other.version()).isNotEqualTo(a.version());
  }
}
