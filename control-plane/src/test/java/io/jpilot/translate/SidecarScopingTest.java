package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * Sidecar scoping: what a proxy imports decides its clusters, endpoints, listeners and routes
 * (istiod's SidecarScope), and the outbound traffic policy decides where unknown traffic goes.
 */
class SidecarScopingTest {
  private static final String SERVICES =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: a, namespace: ns1}
      spec:
        clusterIP: 10.0.1.1
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: db, namespace: ns1}
      spec:
        clusterIP: 10.0.1.3
        ports: [{name: tcp, port: 3306}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: b, namespace: ns2}
      spec:
        clusterIP: 10.0.2.1
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: hidden
        namespace: ns2
        annotations: {networking.istio.io/exportTo: "."}
      spec:
        clusterIP: 10.0.2.2
        ports: [{name: http, port: 8080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: c, namespace: ns3}
      spec:
        clusterIP: 10.0.3.1
        ports: [{name: http, port: 8080}, {name: http-admin, port: 9000}]
      """;

  private static final ProxyView NS1 = ParsedMesh.sidecar("10.1.0.1", "ns1", Map.of("app", "x"));
  private static final ProxyView NS1_OTHER =
      ParsedMesh.sidecar("10.1.0.2", "ns1", Map.of("app", "y"));
  private static final ProxyView NS2 = ParsedMesh.sidecar("10.1.0.3", "ns2", Map.of());
  private static final ProxyView NS3 = ParsedMesh.sidecar("10.1.0.4", "ns3", Map.of());

  private static String fqdn(String name, String ns) {
    return name + "." + ns + ".svc.cluster.local";
  }

  private static String cluster(String name, String ns, int port) {
    return "outbound|" + port + "||" + fqdn(name, ns);
  }

  private static Set<String> outboundClusters(MeshSnapshot s, ProxyView p) {
    Set<String> out = new java.util.TreeSet<>();
    for (String name : Generated.resources(s, p, XdsType.CLUSTER).keySet()) {
      if (name.startsWith("outbound|")) {
        out.add(name);
      }
    }
    return out;
  }

  private static List<String> vhosts(RouteConfiguration rc) {
    return rc.getVirtualHostsList().stream().map(VirtualHost::getName).toList();
  }

  @Test
  void withoutSidecarAProxyImportsEverythingExportedToItsNamespace() {
    MeshSnapshot s = ParsedMesh.parse(SERVICES);
    assertThat(outboundClusters(s, NS1))
        .containsExactlyInAnyOrder(
            cluster("a", "ns1", 8080),
            cluster("db", "ns1", 3306),
            cluster("b", "ns2", 8080),
            cluster("c", "ns3", 8080),
            cluster("c", "ns3", 9000));
    // exportTo "." keeps "hidden" inside ns2
    assertThat(outboundClusters(s, NS2)).contains(cluster("hidden", "ns2", 8080));
    assertThat(vhosts(Generated.routes(s, NS1, "8080")))
        .containsExactly(
            "a.ns1.svc.cluster.local:8080",
            "b.ns2.svc.cluster.local:8080",
            "c.ns3.svc.cluster.local:8080",
            "allow_any");
    // EDS for a service the proxy cannot see answers empty
    assertThat(Generated.endpoints(s, NS1, cluster("hidden", "ns2", 8080)).getEndpointsCount())
        .isZero();
  }

  @Test
  void egressHostsLimitClustersListenersAndRoutes() {
    MeshSnapshot s =
        ParsedMesh.parse(
            SERVICES,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: ns1}
            spec:
              egress:
              - hosts: ["./*"]
            """);
    assertThat(outboundClusters(s, NS1))
        .containsExactlyInAnyOrder(cluster("a", "ns1", 8080), cluster("db", "ns1", 3306));
    assertThat(Generated.resources(s, NS1, XdsType.LISTENER).keySet())
        .containsExactly("0.0.0.0_8080", "10.0.1.3_3306", "virtualInbound", "virtualOutbound");
    assertThat(vhosts(Generated.routes(s, NS1, "8080")))
        .containsExactly("a.ns1.svc.cluster.local:8080", "allow_any");
    // a wildcard RDS request answers what the listeners use
    assertThat(Generated.resources(s, NS1, XdsType.ROUTE).keySet()).containsExactly("8080");
    // other namespaces keep the default scope
    assertThat(outboundClusters(s, NS2))
        .contains(cluster("a", "ns1", 8080), cluster("b", "ns2", 8080));
  }

  @Test
  void hostFormsNamespaceWildcardExactAndExclusion() {
    MeshSnapshot s =
        ParsedMesh.parse(
            SERVICES,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: ns1}
            spec:
              egress:
              - hosts:
                - "*/*.ns2.svc.cluster.local"
                - "ns3/c.ns3.svc.cluster.local"
                - "~ns2/b.ns2.svc.cluster.local"
            """);
    // b is excluded; hidden is not exported to ns1; only c from ns3
    assertThat(outboundClusters(s, NS1))
        .containsExactlyInAnyOrder(cluster("c", "ns3", 8080), cluster("c", "ns3", 9000));

    MeshSnapshot none =
        ParsedMesh.parse(
            SERVICES,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: ns1}
            spec:
              egress:
              - hosts: ["~/*"]
            """);
    assertThat(outboundClusters(none, NS1)).isEmpty();
    assertThat(Generated.resources(none, NS1, XdsType.LISTENER).keySet())
        .containsExactly("virtualInbound", "virtualOutbound");
  }

  @Test
  void aSelectorSidecarWinsOverTheNamespaceDefaultWhichWinsOverTheRootOne() {
    String sidecars =
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: for-x, namespace: ns1}
        spec:
          workloadSelector: {labels: {app: x}}
          egress:
          - hosts: ["ns2/*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: ns1}
        spec:
          egress:
          - hosts: ["ns3/*"]
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: istio-system}
        spec:
          egress:
          - hosts: ["./*", "ns1/*"]
        """;
    MeshSnapshot s = ParsedMesh.parse(SERVICES, sidecars);
    assertThat(outboundClusters(s, NS1)).containsExactlyInAnyOrder(cluster("b", "ns2", 8080));
    assertThat(outboundClusters(s, NS1_OTHER))
        .containsExactlyInAnyOrder(cluster("c", "ns3", 8080), cluster("c", "ns3", 9000));
    // the root namespace's Sidecar applies to ns2, "." meaning ns2
    assertThat(outboundClusters(s, NS2))
        .containsExactlyInAnyOrder(
            cluster("a", "ns1", 8080),
            cluster("db", "ns1", 3306),
            cluster("b", "ns2", 8080),
            cluster("hidden", "ns2", 8080));
  }

  @Test
  void theRootNamespaceIsASetting() {
    String rootSidecar =
        """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: istio-config}
        spec:
          egress:
          - hosts: ["./*"]
        """;
    MeshSnapshot s = ParsedMesh.parse(SERVICES, rootSidecar);
    // with the default root (istio-system) the Sidecar in istio-config applies to nobody else
    assertThat(outboundClusters(s, NS3)).hasSize(5);
    Translator custom = new Translator(MeshConfig.DEFAULT.withRootNamespace("istio-config"));
    SortedMap<String, Message> clusters = custom.generate(s, NS3, XdsType.CLUSTER, Set.of());
    XdsYaml.assertValid(clusters);
    assertThat(clusters.keySet())
        .filteredOn(n -> n.startsWith("outbound|"))
        .containsExactly(cluster("c", "ns3", 8080), cluster("c", "ns3", 9000));
  }

  @Test
  void virtualServiceDestinationsAreImportedForClustersOnly() {
    MeshSnapshot s =
        ParsedMesh.parse(
            SERVICES,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: ns1}
            spec:
              egress:
              - hosts: ["./*"]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: a-to-c, namespace: ns1}
            spec:
              hosts: [a]
              http:
              - route:
                - destination: {host: c.ns3.svc.cluster.local, port: {number: 9000}}
            """);
    // c is imported for its destination port only; it gets no virtual host of its own
    assertThat(outboundClusters(s, NS1))
        .containsExactlyInAnyOrder(
            cluster("a", "ns1", 8080), cluster("db", "ns1", 3306), cluster("c", "ns3", 9000));
    RouteConfiguration rc = Generated.routes(s, NS1, "8080");
    assertThat(vhosts(rc)).containsExactly("a.ns1.svc.cluster.local:8080", "allow_any");
    assertThat(
            Generated.virtualHost(rc, "a.ns1.svc.cluster.local:8080")
                .getRoutes(0)
                .getRoute()
                .getCluster())
        .isEqualTo(cluster("c", "ns3", 9000));
  }

  @Test
  void virtualServicesFromNamespacesNotImportedDoNotApply() {
    String vsElsewhere =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: steal-a, namespace: ns3}
        spec:
          hosts: [a.ns1.svc.cluster.local]
          http:
          - route:
            - destination: {host: c.ns3.svc.cluster.local, port: {number: 8080}}
        """;
    MeshSnapshot imported = ParsedMesh.parse(SERVICES, vsElsewhere);
    assertThat(
            Generated.virtualHost(
                    Generated.routes(imported, NS1, "8080"), "a.ns1.svc.cluster.local:8080")
                .getRoutes(0)
                .getRoute()
                .getCluster())
        .isEqualTo(cluster("c", "ns3", 8080));

    MeshSnapshot scoped =
        ParsedMesh.parse(
            SERVICES,
            vsElsewhere,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: ns1}
            spec:
              egress:
              - hosts: ["./*"]
            """);
    assertThat(
            Generated.virtualHost(
                    Generated.routes(scoped, NS1, "8080"), "a.ns1.svc.cluster.local:8080")
                .getRoutes(0)
                .getRoute()
                .getCluster())
        .isEqualTo(cluster("a", "ns1", 8080));
  }

  @Test
  void portSpecificEgressListenersOwnTheirPort() {
    MeshSnapshot s =
        ParsedMesh.parse(
            SERVICES,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: ns1}
            spec:
              egress:
              - port: {number: 8080, protocol: HTTP, name: http}
                hosts: ["ns2/*"]
              - hosts: ["*/*"]
            """);
    // 8080 carries only what the first listener imports; the catch-all adds nothing to it
    assertThat(vhosts(Generated.routes(s, NS1, "8080")))
        .containsExactly("b.ns2.svc.cluster.local:8080", "allow_any");
    assertThat(vhosts(Generated.routes(s, NS1, "9000")))
        .containsExactly("c.ns3.svc.cluster.local:9000", "allow_any");
    // clusters are the union over listeners
    assertThat(outboundClusters(s, NS1))
        .contains(cluster("a", "ns1", 8080), cluster("b", "ns2", 8080));
  }

  @Test
  void registryOnlyBlocksUnknownDestinations() throws Exception {
    MeshSnapshot s =
        ParsedMesh.parse(
            SERVICES,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: ns1}
            spec:
              outboundTrafficPolicy: {mode: REGISTRY_ONLY}
            """);
    Listener outbound = Generated.listener(s, NS1, "virtualOutbound");
    TcpProxy catchAll =
        outbound.getFilterChainsList().stream()
            .filter(fc -> fc.getName().equals("virtualOutbound-catchall-tcp"))
            .findFirst()
            .orElseThrow()
            .getFilters(0)
            .getTypedConfig()
            .unpack(TcpProxy.class);
    assertThat(catchAll.getCluster()).isEqualTo("BlackHoleCluster");

    Listener http = Generated.listener(s, NS1, "0.0.0.0_8080");
    assertThat(http.getDefaultFilterChain().getName()).isEqualTo("PassthroughFilterChain");
    assertThat(
            http.getDefaultFilterChain()
                .getFilters(0)
                .getTypedConfig()
                .unpack(TcpProxy.class)
                .getCluster())
        .isEqualTo("BlackHoleCluster");

    RouteConfiguration rc = Generated.routes(s, NS1, "8080");
    VirtualHost last = rc.getVirtualHosts(rc.getVirtualHostsCount() - 1);
    assertThat(last.getName()).isEqualTo("block_all");
    assertThat(last.getDomainsList()).containsExactly("*");
    assertThat(last.getRoutes(0).getDirectResponse().getStatus()).isEqualTo(502);
    assertThat(vhosts(rc)).doesNotContain("allow_any");

    // the mesh default is ALLOW_ANY
    Listener open = Generated.listener(ParsedMesh.parse(SERVICES), NS1, "virtualOutbound");
    assertThat(
            open.getFilterChains(1)
                .getFilters(0)
                .getTypedConfig()
                .unpack(TcpProxy.class)
                .getCluster())
        .isEqualTo("PassthroughCluster");
  }

  @Test
  void allowAnyWithAnEgressProxySendsUnknownTrafficThere() throws Exception {
    MeshSnapshot s =
        ParsedMesh.parse(
            SERVICES,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: default, namespace: ns1}
            spec:
              outboundTrafficPolicy:
                mode: ALLOW_ANY
                egressProxy: {host: b.ns2.svc.cluster.local, port: {number: 8080}}
            """);
    RouteConfiguration rc = Generated.routes(s, NS1, "8080");
    VirtualHost last = rc.getVirtualHosts(rc.getVirtualHostsCount() - 1);
    assertThat(last.getName()).isEqualTo("allow_any");
    assertThat(last.getRoutes(0).getRoute().getCluster()).isEqualTo(cluster("b", "ns2", 8080));
    Listener outbound = Generated.listener(s, NS1, "virtualOutbound");
    assertThat(
            outbound
                .getFilterChains(1)
                .getFilters(0)
                .getTypedConfig()
                .unpack(TcpProxy.class)
                .getCluster())
        .isEqualTo(cluster("b", "ns2", 8080));
  }
}
