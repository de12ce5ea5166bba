package io.jpilot.translate;

import static io.jpilot.translate.TestMesh.dest;
import static io.jpilot.translate.TestMesh.dr;
import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.header;
import static io.jpilot.translate.TestMesh.http;
import static io.jpilot.translate.TestMesh.route;
import static io.jpilot.translate.TestMesh.subset;
import static io.jpilot.translate.TestMesh.vs;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.StringMatch;
import java.util.List;
import java.util.Map;

/**
 * Bookinfo as a Java fixture for the translator unit tests: a mesh with hand-picked corner cases (a
 * not-ready pod, a second zone) and the productpage sidecar. The golden files use the YAML of
 * {@code examples/bookinfo} instead.
 */
final class BookinfoMesh {
  static final String REVIEWS = fqdn("reviews", "default");

  private BookinfoMesh() {}

  /**
   * Bookinfo in namespace default: details, ratings, reviews (v1, v2, v3) and productpage on port
   * 9080; the reviews VirtualService sends end-user jason to v3 and splits the rest 80/20 between
   * v1 and v2; the reviews DestinationRule defines subsets v1..v3 with RANDOM balancing. One v2 pod
   * is not ready and reviews-v2 runs in another zone.
   */
  static MeshSnapshot bookinfo() {
    return TestMesh.create()
        .service("details", "default", "10.96.0.10", http(9080))
        .service("ratings", "default", "10.96.0.11", http(9080))
        .service("reviews", "default", "10.96.0.12", http(9080))
        .service("productpage", "default", "10.96.0.13", http(9080))
        .workload(
            "details",
            "default",
            "details-v1-aaa",
            "10.244.0.11",
            Map.of("app", "details", "version", "v1"),
            "us-east1/us-east1-b/")
        .workload(
            "ratings",
            "default",
            "ratings-v1-bbb",
            "10.244.0.12",
            Map.of("app", "ratings", "version", "v1"),
            "us-east1/us-east1-b/")
        .workload(
            "reviews",
            "default",
            "reviews-v1-ccc",
            "10.244.0.13",
            Map.of("app", "reviews", "version", "v1"),
            "us-east1/us-east1-b/")
        .workload(
            "reviews",
            "default",
            "reviews-v2-ddd",
            "10.244.1.14",
            Map.of("app", "reviews", "version", "v2"),
            "us-east1/us-east1-c/")
        .workload(
            "reviews",
            "default",
            "reviews-v2-eee",
            "10.244.1.15",
            Map.of("app", "reviews", "version", "v2"),
            "us-east1/us-east1-c/",
            false)
        .workload(
            "reviews",
            "default",
            "reviews-v3-fff",
            "10.244.0.16",
            Map.of("app", "reviews", "version", "v3"),
            "us-east1/us-east1-b/")
        .workload(
            "productpage",
            "default",
            "productpage-v1-abc",
            "10.244.0.20",
            Map.of("app", "productpage", "version", "v1"),
            "us-east1/us-east1-b/")
        .add(
            vs(
                "default",
                "reviews",
                List.of("reviews"),
                route(
                    "",
                    List.of(header("end-user", StringMatch.exact("jason"))),
                    dest("reviews", "v3")),
                route("", List.of(), dest("reviews", "v1", 80), dest("reviews", "v2", 20))))
        .add(
            dr(
                "default",
                "reviews",
                "reviews",
                LoadBalancer.RANDOM,
                subset("v1", Map.of("version", "v1")),
                subset("v2", Map.of("version", "v2")),
                subset("v3", Map.of("version", "v3"))))
        .build();
  }

  static ProxyView productpage() {
    return ProxyView.parse(
        "sidecar~10.244.0.20~productpage-v1-abc.default~default.svc.cluster.local",
        Map.of(),
        Map.of("app", "productpage", "version", "v1"),
        null);
  }
}
