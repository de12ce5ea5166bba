package io.jpilot.model;

import static io.jpilot.model.YamlSnapshots.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Namespaces whose default scopes nothing tells apart share one computation; each shared scope is
 * the scope computed on its own, field by field, and every namespace that something names or whose
 * own DestinationRules choose differently gets its own.
 */
class SidecarScopeSharingTest {
  private static final String MESH =
      service("svc-a", "a", "svc-a", 8080, "http")
          + service("svc-b", "b", "svc-b", 8080, "http")
          + service("svc-d", "d", "svc-d", 8080, "http")
          + service("svc-e", "e", "svc-e", 8080, "http")
          + service("svc-f", "f", "svc-f", 8080, "http")
          + """
          apiVersion: v1
          kind: Service
          metadata:
            name: hidden
            namespace: c
            annotations: {networking.istio.io/exportTo: "."}
          spec:
            clusterIP: 10.96.0.60
            selector: {app: hidden}
            ports: [{name: http, port: 8080, targetPort: 8080}]
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: svc-a, namespace: a, creationTimestamp: "2024-01-01T00:00:00Z"}
          spec: {host: svc-a, subsets: [{name: v1, labels: {version: v1}}]}
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: svc-a-from-b, namespace: b, creationTimestamp: "2024-01-01T00:00:00Z"}
          spec: {host: svc-a.a.svc.cluster.local, subsets: [{name: v2, labels: {version: v2}}]}
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: svc-d, namespace: d, creationTimestamp: "2024-01-01T00:00:00Z"}
          spec: {host: svc-d, subsets: [{name: v1, labels: {version: v1}}]}
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: svc-e-all, namespace: e, creationTimestamp: "2024-01-01T00:00:00Z"}
          spec: {host: svc-e, subsets: [{name: v1, labels: {version: v1}}]}
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: svc-e-x, namespace: e, creationTimestamp: "2024-01-01T00:00:00Z"}
          spec:
            host: svc-e
            workloadSelector: {matchLabels: {app: x}}
            subsets: [{name: v3, labels: {version: v3}}]
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: all-of-f, namespace: f, creationTimestamp: "2024-01-01T00:00:00Z"}
          spec: {host: "*.f.svc.cluster.local", trafficPolicy: {loadBalancer: {simple: RANDOM}}}
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: hidden, namespace: c, creationTimestamp: "2024-01-01T00:00:00Z"}
          spec: {host: svc-b.b.svc.cluster.local, exportTo: [".", "j"]}
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: for-g, namespace: a, creationTimestamp: "2024-01-01T00:00:00Z"}
          spec:
            hosts: [svc-a]
            exportTo: [g]
            http: [{route: [{destination: {host: svc-a, subset: v1}}]}]
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: from-h, namespace: b, creationTimestamp: "2024-01-02T00:00:00Z"}
          spec:
            hosts: [svc-b]
            http:
            - match: [{sourceNamespace: h}]
              route: [{destination: {host: svc-a.a.svc.cluster.local}}]
            - route: [{destination: {host: svc-b}}]
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: svc-d, namespace: d, creationTimestamp: "2024-01-03T00:00:00Z"}
          spec:
            hosts: [svc-d]
            http: [{route: [{destination: {host: svc-d, subset: v1}}]}]
          ---
          apiVersion: networking.istio.io/v1
          kind: Sidecar
          metadata: {name: z, namespace: l, creationTimestamp: "2024-01-01T00:00:00Z"}
          spec:
            workloadSelector: {labels: {app: z}}
            egress: [{hosts: ["./*"]}]
          ---
          """;

  private static final Map<String, String> PLAIN = Map.of("app", "y");

  private static ProxyView proxy(String ns, Map<String, String> labels) {
    return new ProxyView(
        "sidecar~10.0.0.1~p." + ns + "~" + ns + ".svc.cluster.local",
        ProxyView.Type.SIDECAR,
        List.of("10.0.0.1"),
        "p." + ns,
        ns,
        ns + ".svc.cluster.local",
        labels,
        ProxyView.Generator.ENVOY,
        Locality.NONE);
  }

  @Test
  void sharedScopesAreTheScopesComputedOnTheirOwn() {
    MeshSnapshot snapshot = YamlSnapshots.of(MESH);
    List<ProxyView> proxies = new ArrayList<>();
    for (String ns :
        List.of("a", "b", "c", "d", "e", "f", "g", "h", "j", "k", "l", "istio-system")) {
      proxies.add(proxy(ns, PLAIN));
    }
    proxies.add(proxy("e", Map.of("app", "x")));
    proxies.add(proxy("l", Map.of("app", "z")));
    for (ProxyView p : proxies) {
      assertSameScope(
          SidecarScope.of(snapshot, p, MeshConfig.DEFAULT),
          SidecarScope.computed(snapshot, p, MeshConfig.DEFAULT),
          snapshot);
    }
  }

