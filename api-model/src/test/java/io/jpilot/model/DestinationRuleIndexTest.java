package io.jpilot.model;

import static io.jpilot.model.YamlSnapshots.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.Subset;
import io.jpilot.model.registry.Locality;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** istiod's DestinationRule visibility: proxy namespace, service namespace, root namespace. */
class DestinationRuleIndexTest {
  private static final String REVIEWS = "reviews.bookinfo.svc.cluster.local";

  private static String dr(String name, String ns, String created, String spec) {
    return """
           apiVersion: networking.istio.io/v1
           kind: DestinationRule
           metadata: {name: %s, namespace: %s, creationTimestamp: "%s"}
           spec: %s
           ---
           """
        .formatted(name, ns, created, spec);
  }

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

  private static Optional<String> ruleFor(MeshSnapshot s, String ns, Map<String, String> labels) {
    return s.destinationRule(REVIEWS, proxy(ns, labels)).map(d -> d.meta().key().toString());
  }

  @Test
  void visibilityFollowsIstiodsOrder() {
    MeshSnapshot s =
        YamlSnapshots.of(
            service("reviews", "bookinfo", "reviews", 9080, "http")
                + dr(
                    "private",
                    "bookinfo",
                    "2024-01-01T00:00:00Z",
                    "{host: reviews, exportTo: [\".\"]}")
                + dr(
                    "for-team",
                    "team",
                    "2024-01-01T00:00:00Z",
                    "{host: reviews.bookinfo.svc.cluster.local, exportTo: [\".\"]}")
                + dr(
                    "mesh-default",
                    "istio-system",
                    "2024-01-01T00:00:00Z",
                    "{host: \"*.svc.cluster.local\"}"));
    // 1. the proxy's own namespace, whatever exportTo says
    assertThat(ruleFor(s, "bookinfo", Map.of())).contains("DestinationRule bookinfo/private");
    assertThat(ruleFor(s, "team", Map.of())).contains("DestinationRule team/for-team");
    // 2. the service namespace's rule is private, so 3. the root namespace's exported rule
    assertThat(ruleFor(s, "other", Map.of())).contains("DestinationRule istio-system/mesh-default");
  }

  @Test
  void exportToNamesTheNamespacesThatSeeARule() {
    MeshSnapshot s =
        YamlSnapshots.of(
            service("reviews", "bookinfo", "reviews", 9080, "http")
                + dr(
                    "shared",
                    "bookinfo",
                    "2024-01-01T00:00:00Z",
                    "{host: reviews, exportTo: [frontend]}"));
    assertThat(ruleFor(s, "frontend", Map.of())).contains("DestinationRule bookinfo/shared");
    assertThat(ruleFor(s, "backend", Map.of())).isEmpty();
  }

  @Test
  void rulesForOneHostMergeOldestPolicyFirstAndAddSubsets() {
    MeshSnapshot s =
        YamlSnapshots.of(
            service("reviews", "bookinfo", "reviews", 9080, "http")
                + dr(
                    "b-newer",
                    "bookinfo",
                    "2024-03-01T00:00:00Z",
                    "{host: reviews, trafficPolicy: {loadBalancer: {simple: RANDOM}},"
                        + " subsets: [{name: v1, labels: {version: x}}, {name: v2, labels:"
                        + " {version: v2}}]}")
                + dr(
                    "a-older",
                    "bookinfo",
                    "2024-01-01T00:00:00Z",
                    "{host: reviews, subsets: [{name: v1, labels: {version: v1}}]}"));
    DestinationRule merged = s.destinationRule(REVIEWS, proxy("bookinfo", Map.of())).orElseThrow();
    assertThat(merged.meta().name()).isEqualTo("a-older");
    // the older rule had no policy: the newer one's fills it
    assertThat(merged.trafficPolicy().orElseThrow().loadBalancer()).isEqualTo(LoadBalancer.RANDOM);
    assertThat(merged.subsets())
        .extracting(Subset::name, sub -> sub.labels().get("version"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("v1", "v1"),
            org.assertj.core.groups.Tuple.tuple("v2", "v2"));
  }

  @Test
  void workloadSelectorRulesApplyToTheProxiesTheySelect() {
    MeshSnapshot s =
        YamlSnapshots.of(
            service("reviews", "bookinfo", "reviews", 9080, "http")
                + dr(
                    "everyone",
                    "bookinfo",
                    "2024-01-01T00:00:00Z",
                    "{host: reviews, trafficPolicy: {loadBalancer: {simple: RANDOM}}}")
                + dr(
                    "productpage-only",
                    "bookinfo",
                    "2024-02-01T00:00:00Z",
                    "{host: reviews, workloadSelector: {matchLabels: {app: productpage}},"
                        + " trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}}"));
    assertThat(ruleFor(s, "bookinfo", Map.of("app", "productpage")))
        .contains("DestinationRule bookinfo/productpage-only");
    assertThat(ruleFor(s, "bookinfo", Map.of("app", "ratings")))
        .contains("DestinationRule bookinfo/everyone");
  }

  @Test
  void theMostSpecificHostWins() {
    MeshSnapshot s =
        YamlSnapshots.of(
            service("reviews", "bookinfo", "reviews", 9080, "http")
                + dr("wide", "bookinfo", "2024-01-01T00:00:00Z", "{host: \"*.cluster.local\"}")
                + dr(
                    "narrow",
                    "bookinfo",
                    "2024-02-01T00:00:00Z",
                    "{host: \"*.bookinfo.svc.cluster.local\"}"));
    assertThat(ruleFor(s, "bookinfo", Map.of())).contains("DestinationRule bookinfo/narrow");
  }
}
