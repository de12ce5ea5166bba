package io.jpilot.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.registry.Service;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The endpoint-only shortcut must give exactly what a full build gives, or decline. */
class EndpointUpdateTest {
  private static final String SUFFIX = MeshSnapshot.DEFAULT_DOMAIN_SUFFIX;

  private static final String MESH =
      YamlSnapshots.service("a", "ns1", "a", 8080, "http")
          + YamlSnapshots.service("b", "ns1", "b", 8080, "http")
          + YamlSnapshots.service("c", "ns2", "c", 9090, "grpc")
          + """
          apiVersion: v1
          kind: Service
          metadata: {name: headless, namespace: ns2}
          spec:
            clusterIP: None
            selector: {app: headless}
            ports: [{name: tcp, port: 5432}]
          ---
          """
          + YamlSnapshots.pod("a-0", "ns1", "10.0.0.1", "{app: a, version: v1}")
          + YamlSnapshots.pod("a-1", "ns1", "10.0.0.2", "{app: a, version: v2}")
          + YamlSnapshots.pod("b-0", "ns1", "10.0.1.1", "{app: b}")
          + YamlSnapshots.pod("c-0", "ns2", "10.0.2.1", "{app: c, topology.istio.io/subzone: s}");

  private static List<MeshObject> objects(String yaml) {
    ParsedFile f = ConfigFileParser.parse("test.yaml", yaml, SUFFIX);
    assertThat(f.diagnostics()).filteredOn(d -> d.severity() == Severity.ERROR).isEmpty();
    return new ArrayList<>(f.objects());
  }

  private static EndpointSlice slice(String name, String ns, String service, List<String> ips,
      boolean ready) {
    List<EndpointSlice.Entry> entries = new ArrayList<>();
    for (String ip : ips) {
      entries.add(new EndpointSlice.Entry(List.of(ip), ready, "zone-a", "node-1", ""));
    }
    return new EndpointSlice(
        name, ns, service, List.of(new EndpointSlice.Port("http", 8080)), entries);
  }

  private static void assertSameEndpoints(MeshSnapshot fast, MeshSnapshot full) {
    Set<String> hosts = new TreeSet<>(full.services().keySet());
    hosts.addAll(fast.services().keySet());
    for (String ns : List.of("ns1", "ns2")) {
      for (String svc : List.of("a", "b", "c", "d", "headless")) {
        hosts.add(svc + "." + ns + ".svc." + SUFFIX);
      }
    }
    for (String host : hosts) {
      assertThat(fast.endpoints(host)).as(host).isEqualTo(full.endpoints(host));
    }
    assertThat(fast.workloadAddresses()).isEqualTo(full.workloadAddresses());
  }

  @Test
  void randomSliceChangesGiveWhatAFullBuildGives() {
    Random random = new Random(42);
    Map<ConfigKey, MeshObject> store = new HashMap<>();
    objects(MESH).forEach(o -> store.put(o.key(), o));
    for (MeshObject o :
        List.of(
            slice("a-1", "ns1", "a", List.of("10.0.0.1"), true),
            slice("a-2", "ns1", "a", List.of("10.0.0.2"), true),
            slice("b-1", "ns1", "b", List.of("10.0.1.1"), true),
            slice("c-1", "ns2", "c", List.of("10.0.2.1"), true))) {
      store.put(o.key(), o);
    }
    MeshSnapshot current = MeshSnapshot.build(1, SUFFIX, store.values());
    List<String> services = List.of("a", "b", "c", "d");
    int applied = 0;
    for (int step = 2; step < 300; step++) {
      Set<ConfigKey> changed = new TreeSet<>();
      int changes = 1 + random.nextInt(3);
      for (int i = 0; i < changes; i++) {
        String ns = random.nextBoolean() ? "ns1" : "ns2";
        String name = "s-" + random.nextInt(6);
        ConfigKey key = new ConfigKey(EndpointSlice.KIND, ns, name);
        if (random.nextInt(4) == 0) {
          store.remove(key);
        } else {
          List<String> ips = new ArrayList<>();
          int n = random.nextInt(4);
          for (int j = 0; j < n; j++) {
            ips.add("10.0." + random.nextInt(3) + "." + (1 + random.nextInt(3)));
          }
          String svc = services.get(random.nextInt(services.size()));
          store.put(key, slice(name, ns, svc, ips, random.nextInt(5) != 0));
        }
        changed.add(key);
      }
      MeshSnapshot full = MeshSnapshot.build(step, SUFFIX, store.values());
      Optional<MeshSnapshot.EndpointUpdate> fast =
          current.withEndpointSlices(step, changed, new ArrayList<>(store.values()));
      assertThat(fast).as("step %d: only Kubernetes ClusterIP services are involved", step).isPresent();
      assertThat(fast.get().snapshot().version()).isEqualTo(step);
      assertSameEndpoints(fast.get().snapshot(), full);
      for (ConfigKey key : changed) {
        MeshObject now = store.get(key);
        if (now instanceof EndpointSlice es) {
          assertThat(fast.get().hosts())
              .contains(es.serviceName() + "." + es.namespace() + ".svc." + SUFFIX);
        }
      }
      current = fast.get().snapshot();
      applied++;
    }
    assertThat(applied).isEqualTo(298);
  }