  @Test
  void onlyNamespacesNothingTellsApartShare() {
    MeshSnapshot snapshot = YamlSnapshots.of(MESH);
    Object shared = SidecarScope.of(snapshot, proxy("k", PLAIN), MeshConfig.DEFAULT).content();
    // no config names them; their own rules choose what every namespace sees
    assertThat(content(snapshot, "d", PLAIN)).isSameAs(shared);
    assertThat(content(snapshot, "e", PLAIN)).isSameAs(shared);
    assertThat(content(snapshot, "l", PLAIN)).isSameAs(shared);
    // own rule for another namespace's host (b), a selector rule selecting the proxy (e, app=x),
    // a wildcard-host rule (f), a service private to its namespace (c), a VirtualService exported
    // by name (a, g), a source namespace (h), a rule exported by name (j), the root namespace, a
    // Sidecar (l, app=z)
    for (String ns : List.of("a", "b", "c", "f", "g", "h", "j", "istio-system")) {
      assertThat(content(snapshot, ns, PLAIN)).as(ns).isNotSameAs(shared);
    }
    assertThat(content(snapshot, "e", Map.of("app", "x"))).isNotSameAs(shared);
    assertThat(content(snapshot, "l", Map.of("app", "z"))).isNotSameAs(shared);
    // what tells them apart is real
    assertThat(scope(snapshot, "b").destinationRules())
        .isNotEqualTo(scope(snapshot, "k").destinationRules());
    assertThat(scope(snapshot, "c").services()).containsKey("hidden.c.svc.cluster.local");
    assertThat(scope(snapshot, "k").services()).doesNotContainKey("hidden.c.svc.cluster.local");
    assertThat(scope(snapshot, "g").view().virtualServices())
        .hasSize(scope(snapshot, "k").view().virtualServices().size() + 1);
  }

  @Test
  void theSharedScopeKeepsItsNamespace() {
    MeshSnapshot snapshot = YamlSnapshots.of(MESH);
    assertThat(scope(snapshot, "d").namespace()).isEqualTo("d");
    assertThat(scope(snapshot, "k").namespace()).isEqualTo("k");
    assertThat(scope(snapshot, "k").rootNamespace()).isEqualTo("istio-system");
  }

  @Test
  void destinationsAreCollectedAsTheyAreListed() {
    StringBuilder routes = new StringBuilder();
    // 40 hosts, each written short and in full, on two ports, some twice: past the scanned few
    for (int i = 0; i < 40; i++) {
      String port = i % 3 == 0 ? ", port: {number: 9090}" : "";
      routes.append(
          """
            - route:
              - {destination: {host: svc-%1$d%2$s}, weight: 34}
              - destination: {host: svc-%1$d.a.svc.cluster.local, port: {number: 8080}}
                weight: 33
              - {destination: {host: svc-%3$d}, weight: 33}
          """
              .formatted(i, port, (i * 7) % 40));
    }
    routes.append(
        """
          - match: [{sourceNamespace: other}]
            route: [{destination: {host: only-from-other}}]
        """);
    MeshSnapshot snapshot =
        YamlSnapshots.of(
            service("svc-1", "a", "svc-1", 8080, "http")
                + """
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: many, namespace: a}
                spec:
                  hosts: [many]
                  http:
                """
                + routes);
    var vs = snapshot.virtualServices().get(0);
    for (String ns : List.of("", "a", "other")) {
      var expected = SidecarScope.destinations(vs, ns, snapshot);
      assertThat(expected.size()).isGreaterThanOrEqualTo(40);
      assertThat(new ArrayList<>(SidecarScope.collectedDestinations(vs, ns, snapshot).entrySet()))
          .as(ns)
          .isEqualTo(new ArrayList<>(expected.entrySet()));
    }
    assertThat(SidecarScope.destinations(vs, "other", snapshot))
        .containsKey("only-from-other.a.svc.cluster.local");
  }

  private static SidecarScope scope(MeshSnapshot snapshot, String ns) {
    return SidecarScope.of(snapshot, proxy(ns, PLAIN), MeshConfig.DEFAULT);
  }

  private static Object content(MeshSnapshot snapshot, String ns, Map<String, String> labels) {
    return SidecarScope.of(snapshot, proxy(ns, labels), MeshConfig.DEFAULT).content();
  }

  private static void assertSameScope(SidecarScope a, SidecarScope b, MeshSnapshot snapshot) {
    String ns = a.namespace();
    assertThat(a.namespace()).isEqualTo(b.namespace());
    assertThat(a.rootNamespace()).isEqualTo(b.rootNamespace());
    assertThat(a.sidecar()).as(ns).isEqualTo(b.sidecar());
    assertThat(a.outboundTrafficPolicy()).as(ns).isEqualTo(b.outboundTrafficPolicy());
    assertThat(a.services()).as(ns).isEqualTo(b.services());
    assertThat(a.destinationRules()).as(ns).isEqualTo(b.destinationRules());
    assertSameView(a.view(), b.view(), snapshot, ns);
    assertThat(a.egressListeners()).as(ns).hasSameSizeAs(b.egressListeners());
    for (int i = 0; i < a.egressListeners().size(); i++) {
      SidecarScope.EgressListener x = a.egressListeners().get(i);
      SidecarScope.EgressListener y = b.egressListeners().get(i);
      assertThat(x.config()).as(ns).isEqualTo(y.config());
      assertThat(x.services()).as(ns).isEqualTo(y.services());
      assertThat(x.virtualServices()).as(ns).isEqualTo(y.virtualServices());
      assertSameView(x.view(), y.view(), snapshot, ns);
    }
  }

  private static void assertSameView(MeshSnapshot a, MeshSnapshot b, MeshSnapshot full, String ns) {
    assertThat(a.services()).as(ns).isEqualTo(b.services());
    assertThat(a.virtualServices()).as(ns).isEqualTo(b.virtualServices());
    Set<String> hosts = new TreeSet<>(full.services().keySet());
    hosts.addAll(a.services().keySet());
    for (String h : hosts) {
      assertThat(a.service(h)).as(ns + " " + h).isEqualTo(b.service(h));
      assertThat(a.destinationRule(h, ns)).as(ns + " " + h).isEqualTo(b.destinationRule(h, ns));
    }
    for (Service s : full.services().values()) {
      assertThat(a.endpoints(s.hostname())).isEqualTo(b.endpoints(s.hostname()));
    }
  }
}
