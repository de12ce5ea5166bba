package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.jpilot.debug.SubscriptionWalker;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.registry.Service;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * A proxy the dependency check leaves out of a push is served exactly what it was served before.
 * Every edit below is applied to one mesh; for every proxy and every type the check leaves out,
 * the type is generated before and after and compared.
 */
class ProxyDependenciesTest {
  private final Translator translator = new Translator();
  private final ProxyDependencies dependencies = new ProxyDependencies(MeshConfig.DEFAULT);

  private static String service(String name, String ns, String ip, String podIp) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          clusterIP: %3$s
          selector: {app: %1$s}
          ports: [{name: http, port: 8080, targetPort: 8080}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: %1$s-1, namespace: %2$s, labels: {kubernetes.io/service-name: %1$s}}
        ports: [{name: http, port: 8080}]
        endpoints:
        - addresses: [%4$s]
        """
        .formatted(name, ns, ip, podIp);
  }

  private static String virtualService(String name, String ns, String host, int v1Weight) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: %s}
        spec:
          hosts: [%s]
          http:
          - route:
            - destination: {host: %s, subset: v1}
              weight: %d
            - destination: {host: %s, subset: v2}
              weight: %d
        """
        .formatted(name, ns, host, host, v1Weight, host, 100 - v1Weight);
  }

  private static String destinationRule(String name, String ns, String host, String exportTo,
      String lb) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %s, namespace: %s}
        spec:
          host: %s
          exportTo: [%s]
          trafficPolicy: {loadBalancer: {simple: %s}}
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """
        .formatted(name, ns, host, exportTo, lb);
  }

  private static String sidecar(String name, String ns, String selector, String hosts) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: %s, namespace: %s}
        spec:
          %s
          egress:
          - hosts: [%s]
        """
        .formatted(name, ns, selector, hosts);
  }

  private static final String GATEWAY =
      """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: a}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*"]
      """;

  /** The base mesh, one document per key. */
  private static Map<String, String> base() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("svc web.a", service("web", "a", "10.0.0.1", "10.1.0.1"));
    m.put("svc api.a", service("api", "a", "10.0.0.2", "10.1.0.2"));
    m.put("svc cart.b", service("cart", "b", "10.0.0.3", "10.1.0.3"));
    m.put("svc db.c", service("db", "c", "10.0.0.4", "10.1.0.4"));
    m.put("VirtualService a/web", virtualService("web", "a", "web", 90));
    m.put("VirtualService b/cart", virtualService("cart", "b", "cart", 90));
    m.put("DestinationRule a/api", destinationRule("api", "a", "api", "\"*\"", "ROUND_ROBIN"));
    m.put("DestinationRule b/cart", destinationRule("cart", "b", "cart", "\".\"", "ROUND_ROBIN"));
    m.put("Sidecar a/default", sidecar("default", "a", "", "\"./*\""));
    m.put(
        "Sidecar c/special",
        sidecar("special", "c", "workloadSelector: {labels: {app: special}}", "\"b/*\""));
    return m;
  }

  private record Edit(String name, ConfigKey key, String doc) {}

  private static List<Edit> edits() {
    String cartHost = "cart.b.svc.cluster.local";
    return List.of(
        new Edit("VirtualService a/web", key("VirtualService", "a", "web"),
            virtualService("web", "a", "web", 80)),
        new Edit("VirtualService b/cart", key("VirtualService", "b", "cart"),
            virtualService("cart", "b", "cart", 10)),
        new Edit("VirtualService a/web", key("VirtualService", "a", "web"), null),
        new Edit("VirtualService c/cart-from-c", key("VirtualService", "c", "cart-from-c"),
            virtualService("cart-from-c", "c", cartHost, 50)),
        new Edit("DestinationRule a/api", key("DestinationRule", "a", "api"),
            destinationRule("api", "a", "api", "\"*\"", "LEAST_REQUEST")),
        new Edit("DestinationRule b/cart", key("DestinationRule", "b", "cart"),
            destinationRule("cart", "b", "cart", "\"*\"", "ROUND_ROBIN")),
        new Edit("DestinationRule a/cart-in-a", key("DestinationRule", "a", "cart-in-a"),
            destinationRule("cart-in-a", "a", cartHost, "\".\"", "RANDOM")),
        new Edit("Sidecar a/default", key("Sidecar", "a", "default"), null),
        new Edit("Sidecar b/default", key("Sidecar", "b", "default"),
            sidecar("default", "b", "", "\"./*\"")),
        new Edit("Sidecar c/special", key("Sidecar", "c", "special"),
            sidecar("special", "c", "workloadSelector: {labels: {app: special}}", "\"a/*\"")),
        new Edit("Gateway a/gw", key("Gateway", "a", "gw"), GATEWAY));
  }

  private static ConfigKey key(String kind, String ns, String name) {
    return new ConfigKey(kind, ns, name);
  }

  private static List<ProxyView> proxies() {
    return List.of(
        ParsedMesh.sidecar("10.1.0.1", "a", Map.of("app", "web")),
        ParsedMesh.sidecar("10.2.0.1", "a", Map.of("app", "other")),
        ParsedMesh.sidecar("10.1.0.3", "b", Map.of("app", "cart")),
        ParsedMesh.sidecar("10.2.0.2", "b", Map.of("app", "client")),
        ParsedMesh.sidecar("10.2.0.3", "c", Map.of("app", "special")),
        ParsedMesh.sidecar("10.1.0.4", "c", Map.of("app", "db")),
        ParsedMesh.sidecar("10.2.0.4", "d", Map.of("app", "elsewhere")),
        ParsedMesh.sidecar("10.2.0.5", "e", Map.of("app", "elsewhere")));
  }

  private Map<XdsType, SortedMap<String, Message>> walk(MeshSnapshot s, ProxyView p) {
    return SubscriptionWalker.walk(translator, s, p, Set.of());
  }

  @Test
  void aProxyLeftOutIsServedExactlyWhatItWasServedBefore() {
    check(dependencies);
  }

  @Test
  void sharingTheTranslatorsScopesDecidesTheSame() {
    check(new ProxyDependencies(translator));
  }

  private void check(ProxyDependencies dependencies) {
    Map<String, String> before = base();
    MeshSnapshot prev = ParsedMesh.parse(before.values().toArray(String[]::new));
    int unaffected = 0;
    int affectedAndChanged = 0;
    int proxiesLeftOut = 0;
    int partial = 0;
    List<String> decisions = new ArrayList<>();
    for (Edit edit : edits()) {
      Map<String, String> after = new LinkedHashMap<>(before);
      if (edit.doc() == null) {
        assertThat(after.remove(edit.name())).as(edit.name()).isNotNull();
      } else {
        after.put(edit.name(), edit.doc());
      }
      MeshSnapshot next = ParsedMesh.parse(after.values().toArray(String[]::new));
      var affected = dependencies.affected(prev, next, Set.of(edit.key()));
      for (ProxyView p : proxies()) {
        Map<XdsType, SortedMap<String, Message>> was = walk(prev, p);
        Map<XdsType, SortedMap<String, Message>> is = walk(next, p);
        Set<XdsType> types = affected.apply(p);
        decisions.add(edit.key() + " " + p.namespace() + "/" + p.labels() + " -> " + types);
        for (XdsType type : XdsType.values()) {
          boolean changed = !was.get(type).equals(is.get(type));
          if (!types.contains(type)) {
            assertThat(changed)
                .as("%s: %s left out of the push for %s, but it changed", p.nodeId(), type, edit)
                .isFalse();
            unaffected++;
          } else if (changed) {
            affectedAndChanged++;
          }
        }
        if (types.isEmpty()) {
          proxiesLeftOut++;
        } else if (!types.containsAll(EnumSet.allOf(XdsType.class))) {
          partial++;
        }
      }
    }
    // The check must leave proxies out (else it proves nothing) and keep the changed ones in.
    assertThat(proxiesLeftOut).as("proxies left out: %s", decisions).isGreaterThan(20);
    assertThat(partial).as("proxies pushed listeners and routes only: %s", decisions).isPositive();
    assertThat(unaffected).isGreaterThan(100);
    assertThat(affectedAndChanged).isGreaterThan(10);
  }

  @Test
  void proxiesSharingTheirScopesAreDecidedAsEachOnItsOwn() {
    Map<String, String> before = base();
    MeshSnapshot prev = ParsedMesh.parse(before.values().toArray(String[]::new));
    ProxyView inD = ParsedMesh.sidecar("10.2.0.4", "d", Map.of("app", "elsewhere"));
    ProxyView inE = ParsedMesh.sidecar("10.2.0.5", "e", Map.of("app", "elsewhere"));
    assertThat(translator.scope(prev, inD).content())
        .as("namespaces nothing tells apart share their scope")
        .isSameAs(translator.scope(prev, inE).content());
    ProxyDependencies shared = new ProxyDependencies(translator);
    for (Edit edit : edits()) {
      Map<String, String> after = new LinkedHashMap<>(before);
      if (edit.doc() == null) {
        after.remove(edit.name());
      } else {
        after.put(edit.name(), edit.doc());
      }
      MeshSnapshot next = ParsedMesh.parse(after.values().toArray(String[]::new));
      Set<ConfigKey> changed = Set.of(edit.key());
      var affected = shared.affected(prev, next, changed);
      for (ProxyView p : proxies()) {
        assertThat(affected.apply(p))
            .as("%s for %s", edit, p.nodeId())
            .isEqualTo(dependencies.affects(prev, next, p, changed));
      }
    }
  }

  @Test
  void otherKindsAndOtherProxyFlavoursAreAlwaysAffected() {
    MeshSnapshot s = ParsedMesh.parse(base().values().toArray(String[]::new));
    ProxyView sidecar = ParsedMesh.sidecar("10.2.0.4", "d", Map.of("app", "elsewhere"));
    assertThat(
            dependencies
                .affected(s, s, Set.of(key(Service.KIND, "a", "web")))
                .apply(sidecar))
        .containsExactlyInAnyOrder(XdsType.values());
    assertThat(dependencies.affected(s, s, Set.of()).apply(sidecar))
        .containsExactlyInAnyOrder(XdsType.values());
    assertThat(
            dependencies
                .affected(s, s, Set.of(key("VirtualService", "a", "web")))
                .apply(sidecar))
        .as("an unchanged scope")
        .isEmpty();
    ProxyView router =
        ProxyView.parse(
            "router~10.3.0.1~gw-1.a~a.svc.cluster.local",
            Map.of(),
            Map.of("istio", "ingressgateway"),
            null);
    assertThat(
            dependencies
                .affected(s, s, Set.of(key("VirtualService", "a", "web")))
                .apply(router))
        .containsExactlyInAnyOrder(XdsType.values());
    ProxyView grpc =
        ProxyView.parse(
            "sidecar~10.3.0.2~g-1.d~d.svc.cluster.local",
            Map.of("GENERATOR", "grpc"),
            Map.of(),
            null);
    assertThat(
            dependencies
                .affected(s, s, Set.of(key("VirtualService", "a", "web")))
                .apply(grpc))
        .containsExactlyInAnyOrder(XdsType.values());
  }
}
