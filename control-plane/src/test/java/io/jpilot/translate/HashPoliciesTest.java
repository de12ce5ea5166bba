package io.jpilot.translate;

import static io.jpilot.translate.TestMesh.fqdn;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.Destination;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The route side of consistent hashing (istiod's route_test.go hash policy cases). */
class HashPoliciesTest {
  static final String REVIEWS = fqdn("reviews", "default");
  static final ProxyView PRODUCTPAGE =
      TestMesh.sidecar("productpage", "default", "10.244.0.20", Map.of("app", "productpage"));

  static TestMesh reviews() {
    return TestMesh.create()
        .service("reviews", "default", "10.96.0.12", TestMesh.http(9080), TestMesh.http(8080));
  }

  static final String RULE =
      """
      trafficPolicy:
        loadBalancer: {consistentHash: {httpHeaderName: x-top}}
        portLevelSettings:
        - port: {number: 8080}
          loadBalancer: {consistentHash: {httpHeaderName: x-top-port}}
      subsets:
      - name: v1
        labels: {version: v1}
        trafficPolicy:
          loadBalancer: {consistentHash: {httpCookie: {name: session, ttl: 10s, path: /}}}
          portLevelSettings:
          - port: {number: 8080}
            loadBalancer: {consistentHash: {useSourceIp: true}}
      - name: v2
        labels: {version: v2}
      """;

  static List<RouteAction.HashPolicy> hash(MeshSnapshot s, String host, String subset, int port) {
    return HashPolicies.forDestination(s, PRODUCTPAGE, new Destination(host, subset, port));
  }

  static RouteAction.HashPolicy header(String name) {
    return RouteAction.HashPolicy.newBuilder()
        .setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(name))
        .build();
  }

  @Test
  void subsetPortLevelThenSubsetThenPortLevelThenTopLevel() {
    MeshSnapshot s = YamlMesh.of(reviews(), YamlMesh.dr("default", "reviews", RULE));
    assertThat(hash(s, REVIEWS, "v1", 8080))
        .containsExactly(
            RouteAction.HashPolicy.newBuilder()
                .setConnectionProperties(
                    RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true))
                .build());
    RouteAction.HashPolicy.Cookie cookie = hash(s, REVIEWS, "v1", 9080).get(0).getCookie();
    assertThat(cookie.getName()).isEqualTo("session");
    assertThat(cookie.getPath()).isEqualTo("/");
    assertThat(cookie.getTtl().getSeconds()).isEqualTo(10);
    assertThat(hash(s, REVIEWS, "v1", 0).get(0).hasCookie()).isTrue();
    assertThat(hash(s, REVIEWS, "v2", 8080)).containsExactly(header("x-top-port"));
    assertThat(hash(s, REVIEWS, "", 8080)).containsExactly(header("x-top-port"));
    // port-level settings count only when the route names the port
    assertThat(hash(s, REVIEWS, "", 0)).containsExactly(header("x-top"));
    assertThat(hash(s, fqdn("nothing", "default"), "", 0)).isEmpty();
  }

  @Test
  void theDefaultRouteOfAServiceCarriesItsHash() {
    MeshSnapshot s = YamlMesh.of(reviews(), YamlMesh.dr("default", "reviews", RULE));
    RouteConfiguration rc9080 = Generated.routes(s, PRODUCTPAGE, "9080");
    RouteAction action = Generated.virtualHost(rc9080, REVIEWS + ":9080").getRoutes(0).getRoute();
    assertThat(action.getHashPolicyList()).containsExactly(header("x-top"));
    RouteConfiguration rc8080 = Generated.routes(s, PRODUCTPAGE, "8080");
    assertThat(
            Generated.virtualHost(rc8080, REVIEWS + ":8080")
                .getRoutes(0)
                .getRoute()
                .getHashPolicyList())
        .containsExactly(header("x-top-port"));
  }

  @Test
  void virtualServiceDestinationsEachContributeTheirHash() {
    String vs =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews, namespace: default}
        spec:
          hosts: [reviews]
          http:
          - route:
            - destination: {host: reviews, subset: v1}
              weight: 50
            - destination: {host: reviews, subset: v2}
              weight: 50
            - destination: {host: reviews, subset: v2}
              weight: 0
        ---
        """;
    MeshSnapshot s = YamlMesh.of(reviews(), vs + YamlMesh.dr("default", "reviews", RULE));
    RouteAction action =
        Generated.virtualHost(Generated.routes(s, PRODUCTPAGE, "9080"), REVIEWS + ":9080")
            .getRoutes(0)
            .getRoute();
    assertThat(action.getHashPolicyList()).hasSize(2);
    assertThat(action.getHashPolicy(0).hasCookie()).isTrue();
    assertThat(action.getHashPolicy(1)).isEqualTo(header("x-top"));
  }

  @Test
  void queryParameterAndNoHashWithoutConsistentHash() {
    MeshSnapshot s =
        YamlMesh.of(
            reviews(),
            YamlMesh.dr(
                "default",
                "reviews",
                "trafficPolicy: {loadBalancer: {consistentHash: {httpQueryParameterName: user}}}"));
    assertThat(hash(s, REVIEWS, "", 0).get(0).getQueryParameter().getName()).isEqualTo("user");
    MeshSnapshot simple =
        YamlMesh.of(
            reviews(),
            YamlMesh.dr("default", "reviews", "trafficPolicy: {loadBalancer: {simple: RANDOM}}"));
    assertThat(hash(simple, REVIEWS, "", 0)).isEmpty();
  }
}
