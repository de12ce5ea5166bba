package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpRetry;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.config.TcpRoute;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.registry.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A VirtualService change pushes a sidecar's listeners unless they certainly stay the same: over
 * every golden case with VirtualServices, each VirtualService is edited in turn (HTTP-only edits,
 * and edits that add {@code tcp[]} routes), and whenever the dependency check leaves LISTENER out
 * for a proxy, the proxy's listeners are generated before and after and must be equal. Changes to
 * {@code tcp[]} and {@code tls[]} routes that reach a listener keep LISTENER.
 */
class ListenerDependenciesTest {
  private final Translator translator = new Translator();
  private final ProxyDependencies dependencies = new ProxyDependencies(MeshConfig.DEFAULT);

  private record Mutation(String name, UnaryOperator<VirtualService> edit) {}

  private static final StringMatch MUTATION = StringMatch.exact("mutated");

  private static List<Mutation> httpMutations() {
    return List.of(
        new Mutation("weights", vs -> withHttp(vs, ListenerDependenciesTest::shiftWeights)),
        new Mutation("timeout", vs -> withHttp(vs, h -> h.toBuilder().timeout(
            Duration.ofSeconds(7)).build())),
        new Mutation("retries", vs -> withHttp(vs, h -> h.toBuilder().retries(
            HttpRetry.of(5, "5xx,reset")).build())),
        new Mutation("header match", vs -> withHttp(vs, h -> {
          List<HttpMatch> match = new ArrayList<>(h.match());
          match.add(HttpMatch.builder().header("x-mutation", MUTATION).build());
          return h.toBuilder().match(match).build();
        })),
        new Mutation("added http route", ListenerDependenciesTest::addHttpRoute));
  }

  private static List<Mutation> l4Mutations() {
    return List.of(new Mutation("added tcp route", vs -> {
      List<RouteDestination> to = firstDestinations(vs);
      if (to.isEmpty()) {
        return vs;
      }
      List<TcpRoute> tcp = new ArrayList<>(vs.tcp());
      tcp.add(new TcpRoute(List.of(), List.of(to.get(0))));
      return vs.withL4Routes(tcp, vs.tls());
    }));
  }

  private static VirtualService withHttp(VirtualService vs, UnaryOperator<HttpRoute> edit) {
    List<HttpRoute> http = new ArrayList<>();
    for (HttpRoute h : vs.http()) {
      http.add(edit.apply(h));
    }
    return new VirtualService(vs.meta(), vs.hosts(), vs.gateways(), http, vs.exportTo(), vs.tcp(),
        vs.tls());
  }

  /** Moves weight between the first two destinations, or gives a lone one an explicit weight. */
  private static HttpRoute shiftWeights(HttpRoute h) {
    List<RouteDestination> route = new ArrayList<>(h.route());
    if (route.size() >= 2) {
      RouteDestination a = route.get(0);
      RouteDestination b = route.get(1);
      int moved = a.weight() > 0 ? Math.min(a.weight(), 10) : -Math.min(b.weight(), 10);
      route.set(0, new RouteDestination(a.destination(), a.weight() - moved, a.headers()));
      route.set(1, new RouteDestination(b.destination(), b.weight() + moved, b.headers()));
    } else if (route.size() == 1) {
      RouteDestination a = route.get(0);
      route.set(0, new RouteDestination(a.destination(), a.weight() == 100 ? 0 : 100,
          a.headers()));
    }
    return h.toBuilder().route(route).build();
  }

  private static VirtualService addHttpRoute(VirtualService vs) {
    List<RouteDestination> to = firstDestinations(vs);
    if (to.isEmpty()) {
      return vs;
    }
    List<HttpRoute> http = new ArrayList<>();
    http.add(HttpRoute.builder()
        .addMatch(HttpMatch.builder().header("x-mutation", MUTATION).build())
        .route(to)
        .timeout(Duration.ofSeconds(3))
        .build());
    http.addAll(vs.http());
    return new VirtualService(vs.meta(), vs.hosts(), vs.gateways(), http, vs.exportTo(), vs.tcp(),
        vs.tls());
  }

