package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which VirtualService routes which host on a sidecar, transcribed from istiod's TestSidecarRoutes
 * (pilot/pkg/networking/core/sidecar_simulation_test.go, the VirtualService variant of the cases
 * without a Sidecar resource): exact hosts beat wildcards, the oldest VirtualService wins among
 * equals, hosts outside the registry appear on route "80" only, and a destination without a port
 * takes the listener port.
 */
class SidecarRoutePrecedenceTest {
  private static final String OLDER = "2019-01-01T00:00:00Z";
  private static final String BASE = "2020-01-01T00:00:00Z";
  private static final String NEWER = "2021-01-01T00:00:00Z";
  private static final String KNOWN = "known.default.svc.cluster.local";
  private static final String ALT_KNOWN = "alt-known.default.svc.cluster.local";

  /** One VirtualService of a case: {@code spec: {hosts, http: [{match: [{port}]?, route}]}}. */
  record Vs(
      String namespace, List<String> hosts, String dest, int destPort, int portMatch, String time) {
    static Vs of(String namespace, String host, String dest) {
      return new Vs(namespace, List.of(host), dest, 0, 0, BASE);
    }

    Vs at(String t) {
      return new Vs(namespace, hosts, dest, destPort, portMatch, t);
    }

    Vs destPort(int p) {
      return new Vs(namespace, hosts, dest, p, portMatch, time);
    }

    Vs portMatch(int p) {
      return new Vs(namespace, hosts, dest, destPort, p, time);
    }

    String yaml() {
      StringBuilder s = new StringBuilder("hosts: [");
      s.append(String.join(", ", hosts.stream().map(h -> "\"" + h + "\"").toList())).append("]\n");
      s.append("http:\n- route:\n  - destination:\n      host: ").append(dest).append('\n');
      if (destPort != 0) {
        s.append("      port: {number: ").append(destPort).append("}\n");
      }
      if (portMatch != 0) {
        s.append("  match:\n  - port: ").append(portMatch).append('\n');
      }
      return s.toString();
    }
  }

