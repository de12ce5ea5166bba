package io.jpilot.translate;

import static io.jpilot.translate.TestMesh.dest;
import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.http;
import static io.jpilot.translate.TestMesh.route;
import static io.jpilot.translate.TestMesh.vs;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.debug.SubscriptionWalker;
import io.jpilot.push.XdsResource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sharing virtual hosts between proxy views changes the work, never the answer: same resources,
 * same bytes, and a changed input is never answered from what an older one built.
 */
class VirtualHostCacheTest {

  /** Three namespaces with two HTTP services each; svc-c1 is routed by a VirtualService. */
  private static TestMesh threeNamespaces(int weightToV1) {
    TestMesh m = TestMesh.create();
    int ip = 10;
    for (String ns : List.of("a", "b", "c")) {
      for (int i = 1; i <= 2; i++) {
        String name = "svc-" + ns + i;
        m.service(name, ns, "10.96.0." + ip++, http(8080))
            .workload(
                name, ns, name + "-pod", "10.244.0." + ip, Map.of("app", name), "r/z/s");
      }
    }
    m.add(
        vs(
            "c",
            "svc-c1",
            List.of("svc-c1"),
            route(
                dest(fqdn("svc-c1", "c"), "", weightToV1),
                dest(fqdn("svc-c2", "c"), "", 100 - weightToV1))));
    return m;
  }

  private static ProxyView client(String ns) {
    return TestMesh.sidecar("client-0", ns, "10.244.9.1", Map.of("app", "client"));
  }

  private static RouteConfiguration rds(Translator t, MeshSnapshot s, ProxyView p) {
    return (RouteConfiguration) t.generate(s, p, XdsType.ROUTE, Set.of("8080")).get("8080");
  }