  private static List<RouteDestination> firstDestinations(VirtualService vs) {
    for (HttpRoute h : vs.http()) {
      if (!h.route().isEmpty()) {
        return h.route();
      }
    }
    return List.of();
  }

  private record Case(String name, List<MeshObject> objects, List<ProxyView> proxies) {}

  /** Golden cases with VirtualServices; proxies: the case's own and a sidecar per namespace. */
  private static List<Case> goldenCases() throws IOException {
    List<Case> out = new ArrayList<>();
    for (String name : GoldenTest.cases()) {
      Path dir = GoldenTest.goldenRoot().resolve(name);
      List<MeshObject> objects = readObjects(dir.resolve("input"));
      if (objects.stream().noneMatch(o -> o instanceof VirtualService)) {
        continue;
      }
      List<ProxyView> proxies = new ArrayList<>();
      proxies.add(GoldenTest.readProxy(dir.resolve("proxy.yaml")).view());
      Set<String> namespaces = new TreeSet<>();
      for (MeshObject o : objects) {
        if (o instanceof Service s) {
          namespaces.add(s.namespace());
        }
      }
      int i = 0;
      for (String ns : namespaces) {
        proxies.add(ParsedMesh.sidecar("10.250.0." + (++i), ns, Map.of("app", "probe")));
      }
      out.add(new Case(name, objects, proxies));
    }
    return out;
  }