  /**
   * A case: configs, the proxy's namespace, the route name, and domain → clusters (null: absent).
   */
  record Case(
      String name,
      List<Vs> configs,
      String proxyNamespace,
      String routeName,
      Map<String, List<String>> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Map<String, List<String>> expect(Object... kv) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> v = (List<String>) kv[i + 1];
      m.put((String) kv[i], v);
    }
    return m;
  }

  private static List<String> clusters(String... c) {
    return Arrays.asList(c);
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case(
            "simple port 80",
            List.of(Vs.of("default", KNOWN, ALT_KNOWN)),
            "default",
            "80",
            expect(KNOWN, clusters("outbound|80||" + ALT_KNOWN))),
        new Case(
            "simple port 8080",
            List.of(Vs.of("default", KNOWN, ALT_KNOWN)),
            "default",
            "8080",
            expect(KNOWN, clusters("outbound|8080||" + ALT_KNOWN))),
        new Case(
            "unknown port 80",
            List.of(
                Vs.of("default", "foo.default.svc.cluster.local", "foo.default.svc.cluster.local")),
            "default",
            "80",
            expect(
                "foo.default.svc.cluster.local",
                clusters("outbound|80||foo.default.svc.cluster.local"))),
        new Case(
            "unknown port 8080",
            List.of(
                Vs.of("default", "foo.default.svc.cluster.local", "foo.default.svc.cluster.local")),
            "default",
            "8080",
            expect("foo.default.svc.cluster.local", null)),
        new Case(
            "unknown port 8080 match 8080",
            List.of(
                Vs.of("default", "foo.default.svc.cluster.local", "foo.default.svc.cluster.local")
                    .portMatch(8080)),
            "default",
            "8080",
            expect("foo.default.svc.cluster.local", null)),
        new Case(
            "unknown port 8080 dest 8080",
            List.of(
                Vs.of("default", "foo.default.svc.cluster.local", "foo.default.svc.cluster.local")
                    .destPort(8080)),
            "default",
            "8080",
            expect("foo.default.svc.cluster.local", null)),
        new Case(
            "producer rule port 80",
            List.of(Vs.of("default", KNOWN, ALT_KNOWN)),
            "not-default",
            "80",
            expect(KNOWN, clusters("outbound|80||" + ALT_KNOWN))),
        new Case(
            "producer rule port 8080",
            List.of(Vs.of("default", KNOWN, ALT_KNOWN)),
            "not-default",
            "8080",
            expect(KNOWN, clusters("outbound|8080||" + ALT_KNOWN))),
        new Case(
            "consumer rule port 80",
            List.of(Vs.of("not-default", KNOWN, ALT_KNOWN)),
            "not-default",
            "80",
            expect(KNOWN, clusters("outbound|80||" + ALT_KNOWN))),
        new Case(
            "consumer rule port 8080",
            List.of(Vs.of("not-default", KNOWN, ALT_KNOWN)),
            "not-default",
            "8080",
            expect(KNOWN, clusters("outbound|8080||" + ALT_KNOWN))),
        new Case(
            "arbitrary rule port 80",
            List.of(Vs.of("arbitrary", KNOWN, ALT_KNOWN)),
            "not-default",
            "80",
            expect(KNOWN, clusters("outbound|80||" + ALT_KNOWN))),
        new Case(
            "arbitrary rule port 8080",
            List.of(Vs.of("arbitrary", KNOWN, ALT_KNOWN)),
            "not-default",
            "8080",
            expect(KNOWN, clusters("outbound|8080||" + ALT_KNOWN))),
        new Case(
            "multiple rules 80",
            List.of(
                Vs.of("arbitrary", KNOWN, "arbitrary.example.com").at(OLDER),
                Vs.of("default", KNOWN, "default.example.com").at(BASE),
                Vs.of("not-default", KNOWN, "not-default.example.com").at(NEWER)),
            "not-default",
            "80",
            expect(KNOWN, clusters("outbound|80||arbitrary.example.com"))),
        new Case(
            "multiple rules 8080",
            List.of(
                Vs.of("arbitrary", KNOWN, "arbitrary.example.com").at(OLDER),
                Vs.of("default", KNOWN, "default.example.com").at(BASE),
                Vs.of("not-default", KNOWN, "not-default.example.com").at(NEWER)),
            "not-default",
            "8080",
            expect(KNOWN, clusters("outbound|8080||arbitrary.example.com"))),
        new Case(
            "wildcard random",
            List.of(Vs.of("default", "*.unknown.example.com", "arbitrary.example.com")),
            "default",
            "80",
            expect(
                ALT_KNOWN,
                clusters("outbound|80||" + ALT_KNOWN),
                KNOWN,
                clusters("outbound|80||" + KNOWN),
                "*.unknown.example.com",
                clusters("outbound|80||arbitrary.example.com"))),
        new Case(
            "wildcard first then explicit",
            List.of(
                Vs.of("default", "*.cluster.local", "wild.example.com").at(OLDER),
                Vs.of("default", KNOWN, "explicit.example.com").at(NEWER)),
            "default",
            "80",
            expect(
                ALT_KNOWN,
                clusters("outbound|80||wild.example.com"),
                KNOWN,
                clusters("outbound|80||explicit.example.com"),
                "*.cluster.local",
                null)),
        new Case(
            "explicit first then wildcard",
            List.of(
                Vs.of("default", "*.cluster.local", "wild.example.com").at(NEWER),
                Vs.of("default", KNOWN, "explicit.example.com").at(OLDER)),
            "default",
            "80",
            expect(
                ALT_KNOWN,
                clusters("outbound|80||wild.example.com"),
                KNOWN,
                clusters("outbound|80||explicit.example.com"),
                "*.cluster.local",
                null)),
        new Case(
            "wildcard and explicit cross namespace",
            List.of(
                Vs.of("not-default", "*.cluster.local", "wild.example.com").at(OLDER),
                Vs.of("default", KNOWN, "explicit.example.com").at(NEWER)),
            "default",
            "80",
            expect(
                ALT_KNOWN,
                clusters("outbound|80||wild.example.com"),
                KNOWN,
                clusters("outbound|80||explicit.example.com"),
                "*.cluster.local",
                null)),
        new Case(
            "wildcard and explicit unknown",
            List.of(
                Vs.of("default", "*.tld", "wild.example.com").at(OLDER),
                Vs.of("default", "example.tld", "explicit.example.com").at(NEWER)),
            "default",
            "80",
            expect(
                KNOWN,
                clusters("outbound|80||" + KNOWN),
                "*.tld",
                clusters("outbound|80||wild.example.com"),
                "*.example.tld",
                null)),
        new Case(
            "same namespace conflict",
            List.of(
                Vs.of("default", KNOWN, "old.example.com").at(OLDER),
                Vs.of("default", KNOWN, "new.example.com").at(NEWER)),
            "default",
            "80",
            expect(KNOWN, clusters("outbound|80||old.example.com"))),
        new Case(
            "cross namespace conflict",
            List.of(
                Vs.of("not-default", KNOWN, "producer.example.com").at(OLDER),
                Vs.of("default", KNOWN, "consumer.example.com").at(NEWER)),
            "default",
            "80",
            expect(KNOWN, clusters("outbound|80||producer.example.com"))));
  }

  private static MeshSnapshot snapshot(List<Vs> configs) {
    TestMesh m =
        TestMesh.create()
            .service(
                "known",
                "default",
                "2.0.0.0",
                TestMesh.port("http", 80, 80),
                TestMesh.port("http-alt", 8080, 8080))
            .service(
                "alt-known",
                "default",
                "2.0.0.1",
                TestMesh.port("http", 80, 80),
                TestMesh.port("http-alt", 8080, 8080))
            .service(
                "not-default",
                "not-default",
                "2.0.0.2",
                TestMesh.port("http", 80, 80),
                TestMesh.port("http-alt", 8080, 8080));
    for (int i = 0; i < configs.size(); i++) {
      Vs v = configs.get(i);
      m.add(IstioYaml.vs(v.namespace(), "vs-" + i, v.time(), v.yaml()));
    }
    return m.build();
  }

  /** xdstest.ExtractVirtualHosts: every domain of every vhost → its sorted route clusters. */
  private static Map<String, List<String>> domains(RouteConfiguration rc) {
    Map<String, List<String>> out = new TreeMap<>();
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      List<String> clusters = new ArrayList<>();
      for (Route r : vh.getRoutesList()) {
        if (r.hasRoute() && !r.getRoute().getCluster().isEmpty()) {
          clusters.add(r.getRoute().getCluster());
        }
      }
      clusters.sort(null);
      for (String d : vh.getDomainsList()) {
        out.put(d, clusters);
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void routesAsIstiod(Case c) {
    ProxyView proxy =
        TestMesh.sidecar("app-1", c.proxyNamespace(), "10.244.9.9", Map.of("app", "app"));
    RouteConfiguration rc = Generated.routes(snapshot(c.configs()), proxy, c.routeName());
    Map<String, List<String>> got = domains(rc);
    for (Map.Entry<String, List<String>> e : c.expected().entrySet()) {
      if (e.getValue() == null) {
        assertThat(got.get(e.getKey()))
            .as("domain %s in %s", e.getKey(), got)
            .satisfiesAnyOf(v -> assertThat(v).isNull(), v -> assertThat(v).isEmpty());
      } else {
        assertThat(got.get(e.getKey()))
            .as("domain %s in %s", e.getKey(), got)
            .isEqualTo(e.getValue());
      }
    }
  }
}