  private static VirtualHost host(RouteConfiguration rc, String name) {
    return rc.getVirtualHostsList().stream()
        .filter(vh -> vh.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no virtual host " + name + " in " + rc.getName()));
  }

  @Test
  void aServiceOfAnotherNamespaceIsOneVirtualHostForEveryViewThatSeesItSo() {
    MeshSnapshot s = threeNamespaces(90).build();
    Translator shared = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    RouteConfiguration fromA = rds(shared, s, client("a"));
    RouteConfiguration fromB = rds(shared, s, client("b"));

    String c1 = fqdn("svc-c1", "c") + ":8080";
    assertThat(host(fromA, c1)).isSameAs(host(fromB, c1));
    // svc-a1 has the short name "svc-a1" only inside namespace a: two different hosts
    String a1 = fqdn("svc-a1", "a") + ":8080";
    assertThat(host(fromA, a1).getDomainsList()).contains("svc-a1");
    assertThat(host(fromB, a1).getDomainsList()).doesNotContain("svc-a1");
    assertThat(host(fromA, a1)).isNotSameAs(host(fromB, a1));

    Translator plain = new Translator();
    assertThat(fromA).isEqualTo(rds(plain, s, client("a")));
    assertThat(fromB).isEqualTo(rds(plain, s, client("b")));
  }

  @Test
  void encodingWritesTheBytesProtobufWouldWrite() {
    MeshSnapshot s = threeNamespaces(90).build();
    Translator shared = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    for (String ns : List.of("a", "b", "c", "a")) {
      RouteConfiguration rc = rds(shared, s, client(ns));
      ByteString encoded = shared.encode(rc);
      assertThat(encoded).isEqualTo(rc.toByteString());
      XdsResource viaShared = XdsResource.of(rc.getName(), rc, encoded);
      XdsResource plain = XdsResource.of(rc.getName(), rc);
      assertThat(viaShared).isEqualTo(plain);
      assertThat(viaShared.encoded()).isEqualTo(Any.pack(rc).toByteString());
      assertThat(viaShared.message()).isEqualTo(rc);
    }
    // hosts built elsewhere (not by this cache) are encoded too
    RouteConfiguration foreign = rds(new Translator(), s, client("a"));
    assertThat(shared.encode(foreign)).isEqualTo(foreign.toByteString());
    RouteConfiguration empty = RouteConfiguration.newBuilder().setName("x").build();
    assertThat(shared.encode(empty)).isEqualTo(empty.toByteString());
  }

  @Test
  void versionsDigestedFromSharedPartsAreTheVersionsOfTheBytes() {
    Translator shared = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    Set<String> versions = new TreeSet<>();
    int distinct = 0;
    for (int weight : List.of(90, 20)) {
      MeshSnapshot s = threeNamespaces(weight).build();
      for (String ns : List.of("a", "b", "c", "a")) {
        RouteConfiguration rc = rds(shared, s, client(ns));
        Translator.Encoded e = shared.encodeWithVersion(rc);
        assertThat(e.bytes()).isEqualTo(rc.toByteString());
        assertThat(e.version())
            .isEqualTo(ResourceVersions.of(rc, rc.toByteString()))
            .isEqualTo(XdsResource.of(rc.getName(), rc).version())
            .isEqualTo(new Translator().encodeWithVersion(rc).version())
            .hasSize(16);
        if (versions.add(e.version())) {
          distinct++;
        }
      }
    }
    // a, b and c see different domains; the changed weights change c's routes for every view
    assertThat(distinct).isEqualTo(6);
    // configurations this cache did not build, or rebuilt around its hosts, digest the same way
    MeshSnapshot s = threeNamespaces(90).build();
    RouteConfiguration rc = rds(shared, s, client("a"));
    RouteConfiguration blocked =
        rc.toBuilder()
            .setVirtualHosts(rc.getVirtualHostsCount() - 1, SidecarRoutes.catchAll(
                io.jpilot.model.config.OutboundTrafficPolicy.REGISTRY_ONLY))
            .build();
    RouteConfiguration nameless = rc.toBuilder().clearName().build();
    RouteConfiguration hostless = rc.toBuilder().clearVirtualHosts().build();
    RouteConfiguration bare = RouteConfiguration.newBuilder().build();
    RouteConfiguration.Builder many = rc.toBuilder();
    for (int i = 0; i < 5; i++) {
      many.addAllVirtualHosts(rc.getVirtualHostsList());
    }
    for (RouteConfiguration other : List.of(blocked, nameless, hostless, bare, many.build())) {
      Translator.Encoded e = shared.encodeWithVersion(other);
      assertThat(e.bytes()).isEqualTo(other.toByteString());
      assertThat(e.version()).isEqualTo(ResourceVersions.of(other, other.toByteString()));
      assertThat(versions.add(e.version())).isTrue();
    }
  }

  @Test
  void aChangedVirtualServiceIsNeverAnsweredFromAnOlderPlan() {
    // both snapshots carry version 1: sharing must rest on the plans, not on the version
    MeshSnapshot before = threeNamespaces(90).build();
    MeshSnapshot after = threeNamespaces(20).build();
    assertThat(after.version()).isEqualTo(before.version());
    Translator shared = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    Translator plain = new Translator();
    String c1 = fqdn("svc-c1", "c") + ":8080";

    RouteConfiguration b = rds(shared, before, client("a"));
    RouteConfiguration a = rds(shared, after, client("a"));
    assertThat(b).isEqualTo(rds(plain, before, client("a")));
    assertThat(a).isEqualTo(rds(plain, after, client("a")));
    assertThat(host(a, c1)).isNotEqualTo(host(b, c1));
    assertThat(
            host(a, c1).getRoutes(0).getRoute().getWeightedClusters().getClusters(0).getWeight()
                .getValue())
        .isEqualTo(20);
  }

  @Test
  void theNextVersionTakesUnchangedVirtualHostsFromTheVersionBefore() {
    // svc-0's VirtualService changes its weights between the versions; svc-1's stays
    MeshSnapshot v1 =
        MeshSnapshot.build(1, TestMesh.SUFFIX, RdsCpuHarness.objects(6, 3, false, 90));
    MeshSnapshot v2 =
        MeshSnapshot.build(2, TestMesh.SUFFIX, RdsCpuHarness.objects(6, 3, false, 80));
    ProxyView proxy = client("ns-2");
    Translator shared = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    RouteConfiguration before = rds(shared, v1, proxy);
    RouteConfiguration after = rds(shared, v2, proxy);

    assertThat(after).isEqualTo(rds(new Translator(), v2, proxy));
    assertThat(shared.encode(after)).isEqualTo(after.toByteString());
    String svc1 = fqdn("svc-1", "ns-1") + ":8080";
    assertThat(host(after, svc1)).isSameAs(host(before, svc1));
    String svc0 = fqdn("svc-0", "ns-0") + ":8080";
    assertThat(
            host(after, svc0).getRoutes(0).getRoute().getWeightedClusters().getClusters(0).getWeight()
                .getValue())
        .isEqualTo(80);
    assertThat(host(before, svc0)).isNotEqualTo(host(after, svc0));
  }

  static List<String> goldenCases() throws Exception {
    return GoldenTest.cases();
  }

  /** Every resource of every golden case: same messages, and the same bytes once encoded. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void goldenCasesTranslateAndEncodeAsWithoutSharing(String name) throws Exception {
    Path dir = GoldenTest.goldenRoot().resolve(name);
    MeshSnapshot snapshot = GoldenTest.readInput(dir.resolve("input"));
    GoldenTest.ProxyFile f = GoldenTest.readProxy(dir.resolve("proxy.yaml"));
    ProxyView proxy = f.view();
    Translator shared = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    Translator plain = new Translator();
    int routes = 0;
    for (int round = 0; round < 2; round++) { // the second round is answered from the cache
      Map<XdsType, SortedMap<String, Message>> viaShared =
          SubscriptionWalker.walk(shared, snapshot, proxy, new TreeSet<>(f.listeners()));
      Map<XdsType, SortedMap<String, Message>> viaPlain =
          SubscriptionWalker.walk(plain, snapshot, proxy, new TreeSet<>(f.listeners()));
      assertThat(viaShared).isEqualTo(viaPlain);
      List<Message> all = new ArrayList<>();
      viaShared.values().forEach(m -> all.addAll(m.values()));
      for (Message m : all) {
        assertThat(shared.encode(m)).isEqualTo(m.toByteString());
        if (m instanceof RouteConfiguration) {
          routes++;
        }
      }
    }
    assertThat(routes).isPositive();
  }
}
