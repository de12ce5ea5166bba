package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The inbound side of a sidecar: virtualInbound on 15006 with a chain per workload port of the
 * services selecting the proxy, inbound|port|| clusters, and Sidecar ingress listeners.
 */
class SidecarInboundTest {
  /** Workload "web" (10.1.0.7) behind two services; "worker" (10.1.0.8) behind none. */
  private static final String MESH =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        clusterIP: 10.0.0.10
        selector: {app: web}
        ports:
        - {name: http, port: 80, targetPort: 8080}
        - {name: grpc-api, port: 7070}
        - {name: tcp-metrics, port: 9100}
        - {name: misc, port: 5000}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web-alias, namespace: shop}
      spec:
        clusterIP: 10.0.0.11
        selector: {app: web}
        ports:
        - {name: http, port: 8000, targetPort: 8080}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: web-1, namespace: shop, labels: {app: web}}
      status: {podIP: 10.1.0.7}
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: web-abc
        namespace: shop
        labels: {kubernetes.io/service-name: web}
      ports:
      - {name: http, port: 8080}
      - {name: grpc-api, port: 7070}
      - {name: tcp-metrics, port: 9100}
      - {name: misc, port: 5000}
      endpoints:
      - addresses: [10.1.0.7]
        targetRef: {kind: Pod, name: web-1}
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: web-alias-abc
        namespace: shop
        labels: {kubernetes.io/service-name: web-alias}
      ports:
      - {name: http, port: 8080}
      endpoints:
      - addresses: [10.1.0.7]
        targetRef: {kind: Pod, name: web-1}
      """;

  private static final ProxyView WEB = ParsedMesh.sidecar("10.1.0.7", "shop", Map.of("app", "web"));
  private static final ProxyView WORKER =
      ParsedMesh.sidecar("10.1.0.8", "shop", Map.of("app", "worker"));

  private static FilterChain chain(Listener l, String name, boolean http) {
    return l.getFilterChainsList().stream()
        .filter(fc -> fc.getName().equals(name))
        .filter(
            fc ->
                fc.getFilters(0).getName().equals("envoy.filters.network.http_connection_manager")
                    == http)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no chain " + name + " (http=" + http + ")"));
  }

  private static HttpConnectionManager hcm(FilterChain fc) throws Exception {
    return fc.getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
  }

  @Test
  void virtualInboundHasTheBlackholeThePassthroughsThenAChainPerTargetPort() {
    Listener l = Generated.listener(ParsedMesh.parse(MESH), WEB, "virtualInbound");
    assertThat(l.getAddress().getSocketAddress().getAddress()).isEqualTo("0.0.0.0");
    assertThat(l.getAddress().getSocketAddress().getPortValue()).isEqualTo(15006);
    assertThat(l.getTrafficDirection().name()).isEqualTo("INBOUND");
    assertThat(l.getFilterChainsList())
        .extracting(FilterChain::getName)
        .containsExactly(
            "virtualInbound-blackhole",
            "virtualInbound-catchall-http",
            "virtualInbound",
            "0.0.0.0_5000",
            "0.0.0.0_5000",
            "0.0.0.0_7070",
            "0.0.0.0_8080",
            "0.0.0.0_9100");
    assertThat(
            chain(l, "virtualInbound-blackhole", false)
                .getFilterChainMatch()
                .getDestinationPort()
                .getValue())
        .isEqualTo(15006);
    assertThat(l.getListenerFiltersList())
        .extracting(ListenerFilter::getName)
        .containsExactly(
            "envoy.filters.listener.original_dst", "envoy.filters.listener.http_inspector");
    // ports declared HTTP or TCP need no sniffing
    assertThat(l.getListenerFilters(1).getFilterDisabled().getOrMatch().getRulesList())
        .extracting(r -> r.getDestinationPortRange().getStart())
        .containsExactly(7070, 8080, 9100, 15006);
  }

  @Test
  void httpPortsGetAConnectionManagerWithTheInlineInboundRoute() throws Exception {
    Listener l = Generated.listener(ParsedMesh.parse(MESH), WEB, "virtualInbound");
    FilterChain http = chain(l, "0.0.0.0_8080", true);
    assertThat(http.getFilterChainMatch().getDestinationPort().getValue()).isEqualTo(8080);
    assertThat(http.getFilterChainMatch().getTransportProtocol()).isEqualTo("raw_buffer");
    HttpConnectionManager hcm = hcm(http);
    assertThat(hcm.getStatPrefix()).isEqualTo("inbound_0.0.0.0_8080;");
    RouteConfiguration rc = hcm.getRouteConfig();
    assertThat(rc.getName()).isEqualTo("inbound|8080||");
    // the service port names the virtual host; of two services on the workload port the first
    // (by hostname; istiod takes the oldest) wins
    assertThat(rc.getVirtualHosts(0).getName()).isEqualTo("inbound|http|8000");
    assertThat(rc.getVirtualHosts(0).getDomainsList()).containsExactly("*");
    Route route = rc.getVirtualHosts(0).getRoutes(0);
    assertThat(route.getName()).isEqualTo("default");
    assertThat(route.getMatch().getPrefix()).isEqualTo("/");
    assertThat(route.getRoute().getCluster()).isEqualTo("inbound|8080||");
    assertThat(route.getRoute().getTimeout().getSeconds()).isZero();
    assertThat(route.getRoute().getRetryPolicy().getRetryOn()).isEqualTo("reset-before-request");
    assertThat(route.getDecorator().getOperation())
        .isEqualTo("web-alias.shop.svc.cluster.local:8000/*");
    assertThat(hcm.getHttpFilters(hcm.getHttpFiltersCount() - 1).getName())
        .isEqualTo("envoy.filters.http.router");

    // gRPC: h2 to the app, no inbound retries
    HttpConnectionManager grpc = hcm(chain(l, "0.0.0.0_7070", true));
    assertThat(grpc.hasHttp2ProtocolOptions()).isTrue();
    assertThat(grpc.getRouteConfig().getVirtualHosts(0).getRoutes(0).getRoute().hasRetryPolicy())
        .isFalse();
  }

  @Test
  void tcpPortsProxyToTheInboundClusterAndUnnamedPortsGetBoth() throws Exception {
    Listener l = Generated.listener(ParsedMesh.parse(MESH), WEB, "virtualInbound");
    TcpProxy tcp =
        chain(l, "0.0.0.0_9100", false).getFilters(0).getTypedConfig().unpack(TcpProxy.class);
    assertThat(tcp.getCluster()).isEqualTo("inbound|9100||");
    assertThat(tcp.getStatPrefix()).isEqualTo("inbound|9100||");
    // "misc" has no protocol: plaintext HTTP is detected, the rest is TCP
    FilterChain sniffedHttp = chain(l, "0.0.0.0_5000", true);
    assertThat(sniffedHttp.getFilterChainMatch().getApplicationProtocolsList())
        .containsExactly("http/1.0", "http/1.1", "h2c");
    FilterChain sniffedTcp = chain(l, "0.0.0.0_5000", false);
    assertThat(sniffedTcp.getFilterChainMatch().getApplicationProtocolsList()).isEmpty();
    // the passthrough chains send to InboundPassthroughCluster
    assertThat(
            chain(l, "virtualInbound", false)
                .getFilters(0)
                .getTypedConfig()
                .unpack(TcpProxy.class)
                .getCluster())
        .isEqualTo("InboundPassthroughCluster");
    assertThat(
            hcm(chain(l, "virtualInbound-catchall-http", true))
                .getRouteConfig()
                .getVirtualHosts(0)
                .getRoutes(0)
                .getRoute()
                .getCluster())
        .isEqualTo("InboundPassthroughCluster");
  }

  @Test
  void inboundClustersAreOriginalDestinationBoundTo127006() {
    MeshSnapshot s = ParsedMesh.parse(MESH);
    assertThat(Generated.resources(s, WEB, XdsType.CLUSTER).keySet())
        .filteredOn(n -> n.startsWith("inbound|") || n.startsWith("Inbound"))
        .containsExactly(
            "InboundPassthroughCluster",
            "inbound|5000||",
            "inbound|7070||",
            "inbound|8080||",
            "inbound|9100||");
    Cluster c = Generated.cluster(s, WEB, "inbound|8080||");
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.CLUSTER_PROVIDED);
    assertThat(c.getUpstreamBindConfig().getSourceAddress().getAddress()).isEqualTo("127.0.0.6");
    assertThat(c.getCleanupInterval().getSeconds()).isEqualTo(315576000000L);
    assertThat(c.getAltStatName()).isEqualTo("inbound|8080||;");
    // both services on the port are named in the metadata
    assertThat(
            c.getMetadata()
                .getFilterMetadataOrThrow("istio")
                .getFieldsOrThrow("services")
                .getListValue()
                .getValuesList())
        .extracting(v -> v.getStructValue().getFieldsOrThrow("host").getStringValue())
        .containsExactly("web-alias.shop.svc.cluster.local", "web.shop.svc.cluster.local");
    assertThat(Generated.cluster(s, WEB, "inbound|7070||").getTypedExtensionProtocolOptionsMap())
        .containsKey("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    Cluster passthrough = Generated.cluster(s, WEB, "InboundPassthroughCluster");
    assertThat(passthrough.getType()).isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(passthrough.getUpstreamBindConfig().getSourceAddress().getAddress())
        .isEqualTo("127.0.0.6");
  }

  @Test
  void aProxyNoServiceSelectsHasOnlyThePassthroughChains() {
    MeshSnapshot s = ParsedMesh.parse(MESH);
    Listener l = Generated.listener(s, WORKER, "virtualInbound");
    assertThat(l.getFilterChainsList())
        .extracting(FilterChain::getName)
        .containsExactly(
            "virtualInbound-blackhole", "virtualInbound-catchall-http", "virtualInbound");
    assertThat(Generated.resources(s, WORKER, XdsType.CLUSTER).keySet())
        .filteredOn(n -> n.startsWith("inbound|"))
        .isEmpty();
  }

  @Test
  void withoutEndpointsTheServicesSelectingTheProxyLabelsCount() {
    String noEndpoints =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: shop}
        spec:
          clusterIP: 10.0.0.20
          selector: {app: api}
          ports: [{name: http, port: 80, targetPort: 8081}]
        """;
    ProxyView api = ParsedMesh.sidecar("10.1.0.9", "shop", Map.of("app", "api", "v", "1"));
    Listener l = Generated.listener(ParsedMesh.parse(noEndpoints), api, "virtualInbound");
    assertThat(l.getFilterChainsList()).extracting(FilterChain::getName).contains("0.0.0.0_8081");
  }

  @Test
  void sidecarIngressListenersReplaceTheServicePorts() throws Exception {
    MeshSnapshot s =
        ParsedMesh.parse(
            MESH,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: web-ingress, namespace: shop}
            spec:
              workloadSelector: {labels: {app: web}}
              ingress:
              - port: {number: 9080, protocol: HTTP, name: http-admin}
                defaultEndpoint: 127.0.0.1:8080
              - port: {number: 9090, protocol: TCP, name: tcp-raw}
                defaultEndpoint: 0.0.0.0:9091
              - port: {number: 9443, protocol: TCP, name: tcp-bound}
                captureMode: NONE
                bind: 10.1.0.7
                defaultEndpoint: 127.0.0.1:9443
            """);
    Listener l = Generated.listener(s, WEB, "virtualInbound");
    assertThat(l.getFilterChainsList())
        .extracting(FilterChain::getName)
        .containsExactly(
            "virtualInbound-blackhole",
            "virtualInbound-catchall-http",
            "virtualInbound",
            "0.0.0.0_9080",
            "0.0.0.0_9090");
    FilterChain admin = chain(l, "0.0.0.0_9080", true);
    assertThat(
            hcm(admin)
                .getRouteConfig()
                .getVirtualHosts(0)
                .getRoutes(0)
                .getDecorator()
                .getOperation())
        .isEqualTo("web-ingress.shop:9080/*");
    assertThat(
            admin
                .getMetadata()
                .getFilterMetadataOrThrow("istio")
                .getFieldsOrThrow("config")
                .getStringValue())
        .isEqualTo("/apis/networking.istio.io/v1/namespaces/shop/sidecar/web-ingress");

    // captureMode NONE: a listener of its own, bound to the port
    Listener bound = Generated.listener(s, WEB, "10.1.0.7_9443");
    assertThat(bound.hasBindToPort()).isFalse(); // unset means bind
    assertThat(bound.getAddress().getSocketAddress().getPortValue()).isEqualTo(9443);
    assertThat(bound.getListenerFiltersList()).isEmpty();

    List<String> inbound =
        Generated.resources(s, WEB, XdsType.CLUSTER).keySet().stream()
            .filter(n -> n.startsWith("inbound|"))
            .toList();
    assertThat(inbound).containsExactly("inbound|9080||", "inbound|9090||", "inbound|9443||");
    Cluster local = Generated.cluster(s, WEB, "inbound|9080||");
    assertThat(local.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
    assertThat(
            local
                .getLoadAssignment()
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress())
        .satisfies(
            a -> {
              assertThat(a.getAddress()).isEqualTo("127.0.0.1");
              assertThat(a.getPortValue()).isEqualTo(8080);
            });
    assertThat(local.hasUpstreamBindConfig()).isFalse();
    // 0.0.0.0 means the pod's own address, reached with the passthrough source address
    Cluster podIp = Generated.cluster(s, WEB, "inbound|9090||");
    assertThat(
            podIp
                .getLoadAssignment()
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getAddress())
        .isEqualTo("10.1.0.7");
    assertThat(podIp.getUpstreamBindConfig().getSourceAddress().getAddress())
        .isEqualTo("127.0.0.6");
  }

  @Test
  void inboundClustersTakeTheConnectionPoolOfTheRuleOrTheSidecar() {
    String rule =
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: web, namespace: shop}
        spec:
          host: web
          trafficPolicy:
            connectionPool:
              tcp: {maxConnections: 7}
            outlierDetection: {consecutive5xxErrors: 3}
        """;
    MeshSnapshot withRule = ParsedMesh.parse(MESH, rule);
    Cluster c = Generated.cluster(withRule, WEB, "inbound|9100||");
    assertThat(c.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue()).isEqualTo(7);
    // only the connection pool applies inbound
    assertThat(c.hasOutlierDetection()).isFalse();
    assertThat(
            c.getMetadata()
                .getFilterMetadataOrThrow("istio")
                .getFieldsOrThrow("config")
                .getStringValue())
        .isEqualTo("/apis/networking.istio.io/v1/namespaces/shop/destination-rule/web");

    MeshSnapshot withSidecar =
        ParsedMesh.parse(
            MESH,
            rule,
            """
            apiVersion: networking.istio.io/v1
            kind: Sidecar
            metadata: {name: pools, namespace: shop}
            spec:
              inboundConnectionPool:
                tcp: {maxConnections: 3}
              ingress:
              - port: {number: 9100, protocol: TCP, name: tcp-metrics}
                connectionPool:
                  http: {http2MaxRequests: 11}
              - port: {number: 8080, protocol: HTTP, name: http}
            """);
    Cluster metrics = Generated.cluster(withSidecar, WEB, "inbound|9100||");
    // the listener's pool replaces the rule's whole pool
    assertThat(metrics.getCircuitBreakers().getThresholds(0).getMaxRequests().getValue())
        .isEqualTo(11);
    assertThat(
            Integer.toUnsignedLong(
                metrics.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue()))
        .isEqualTo(4294967295L);
    assertThat(
            Generated.cluster(withSidecar, WEB, "inbound|8080||")
                .getCircuitBreakers()
                .getThresholds(0)
                .getMaxConnections()
                .getValue())
        .isEqualTo(3);
  }
}
