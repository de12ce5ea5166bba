package io.jpilot.translate;

import static io.jpilot.translate.IstioYaml.vs;
import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.http;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Delegate VirtualServices (istiod's MergedVirtualServices), and precedence among VirtualServices
 * that name one host when the first yields no route on a port.
 */
class DelegateVirtualServiceTest {
  private static final String REVIEWS = fqdn("reviews", "default");
  private static final ProxyView PRODUCTPAGE =
      TestMesh.sidecar("productpage-1", "default", "10.244.0.20", Map.of("app", "productpage"));

  private static final String ROOT =
      """
      hosts: [reviews]
      http:
      - name: api
        match:
        - uri: {prefix: /api}
          headers: {x-team: {exact: blue}}
        delegate: {name: reviews-api, namespace: team}
        timeout: 3s
        headers:
          request:
            set: {x-root: "1"}
      - name: rest
        route:
        - destination: {host: reviews, subset: v1}
      """;

  private static List<Route> reviewsRoutes(MeshObject... objects) {
    TestMesh m =
        TestMesh.create()
            .service("reviews", "default", "10.96.0.12", http(9080))
            .service("reviews", "team", "10.96.1.12", http(9080));
    for (MeshObject o : objects) {
      m.add(o);
    }
    MeshSnapshot s = m.build();
    return Generated.virtualHost(Generated.routes(s, PRODUCTPAGE, "9080"), REVIEWS + ":9080")
        .getRoutesList();
  }

  @Test
  void delegateRoutesAreMergedUnderTheRootMatch() {
    List<Route> routes =
        reviewsRoutes(
            vs("default", "reviews", ROOT),
            vs(
                "team",
                "reviews-api",
                """
                http:
                - name: v2
                  match:
                  - name: m
                    uri: {prefix: /api/v2}
                    headers: {x-canary: {exact: "yes"}}
                  route:
                  - destination: {host: reviews, subset: v2}
                  retries: {attempts: 1}
                - name: outside
                  match:
                  - uri: {prefix: /other}
                  route:
                  - destination: {host: reviews, subset: never}
                - route:
                  - destination: {host: reviews, subset: v1}
                  timeout: 1s
                """));
    assertThat(routes)
        .extracting(
            Route::getName,
            r -> r.getMatch().getPrefix(),
            r -> r.getRoute().getCluster(),
            r -> r.getRoute().getTimeout().getSeconds())
        .containsExactly(
            // short hosts resolve in the delegate's namespace; the root's timeout is inherited
            tuple("api-v2.m", "/api/v2", "outbound|9080|v2|" + fqdn("reviews", "team"), 3L),
            // no match of its own: the root's match; its own timeout wins
            tuple("api", "/api", "outbound|9080|v1|" + fqdn("reviews", "team"), 1L),
            tuple("rest", "/", "outbound|9080|v1|" + REVIEWS, 0L));
    Route v2 = routes.get(0);
    // headers of root and delegate matches are merged
    assertThat(v2.getMatch().getHeadersList())
        .extracting(h -> h.getName(), h -> h.getStringMatch().getExact())
        .containsExactly(tuple("x-canary", "yes"), tuple("x-team", "blue"));
    assertThat(v2.getRoute().getRetryPolicy().getNumRetries().getValue()).isEqualTo(1);
    // the root's header operations apply where the delegate has none
    assertThat(v2.getRequestHeadersToAdd(0).getHeader().getKey()).isEqualTo("x-root");
    // the merged route belongs to the root VirtualService
    assertThat(
            v2.getMetadata()
                .getFilterMetadataOrThrow("istio")
                .getFieldsOrThrow("config")
                .getStringValue())
        .isEqualTo("/apis/networking.istio.io/v1/namespaces/default/virtual-service/reviews");
  }

  @Test
  void aMissingOrHiddenDelegateDropsOnlyItsRoute() {
    assertThat(reviewsRoutes(vs("default", "reviews", ROOT)))
        .extracting(Route::getName)
        .containsExactly("rest");
    assertThat(
            reviewsRoutes(
                vs("default", "reviews", ROOT),
                vs(
                    "team",
                    "reviews-api",
                    """
                    exportTo: ["."]
                    http:
                    - route:
                      - destination: {host: reviews}
                    """)))
        .extracting(Route::getName)
        .containsExactly("rest");
    assertThat(
            reviewsRoutes(
                vs("default", "reviews", ROOT),
                vs(
                    "team",
                    "reviews-api",
                    """
                    exportTo: [default]
                    http:
                    - route:
                      - destination: {host: reviews}
                    """)))
        .extracting(Route::getName)
        .containsExactly("api", "rest");
  }

  @Test
  void aDelegateInTheRootsNamespaceNeedsNoNamespace() {
    List<Route> routes =
        reviewsRoutes(
            vs(
                "default",
                "reviews",
                """
                hosts: [reviews]
                http:
                - match: [{uri: {prefix: /api}}]
                  delegate: {name: api}
                """),
            vs(
                "default",
                "api",
                """
                http:
                - match: [{uri: {exact: /api/health}}]
                  directResponse: {status: 200}
                """));
    // the VirtualService's routes replace the default route, even when they match only part
    assertThat(routes).hasSize(1);
    assertThat(routes.get(0).getMatch().getPath()).isEqualTo("/api/health");
    assertThat(routes.get(0).getDirectResponse().getStatus()).isEqualTo(200);
  }

  @Test
  void theNextVirtualServiceForAHostWinsWhenTheOldestHasNoRouteOnThePort() {
    MeshObject older =
        vs(
            "default",
            "older",
            "2019-01-01T00:00:00Z",
            """
            hosts: [reviews]
            http:
            - match: [{port: 8080}]
              route:
              - destination: {host: reviews, subset: older}
            """);
    MeshObject newer =
        vs(
            "default",
            "newer",
            "2021-01-01T00:00:00Z",
            """
            hosts: [reviews]
            http:
            - route:
              - destination: {host: reviews, subset: newer}
            """);
    assertThat(reviewsRoutes(older, newer))
        .extracting(r -> r.getRoute().getCluster())
        .containsExactly("outbound|9080|newer|" + REVIEWS);
    // proxyless clients get the same answer
    MeshSnapshot s =
        TestMesh.create()
            .service("reviews", "default", "10.96.0.12", http(9080))
            .add(older)
            .add(newer)
            .build();
    Route grpc =
        Generated.routes(
                s, TestMesh.grpc("client", "default", "10.244.0.30"), "outbound|9080||" + REVIEWS)
            .getVirtualHosts(0)
            .getRoutes(0);
    assertThat(grpc.getRoute().getCluster()).isEqualTo("outbound|9080|newer|" + REVIEWS);
  }
}