  private static EndpointSlice namedSlice(String name, String ns, String service, List<String> pods) {
    List<EndpointSlice.Entry> entries = new ArrayList<>();
    for (int i = 0; i < pods.size(); i++) {
      entries.add(
          new EndpointSlice.Entry(List.of("10.7.0." + (i + 1)), true, "zone-a", "node-1", pods.get(i)));
    }
    return new EndpointSlice(
        name, ns, service, List.of(new EndpointSlice.Port("http", 8080)), entries);
  }

  private static Pod pod(String name, String ns, String version, String ip) {
    return new Pod(
        name,
        ns,
        Map.of("app", "a", "version", version),
        List.of(ip),
        "node-1",
        new io.jpilot.model.registry.Locality("r", "z-" + version, ""),
        name + "-sa",
        new java.util.TreeMap<>());
  }

  @Test
  void randomPodChangesGiveWhatAFullBuildGives() {
    Random random = new Random(7);
    Map<ConfigKey, MeshObject> store = new HashMap<>();
    objects(MESH).forEach(o -> store.put(o.key(), o));
    store.entrySet().removeIf(e -> e.getKey().kind().equals(Pod.KIND));
    List<String> names = List.of("p0", "p1", "p2", "p3", "p4", "p5");
    for (String n : names) {
      Pod p = pod(n, "ns1", "v1", "10.7.0." + (names.indexOf(n) + 1));
      store.put(p.key(), p);
    }
    EndpointSlice a = namedSlice("a-1", "ns1", "a", List.of("p0", "p1", "p2"));
    EndpointSlice b = namedSlice("b-1", "ns1", "b", List.of("p3", "p4", "missing-later"));
    store.put(a.key(), a);
    store.put(b.key(), namedSlice("b-1", "ns1", "b", List.of("p3", "p4", "p5")));
    MeshSnapshot current = MeshSnapshot.build(1, SUFFIX, store.values());
    int fast = 0;
    for (int step = 2; step < 200; step++) {
      Set<ConfigKey> changed = new TreeSet<>();
      String n = names.get(random.nextInt(names.size()));
      ConfigKey key = new ConfigKey(Pod.KIND, "ns1", n);
      if (random.nextInt(5) == 0 && store.containsKey(key)) {
        store.remove(key);
      } else {
        Pod p =
            pod(n, "ns1", random.nextBoolean() ? "v1" : "v2", "10.7.0." + (1 + random.nextInt(6)));
        store.put(key, p);
      }
      changed.add(key);
      MeshSnapshot full = MeshSnapshot.build(step, SUFFIX, store.values());
      Optional<MeshSnapshot.EndpointUpdate> update =
          current.withEndpointSlices(step, changed, new ArrayList<>(store.values()));
      // Also when a slice names a Pod that is gone (joined by address): its host is rebuilt.
      assertThat(update).as("step %d", step).isPresent();
      assertSameEndpoints(update.get().snapshot(), full);
      fast++;
      current = update.get().snapshot();
    }
    assertThat(fast).as("pod changes taken by the shortcut").isEqualTo(198);
  }

