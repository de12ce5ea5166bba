package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Service;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Plans shared between the proxy views of one snapshot change nothing: every proxy gets, from a
 * snapshot many other proxies were translated from first, exactly what it gets from a fresh
 * snapshot of the same input.
 */
class RoutePlanCacheTest {
  /**
   * Per-proxy differences on purpose: a DestinationRule with a consistent hash visible in one
   * namespace only (for a VirtualService destination and for a default route), source-label and
   * source-namespace matches, a VirtualService exported to one namespace, a headless service, and
   * services in several namespaces (short names differ by proxy namespace).
   */
  private static final String MESH =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: echo, namespace: a}
      spec:
        clusterIP: 10.96.1.1
        ports: [{name: http, port: 80}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: b}
      spec:
        clusterIP: 10.96.1.2
        ports: [{name: http, port: 80}, {name: http-alt, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: db, namespace: c}
      spec:
        clusterIP: None
        ports: [{name: http, port: 80}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: echo, namespace: a}
      spec:
        hosts: [echo]
        http:
        - match: [{headers: {x-canary: {exact: "true"}}}]
          route: [{destination: {host: echo, subset: v2}}]
        - route:
          - {destination: {host: echo, subset: v1}, weight: 90}
          - {destination: {host: echo, subset: v2}, weight: 10}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: db, namespace: c}
      spec:
        hosts: [db]
        http:
        - match: [{sourceLabels: {app: canary}}]
          route: [{destination: {host: db}}]
          timeout: 3s
        - match: [{sourceNamespace: c}]
          route: [{destination: {host: db}}]
          timeout: 5s
        - route: [{destination: {host: db}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: web-only-b, namespace: b}
      spec:
        hosts: [web]
        exportTo: ["."]
        http:
        - route: [{destination: {host: web, port: {number: 8080}}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: outside, namespace: a}
      spec:
        hosts: [api.example.com, "*.wild.example.com"]
        http:
        - route: [{destination: {host: echo}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: echo, namespace: a}
      spec:
        host: echo
        exportTo: ["."]
        trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: web, namespace: b}
      spec:
        host: web.b.svc.cluster.local
        exportTo: ["."]
        trafficPolicy:
          portLevelSettings:
          - port: {number: 8080}
            loadBalancer: {consistentHash: {useSourceIp: true}}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: cache, namespace: b}
      spec:
        clusterIP: 10.96.1.4
        ports: [{name: http, port: 80}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: cache, namespace: b}
      spec:
        host: cache
        exportTo: ["."]
        trafficPolicy: {loadBalancer: {consistentHash: {httpQueryParameterName: u}}}
      ---
      """;

  private static final List<ProxyView> PROXIES =
      List.of(
          YamlMesh.sidecar("a", Map.of("app", "canary"), ""),
          YamlMesh.sidecar("a", Map.of("app", "x"), ""),
          YamlMesh.sidecar("b", Map.of("app", "canary"), ""),
          YamlMesh.sidecar("b", Map.of(), ""),
          YamlMesh.sidecar("c", Map.of("app", "x"), ""),
          YamlMesh.sidecar("c", Map.of("app", "canary"), ""),
          YamlMesh.sidecar("d", Map.of(), ""));

  @Test
  void everyViewOfASharedSnapshotGetsWhatAFreshSnapshotGives() {
    assertSharedEqualsFresh(() -> YamlMesh.of(MESH), PROXIES);
  }

  /**
   * A service's short name {@code web.a} is the host of a ServiceEntry: views that know the entry
   * drop it from the service's domains, a view whose Sidecar hides the entry keeps it.
   */
  @Test
  void domainsKeptBesidesKnownHostsFollowTheServicesEachViewKnows() {
    String mesh =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: a}
        spec:
          clusterIP: 10.96.2.1
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: web-a, namespace: c}
        spec:
          hosts: [web.a]
          location: MESH_EXTERNAL
          resolution: DNS
          ports: [{number: 8080, name: http, protocol: HTTP}]
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: narrow, namespace: b}
        spec:
          workloadSelector: {labels: {app: narrow}}
          egress:
          - hosts: ["a/*"]
        ---
        """;
    ProxyView narrow = YamlMesh.sidecar("b", Map.of("app", "narrow"), "");
    ProxyView wide = YamlMesh.sidecar("b", Map.of("app", "wide"), "");
    assertSharedEqualsFresh(() -> YamlMesh.of(mesh), List.of(narrow, wide, narrow));
    MeshSnapshot s = YamlMesh.of(mesh);
    Translator sharing = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    for (ProxyView p : List.of(wide, narrow, wide)) {
      RouteConfiguration rc =
          (RouteConfiguration) sharing.generate(s, p, XdsType.ROUTE, Set.of("8080")).get("8080");
      VirtualHost web =
          rc.getVirtualHostsList().stream()
              .filter(vh -> vh.getName().equals("web.a.svc.cluster.local:8080"))
              .findFirst()
              .orElseThrow();
      if (p == narrow) {
        assertThat(web.getDomainsList()).contains("web.a");
      } else {
        assertThat(web.getDomainsList()).doesNotContain("web.a");
      }
    }
  }

  @Test
  void keptDomainsAreRememberedForTheVeryServicesTheyWereKeptBesides() {
    RoutePlanCache.ServiceDomains sd =
        new RoutePlanCache.ServiceDomains(
            "web.a.svc.cluster.local:8080",
            List.of("web.a.svc.cluster.local", "web.a", "10.96.2.1"),
            List.of("web.a"));
    Object one = new Object();
    Object other = new Object();
    assertThat(sd.keptBesides(one)).isNull();
    assertThat(sd.rememberKept(one, sd.domains())).isSameAs(sd.domains());
    assertThat(sd.keptBesides(one)).isSameAs(sd.domains());
    assertThat(sd.keptBesides(other)).isNull();
    List<String> fewer = new ArrayList<>(List.of("web.a.svc.cluster.local", "10.96.2.1"));
    List<String> kept = sd.rememberKept(other, fewer);
    fewer.clear();
    assertThat(kept).containsExactly("web.a.svc.cluster.local", "10.96.2.1");
    assertThat(sd.keptBesides(other)).isSameAs(kept);
    assertThat(sd.keptBesides(one)).isNull();
  }

  static List<String> goldenCases() throws IOException {
    return GoldenTest.cases();
  }

  /** Each golden case's proxy, and a sidecar in every namespace of its mesh with two label sets. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void goldenMeshesGiveEveryViewWhatAFreshSnapshotGives(String name) throws IOException {
    Path dir = GoldenTest.goldenRoot().resolve(name);
    ProxyView caseProxy = GoldenTest.readProxy(dir.resolve("proxy.yaml")).view();
    Supplier<MeshSnapshot> input =
        () -> {
          try {
            return GoldenTest.readInput(dir.resolve("input"));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
    Set<String> namespaces = new TreeSet<>(List.of(caseProxy.namespace(), "elsewhere"));
    for (Service s : input.get().services().values()) {
      namespaces.add(s.namespace());
    }
    List<ProxyView> proxies = new ArrayList<>();
    proxies.add(caseProxy);
    for (String ns : namespaces) {
      proxies.add(YamlMesh.sidecar(ns, caseProxy.labels(), ""));
      proxies.add(YamlMesh.sidecar(ns, Map.of("app", "other"), ""));
    }
    assertSharedEqualsFresh(input, proxies);
  }

  @Test
  void viewsOfDifferentNamespacesShareTheVirtualHostsOfOtherNamespacesServices() {
    MeshSnapshot s = YamlMesh.of(MESH);
    Translator t = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    VirtualHost fromB = echoHost(t, s, YamlMesh.sidecar("b", Map.of(), ""));
    VirtualHost fromC = echoHost(t, s, YamlMesh.sidecar("c", Map.of(), ""));
    VirtualHost fromA = echoHost(t, s, YamlMesh.sidecar("a", Map.of(), ""));

    assertThat(fromC).isSameAs(fromB);
    // in its own namespace the service also answers to its short name
    assertThat(fromA.getDomainsList()).contains("echo").isNotEqualTo(fromB.getDomainsList());
  }

  @Test
  void hashPoliciesFollowTheDestinationRuleEachProxySees() {
    MeshSnapshot s = YamlMesh.of(MESH);
    Translator t = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    for (String ns : List.of("b", "a", "c")) {
      ProxyView proxy = YamlMesh.sidecar(ns, Map.of(), "");
      RouteConfiguration rc =
          (RouteConfiguration) t.generate(s, proxy, XdsType.ROUTE, Set.of("80")).get("80");
      List<Route> echo = host(rc, "echo.a.svc.cluster.local:80").getRoutesList();
      List<Route> web = host(rc, "web.b.svc.cluster.local:80").getRoutesList();
      List<Route> cache = host(rc, "cache.b.svc.cluster.local:80").getRoutesList();
      // the rules are exported to their own namespaces only
      assertThat(echo).hasSize(2);
      for (Route r : echo) {
        assertThat(r.getRoute().getHashPolicyList())
            .as("echo from %s", ns)
            .hasSize(ns.equals("a") ? 2 - (r.getRoute().hasWeightedClusters() ? 0 : 1) : 0);
      }
      // in b, web is routed to port 8080, whose port-level settings hash
      assertThat(web.get(0).getRoute().getHashPolicyList())
          .as("web from %s", ns)
          .hasSize(ns.equals("b") ? 1 : 0);
      assertThat(cache.get(0).getName()).isEqualTo("default");
      assertThat(cache.get(0).getRoute().getHashPolicyList())
          .as("cache from %s", ns)
          .hasSize(ns.equals("b") ? 1 : 0);
    }
  }

  @Test
  void hashFreeOnlyWithoutAnyConsistentHash() {
    assertThat(RoutePlanCache.anyConsistentHash(YamlMesh.of(MESH).destinationRules())).isTrue();
    MeshSnapshot plain =
        YamlMesh.of(
            YamlMesh.dr(
                "a",
                "echo",
                """
                trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
                subsets:
                - {name: v1, labels: {version: v1}}
                """));
    assertThat(RoutePlanCache.anyConsistentHash(plain.destinationRules())).isFalse();
    MeshSnapshot subsetHash =
        YamlMesh.of(
            YamlMesh.dr(
                "a",
                "echo",
                """
                subsets:
                - name: v1
                  labels: {version: v1}
                  trafficPolicy:
                    portLevelSettings:
                    - port: {number: 80}
                      loadBalancer: {consistentHash: {httpCookie: {name: c, ttl: 0s}}}
                """));
    assertThat(RoutePlanCache.anyConsistentHash(subsetHash.destinationRules())).isTrue();
  }

  @Test
  void servicesSharingADomainAreDedupedInOrderAndMarkThePortOverlapping() {
    String twoOnOneVip =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: one, namespace: a}
        spec:
          clusterIP: 10.96.9.9
          ports: [{name: http, port: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: two, namespace: a}
        spec:
          clusterIP: 10.96.9.9
          ports: [{name: http, port: 80}]
        """;
    MeshSnapshot s = YamlMesh.of(twoOnOneVip);
    Translator t = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    RouteConfiguration rc =
        (RouteConfiguration)
            t.generate(s, YamlMesh.sidecar("b", Map.of(), ""), XdsType.ROUTE, Set.of("80"))
                .get("80");

    assertThat(host(rc, "one.a.svc.cluster.local:80").getDomainsList()).contains("10.96.9.9");
    assertThat(host(rc, "two.a.svc.cluster.local:80").getDomainsList())
        .contains("two.a.svc.cluster.local")
        .doesNotContain("10.96.9.9");
    assertThat(RoutePlanCache.of(s).disjointDomains(80, VirtualHostDomains.SIDECAR)).isFalse();
    assertSharedEqualsFresh(
        () -> YamlMesh.of(twoOnOneVip),
        List.of(YamlMesh.sidecar("a", Map.of(), ""), YamlMesh.sidecar("b", Map.of(), "")));
  }

  @Test
  void servicesWithDomainsOfTheirOwnLeaveThePortDisjoint() {
    MeshSnapshot s = YamlMesh.of(MESH);
    Translator t = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    for (String ns : List.of("a", "b", "c")) {
      t.generate(s, YamlMesh.sidecar(ns, Map.of(), ""), XdsType.ROUTE, Set.of("80"));
    }
    assertThat(RoutePlanCache.of(s).disjointDomains(80, VirtualHostDomains.SIDECAR)).isTrue();
  }

  private static VirtualHost echoHost(Translator t, MeshSnapshot s, ProxyView proxy) {
    RouteConfiguration rc =
        (RouteConfiguration) t.generate(s, proxy, XdsType.ROUTE, Set.of("80")).get("80");
    return host(rc, "echo.a.svc.cluster.local:80");
  }

  private static VirtualHost host(RouteConfiguration rc, String name) {
    return rc.getVirtualHostsList().stream()
        .filter(vh -> vh.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /**
   * Translates every proxy on one snapshot (forwards, then backwards, so each proxy also comes
   * after the others) with a sharing translator, and each on a fresh snapshot with a plain one.
   */
  private static void assertSharedEqualsFresh(
      Supplier<MeshSnapshot> input, List<ProxyView> proxies) {
    MeshSnapshot shared = input.get();
    Translator sharing = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    List<ProxyView> order = new ArrayList<>(proxies);
    for (int pass = 0; pass < 2; pass++) {
      for (ProxyView p : order) {
        Map<String, Message> fresh =
            new LinkedHashMap<>(
                new Translator().generate(input.get(), p, XdsType.ROUTE, Set.of()));
        SortedMap<String, Message> got = sharing.generate(shared, p, XdsType.ROUTE, Set.of());
        assertThat(got).as("%s", p.nodeId()).containsExactlyEntriesOf(fresh);
        for (Map.Entry<String, Message> e : got.entrySet()) {
          assertThat(sharing.encode(e.getValue()))
              .as("%s %s", p.nodeId(), e.getKey())
              .isEqualTo(fresh.get(e.getKey()).toByteString());
        }
      }
      java.util.Collections.reverse(order);
    }
  }
}