  private static List<MeshObject> readObjects(Path input) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(input)) {
      files = s.filter(p -> p.toString().endsWith(".yaml"))
          .sorted(Comparator.comparing(Path::toString))
          .collect(Collectors.toList());
    }
    List<MeshObject> out = new ArrayList<>();
    for (Path f : files) {
      out.addAll(ConfigFileParser.parse(f, f.getFileName().toString(),
          MeshSnapshot.DEFAULT_DOMAIN_SUFFIX).objects());
    }
    return out;
  }

  private SortedMap<String, Message> listeners(MeshSnapshot s, ProxyView p) {
    return translator.generate(s, p, XdsType.LISTENER, Set.of());
  }

  private SortedMap<String, Message> routes(MeshSnapshot s, ProxyView p) {
    return translator.generate(s, p, XdsType.ROUTE, Set.of());
  }

  @Test
  void listenersLeftOutOfAPushAreTheListenersBeforeTheChange() throws IOException {
    List<Case> cases = goldenCases();
    assertThat(cases).as("golden cases with VirtualServices").hasSizeGreaterThanOrEqualTo(4);
    int routesOnly = 0;
    int routesOnlyAndRoutesChanged = 0;
    int listenersKept = 0;
    List<Mutation> all = new ArrayList<>(httpMutations());
    all.addAll(l4Mutations());
    for (Case c : cases) {
      MeshSnapshot before = MeshSnapshot.build(1, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX, c.objects());
      for (int i = 0; i < c.objects().size(); i++) {
        if (!(c.objects().get(i) instanceof VirtualService vs)) {
          continue;
        }
        for (Mutation m : all) {
          VirtualService edited = m.edit().apply(vs);
          if (edited.equals(vs)) {
            continue;
          }
          List<MeshObject> objects = new ArrayList<>(c.objects());
          objects.set(i, edited);
          MeshSnapshot after = MeshSnapshot.build(2, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX, objects);
          Set<ConfigKey> changed = Set.of(vs.meta().key());
          for (ProxyView p : c.proxies()) {
            Set<XdsType> types = dependencies.affects(before, after, p, changed);
            String what = c.name() + " " + vs.meta().key() + " " + m.name() + " " + p.nodeId();
            if (types.contains(XdsType.LISTENER)) {
              listenersKept++;
              continue;
            }
            assertThat(listeners(after, p))
                .as("%s: LISTENER left out, but the listeners changed", what)
                .isEqualTo(listeners(before, p));
            if (types.equals(Set.of(XdsType.ROUTE))) {
              routesOnly++;
              if (!routes(after, p).equals(routes(before, p))) {
                routesOnlyAndRoutesChanged++;
              }
            }
          }
        }
      }
    }
    // Not vacuous: HTTP edits push routes alone, and those routes did change.
    assertThat(routesOnly).isGreaterThan(50);
    assertThat(routesOnlyAndRoutesChanged).isGreaterThan(30);
    assertThat(listenersKept).isPositive();
  }

  private static String tcpMesh(int v1Weight, String sni) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: db, namespace: data}
        spec:
          clusterIP: 10.0.0.10
          selector: {app: db}
          ports: [{name: tcp, port: 5432, targetPort: 5432}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: secure, namespace: data}
        spec:
          clusterIP: 10.0.0.11
          selector: {app: secure}
          ports: [{name: tls, port: 443, targetPort: 443}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: data}
        spec:
          clusterIP: 10.0.0.12
          selector: {app: web}
          ports: [{name: http, port: 8080, targetPort: 8080}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: db, namespace: data}
        spec:
          host: db
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: db, namespace: data}
        spec:
          hosts: [db]
          tcp:
          - route:
            - {destination: {host: db, subset: v1}, weight: %1$d}
            - {destination: {host: db, subset: v2}, weight: %2$d}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: secure, namespace: data}
        spec:
          hosts: [secure.data.svc.cluster.local, secure.example.com]
          tls:
          - match: [{port: 443, sniHosts: [%3$s]}]
            route:
            - destination: {host: secure}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: data}
        spec:
          hosts: [web]
          http:
          - route:
            - {destination: {host: web}, weight: 100}
            timeout: %4$ds
        """
        .formatted(v1Weight, 100 - v1Weight, sni, v1Weight / 10);
  }

  @Test
  void tcpAndTlsRouteChangesKeepListeners() {
    MeshSnapshot before = ParsedMesh.parse(tcpMesh(80, "secure.data.svc.cluster.local"));
    MeshSnapshot tcpChanged = ParsedMesh.parse(tcpMesh(70, "secure.data.svc.cluster.local"));
    MeshSnapshot tlsChanged = ParsedMesh.parse(tcpMesh(80, "secure.example.com"));
    ProxyView client = ParsedMesh.sidecar("10.1.0.1", "apps", Map.of("app", "client"));

    Set<XdsType> tcp = dependencies.affects(before, tcpChanged, client,
        Set.of(new ConfigKey(VirtualService.KIND, "data", "db")));
    assertThat(tcp).containsExactlyInAnyOrder(XdsType.LISTENER, XdsType.ROUTE);
    assertThat(listeners(tcpChanged, client)).isNotEqualTo(listeners(before, client));

    Set<XdsType> tls = dependencies.affects(before, tlsChanged, client,
        Set.of(new ConfigKey(VirtualService.KIND, "data", "secure")));
    assertThat(tls).containsExactlyInAnyOrder(XdsType.LISTENER, XdsType.ROUTE);
    assertThat(listeners(tlsChanged, client)).isNotEqualTo(listeners(before, client));
  }

  @Test
  void anHttpRouteChangeBesideTcpRoutesPushesRoutesOnly() {
    String mesh = tcpMesh(80, "secure.data.svc.cluster.local");
    MeshSnapshot before = ParsedMesh.parse(mesh);
    MeshSnapshot after = ParsedMesh.parse(mesh.replace("timeout: 8s", "timeout: 9s"));
    ProxyView client = ParsedMesh.sidecar("10.1.0.1", "apps", Map.of("app", "client"));

    assertThat(dependencies.affects(before, after, client,
            Set.of(new ConfigKey(VirtualService.KIND, "data", "web"))))
        .containsExactly(XdsType.ROUTE);
    assertThat(listeners(after, client)).isEqualTo(listeners(before, client));
    assertThat(routes(after, client)).isNotEqualTo(routes(before, client));
  }
}