  @Test
  void aPodChangeRebuildsTheHostsWhoseSlicesNameIt() {
    Map<ConfigKey, MeshObject> store = new HashMap<>();
    objects(MESH).forEach(o -> store.put(o.key(), o));
    store.entrySet().removeIf(e -> e.getKey().kind().equals(Pod.KIND));
    Pod p0 = pod("p0", "ns1", "v1", "10.7.0.1");
    store.put(p0.key(), p0);
    EndpointSlice a = namedSlice("a-1", "ns1", "a", List.of("p0"));
    store.put(a.key(), a);
    MeshSnapshot before = MeshSnapshot.build(1, SUFFIX, store.values());

    Pod relabelled = pod("p0", "ns1", "v2", "10.7.0.1");
    store.put(relabelled.key(), relabelled);
    MeshSnapshot.EndpointUpdate update =
        before
            .withEndpointSlices(2, Set.of(relabelled.key()), new ArrayList<>(store.values()))
            .orElseThrow();
    assertThat(update.hosts()).containsExactly("a.ns1.svc." + SUFFIX);
    assertThat(update.snapshot().endpoints("a.ns1.svc." + SUFFIX))
        .singleElement()
        .satisfies(e -> assertThat(e.labels()).containsEntry("version", "v2"));

    // A slice endpoint without a Pod reference is joined by address: a Pod moving to that
    // address changes it, so its host is rebuilt too.
    EndpointSlice byAddress = slice("b-2", "ns1", "b", List.of("10.7.0.9"), true);
    store.put(byAddress.key(), byAddress);
    MeshSnapshot withAddress = MeshSnapshot.build(3, SUFFIX, store.values());
    assertThat(withAddress.endpoints("b.ns1.svc." + SUFFIX))
        .singleElement()
        .satisfies(e -> assertThat(e.labels()).isEmpty());
    Pod moved = pod("p0", "ns1", "v1", "10.7.0.9");
    store.put(moved.key(), moved);
    MeshSnapshot.EndpointUpdate byIp =
        withAddress
            .withEndpointSlices(4, Set.of(moved.key()), new ArrayList<>(store.values()))
            .orElseThrow();
    assertThat(byIp.hosts()).containsExactlyInAnyOrder("a.ns1.svc." + SUFFIX, "b.ns1.svc." + SUFFIX);
    assertSameEndpoints(byIp.snapshot(), MeshSnapshot.build(4, SUFFIX, store.values()));
    assertThat(byIp.snapshot().endpoints("b.ns1.svc." + SUFFIX))
        .singleElement()
        .satisfies(e -> assertThat(e.labels()).containsEntry("version", "v1"));
  }

  @Test
  void aRolloutThatChangesPodsBeforeTheirSliceStaysOnTheShortcut() {
    Map<ConfigKey, MeshObject> store = new HashMap<>();
    objects(MESH).forEach(o -> store.put(o.key(), o));
    store.entrySet().removeIf(e -> e.getKey().kind().equals(Pod.KIND));
    List<String> old = List.of("old-0", "old-1", "old-2", "old-3");
    List<String> fresh = List.of("new-0", "new-1", "new-2", "new-3");
    for (int i = 0; i < 4; i++) {
      Pod p = pod(old.get(i), "ns1", "v1", "10.7.0." + (i + 1));
      store.put(p.key(), p);
    }
    store.put(new ConfigKey(EndpointSlice.KIND, "ns1", "a-1"), namedSlice("a-1", "ns1", "a", old));
    MeshSnapshot current = MeshSnapshot.build(1, SUFFIX, store.values());
    long version = 1;
    // Each step: the Pods change first (new ones appear, or old ones go), then the slice follows.
    for (int step = 0; step < 4; step++) {
      Set<ConfigKey> pods = new TreeSet<>();
      Pod added = pod(fresh.get(step), "ns1", "v2", "10.7.1." + (step + 1));
      store.put(added.key(), added);
      pods.add(added.key());
      ConfigKey gone = new ConfigKey(Pod.KIND, "ns1", old.get(step));
      store.remove(gone);
      pods.add(gone);
      current = apply(current, ++version, pods, store);
      List<String> names = new ArrayList<>(old.subList(step + 1, 4));
      names.addAll(fresh.subList(0, step + 1));
      List<EndpointSlice.Entry> entries = new ArrayList<>();
      for (String n : names) {
        Pod p = (Pod) store.get(new ConfigKey(Pod.KIND, "ns1", n));
        entries.add(new EndpointSlice.Entry(p.ips(), true, "zone-a", "node-1", n));
      }
      EndpointSlice slice =
          new EndpointSlice("a-1", "ns1", "a", List.of(new EndpointSlice.Port("http", 8080)), entries);
      store.put(slice.key(), slice);
      current = apply(current, ++version, Set.of(slice.key()), store);
    }
    assertThat(current.endpoints("a.ns1.svc." + SUFFIX))
        .extracting(e -> e.labels().get("version"))
        .containsOnly("v2")
        .hasSize(4);
  }

