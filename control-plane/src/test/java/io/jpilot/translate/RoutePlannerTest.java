package io.jpilot.translate;

import static io.jpilot.translate.TestMesh.T0;
import static io.jpilot.translate.TestMesh.dest;
import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.http;
import static io.jpilot.translate.TestMesh.route;
import static io.jpilot.translate.TestMesh.vs;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.Service;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Virtual host planning: domain dedupe, service order, and what is kept per snapshot. */
class RoutePlannerTest {
  private static final ProxyView CLIENT =
      TestMesh.sidecar("client-0", "default", "10.244.0.9", Map.of("app", "client"));

  private static final String ECHO = fqdn("echo", "default");

  /** A registry service with any hostname (a ServiceEntry host, say) and one HTTP port 80. */
  private static Service plainService(String hostname, String vip) {
    return new Service(hostname, hostname, "default", vip, List.of(http(80)), Map.of(), Map.of());
  }

  private static VirtualHostPlan host(List<VirtualHostPlan> plans, String name) {
    return plans.stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no virtual host " + name + " in " + plans));
  }

  /**
   * The VirtualService puts echo's virtual host first, so only istiod's known-FQDN rule (not the
   * domains seen so far) keeps echo from claiming the short name that is another service's host.
   */
  private static MeshSnapshot echoAndItsShortNameAsAService() {
    return TestMesh.create()
        .service("echo", "default", "10.96.0.10", http(80))
        .add(plainService("echo.default", "10.96.0.11"))
        .add(vs("default", "echo", List.of("echo"), route(dest("echo", "v1"))))
        .build();
  }

  @Test
  void shortNameThatIsAnotherServicesHostStaysWithThatService() {
    List<VirtualHostPlan> plans =
        new RoutePlanner(echoAndItsShortNameAsAService(), CLIENT)
            .virtualHosts(80, VirtualHostDomains.SIDECAR);

    assertThat(host(plans, ECHO + ":80").domains())
        .containsExactly(ECHO, ECHO + ".", "echo", "echo.default.svc", "10.96.0.10");
    assertThat(host(plans, "echo.default:80").domains())
        .containsExactly("echo.default", "echo.default.", "10.96.0.11");
  }

  @Test
  void hostAndPortFormOfAnotherServicesHostIsKnownToo() {
    List<VirtualHostPlan> plans =
        new RoutePlanner(echoAndItsShortNameAsAService(), CLIENT)
            .virtualHosts(80, VirtualHostDomains.GRPC);

    assertThat(host(plans, ECHO + ":80").domains())
        .containsExactly(
            ECHO,
            ECHO + ":80",
            "echo",
            "echo:80",
            "echo.default.svc",
            "echo.default.svc:80",
            "10.96.0.10",
            "10.96.0.10:80");
    assertThat(host(plans, "echo.default:80").domains())
        .containsExactly("echo.default", "echo.default:80", "10.96.0.11", "10.96.0.11:80");
  }

  @Test
  void knownFqdnsRecogniseHostPortFormsOnTheListenerPortOnly() {
    RoutePlanner.KnownFqdns known =
        new RoutePlanner.KnownFqdns(
            List.of(plainService("a.example.com", "10.0.0.1"), plainService("2001:db8::1", "")),
            80);

    assertThat(known.contains("a.example.com")).isTrue();
    assertThat(known.contains("a.example.com:80")).isTrue();
    assertThat(known.contains("[2001:db8::1]:80")).isTrue();
    assertThat(known.contains("2001:db8::1")).isTrue();

    assertThat(known.contains("a.example.com:8080")).isFalse();
    assertThat(known.contains("a.example.com:")).isFalse();
    assertThat(known.contains("2001:db8::1:80")).isFalse();
    assertThat(known.contains("[a.example.com]:80")).isFalse();
    assertThat(known.contains("b.example.com:80")).isFalse();
    assertThat(known.contains(":80")).isFalse();
  }

  @Test
  void servicesAreTakenInLowerCaseNameOrderForSharedDomains() {
    // "B.example.com" sorts before "a.example.com" as written, after it in lower case; the
    // service first in lower-case order keeps the shared VIP, as istiod's sorted service list does
    MeshSnapshot s =
        TestMesh.create()
            .add(plainService("B.example.com", "10.0.0.1"))
            .add(plainService("a.example.com", "10.0.0.1"))
            .build();
    List<VirtualHostPlan> plans =
        new RoutePlanner(s, CLIENT).virtualHosts(80, VirtualHostDomains.SIDECAR);

    assertThat(plans)
        .extracting(VirtualHostPlan::name)
        .containsExactly("B.example.com:80", "a.example.com:80");
    assertThat(host(plans, "a.example.com:80").domains())
        .containsExactly("a.example.com", "a.example.com.", "10.0.0.1");
    assertThat(host(plans, "B.example.com:80").domains())
        .containsExactly("B.example.com", "B.example.com.");
  }

  @Test
  void visibleVirtualServicesFollowTheProxyNamespaceOnOneSnapshot() {
    VirtualService onlyInOther =
        new VirtualService(
            TestMesh.meta(VirtualService.KIND, "other", "to-v2", T0),
            List.of(ECHO),
            List.of(),
            List.of(route(dest(ECHO, "v2"))),
            List.of("."));
    MeshSnapshot s =
        TestMesh.create()
            .service("echo", "default", "10.96.0.10", http(80))
            .add(onlyInOther)
            .build();
    ProxyView inOther =
        TestMesh.sidecar("client-1", "other", "10.244.0.10", Map.of("app", "client"));

    // the same snapshot asked for two namespaces, each twice: the index is per namespace
    for (int i = 0; i < 2; i++) {
      assertThat(clusterOf(s, CLIENT)).isEqualTo("outbound|80||" + ECHO);
      assertThat(clusterOf(s, inOther)).isEqualTo("outbound|80|v2|" + ECHO);
    }
  }

  @Test
  void shortDestinationHostsResolveInTheVirtualServiceNamespaceEveryTime() {
    MeshSnapshot s =
        TestMesh.create()
            .service("echo", "default", "10.96.0.10", http(80))
            .service("echo", "staging", "10.96.1.10", http(80))
            .add(vs("staging", "canary", List.of("echo"), route(dest("echo", "canary"))))
            .build();
    RoutePlanner planner = new RoutePlanner(s, CLIENT);
    for (int i = 0; i < 2; i++) {
      RoutePlan plan =
          host(
                  planner.virtualHosts(80, VirtualHostDomains.SIDECAR),
                  fqdn("echo", "staging") + ":80")
              .routes()
              .get(0);
      assertThat(plan.targets().get(0).cluster())
          .isEqualTo("outbound|80|canary|" + fqdn("echo", "staging"));
      assertThat(plan.metadata()).isPresent();
      assertThat(
              plan.metadata()
                  .get()
                  .getFilterMetadataOrThrow("istio")
                  .getFieldsOrThrow("config")
                  .getStringValue())
          .isEqualTo("/apis/networking.istio.io/v1/namespaces/staging/virtual-service/canary");
    }
  }

  private static String clusterOf(MeshSnapshot s, ProxyView proxy) {
    List<VirtualHostPlan> plans =
        new RoutePlanner(s, proxy).virtualHosts(80, VirtualHostDomains.SIDECAR);
    return host(plans, ECHO + ":80").routes().get(0).targets().get(0).cluster();
  }
}