  /** The shortcut for {@code changed}, checked against a full build. */
  private static MeshSnapshot apply(
      MeshSnapshot current, long version, Set<ConfigKey> changed, Map<ConfigKey, MeshObject> store) {
    MeshSnapshot.EndpointUpdate update =
        current
            .withEndpointSlices(version, changed, new ArrayList<>(store.values()))
            .orElseThrow(() -> new AssertionError("declined: " + changed));
    assertSameEndpoints(update.snapshot(), MeshSnapshot.build(version, SUFFIX, store.values()));
    return update.snapshot();
  }

  @Test
  void movingASliceToAnotherServiceRebuildsBoth() {
    Map<ConfigKey, MeshObject> store = new HashMap<>();
    objects(MESH).forEach(o -> store.put(o.key(), o));
    EndpointSlice s = slice("x", "ns1", "a", List.of("10.0.0.1"), true);
    store.put(s.key(), s);
    MeshSnapshot before = MeshSnapshot.build(1, SUFFIX, store.values());
    assertThat(before.endpoints("a.ns1.svc." + SUFFIX)).hasSize(1);

    store.put(s.key(), slice("x", "ns1", "b", List.of("10.0.0.1"), true));
    MeshSnapshot.EndpointUpdate update =
        before.withEndpointSlices(2, Set.of(s.key()), new ArrayList<>(store.values())).orElseThrow();

    assertThat(update.hosts()).containsExactlyInAnyOrder("a.ns1.svc." + SUFFIX, "b.ns1.svc." + SUFFIX);
    assertThat(update.snapshot().endpoints("a.ns1.svc." + SUFFIX)).isEmpty();
    assertThat(update.snapshot().endpoints("b.ns1.svc." + SUFFIX))
        .singleElement()
        .satisfies(e -> assertThat(e.labels()).containsEntry("app", "a"));
  }

  @Test
  void declinesWhenEndpointsShapeMoreThanEndpointAssignments() {
    Map<ConfigKey, MeshObject> store = new HashMap<>();
    objects(MESH).forEach(o -> store.put(o.key(), o));
    MeshSnapshot base = MeshSnapshot.build(1, SUFFIX, store.values());

    // A headless service's endpoints become listeners.
    EndpointSlice headless = slice("h", "ns2", "headless", List.of("10.0.2.9"), true);
    store.put(headless.key(), headless);
    assertThat(base.withEndpointSlices(2, Set.of(headless.key()), store.values())).isEmpty();

    // Not an EndpointSlice.
    ConfigKey service = new ConfigKey(Service.KIND, "ns1", "a");
    assertThat(base.withEndpointSlices(2, Set.of(service), store.values())).isEmpty();

    // WorkloadEntries add endpoints to Kubernetes services by selector.
    List<MeshObject> withEntry =
        objects(
            MESH
                + """
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: vm, namespace: ns1}
                spec: {address: 10.9.9.9, labels: {app: a}}
                """);
    MeshSnapshot withWe = MeshSnapshot.build(1, SUFFIX, withEntry);
    EndpointSlice a = slice("a-9", "ns1", "a", List.of("10.0.0.1"), true);
    withEntry.add(a);
    assertThat(withWe.withEndpointSlices(2, Set.of(a.key()), withEntry)).isEmpty();
    assertThat(MeshSnapshot.build(2, SUFFIX, withEntry).endpoints("a.ns1.svc." + SUFFIX))
        .extracting(e -> e.address())
        .contains("10.9.9.9", "10.0.0.1");
  }
}
