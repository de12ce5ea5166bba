package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gateway TCP and TLS passthrough servers routed by VirtualService tcp and tls routes. */
class GatewayL4RoutesTest {
  private static final ProxyView GATEWAY =
      ProxyView.parse(
          "router~10.244.0.5~istio-ingressgateway-abc.istio-system~istio-system.svc.cluster.local",
          Map.of("NAMESPACE", "istio-system"),
          Map.of("istio", "ingressgateway"),
          Locality.NONE);

  private static final String MESH =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: istio-ingressgateway, namespace: istio-system}
      spec:
        clusterIP: 10.96.0.100
        selector: {istio: ingressgateway}
        ports:
        - {name: tcp, port: 31400, targetPort: 31400}
        - {name: tls, port: 443, targetPort: 8443}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: mongo, namespace: db}
      spec:
        clusterIP: 10.96.1.1
        ports: [{name: mongo, port: 27017}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: mongo-v2, namespace: db}
      spec:
        clusterIP: 10.96.1.2
        ports: [{name: mongo, port: 27017}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: secure, namespace: web}
      spec:
        clusterIP: 10.96.2.1
        ports: [{name: https, port: 443}]
      ---
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: edge, namespace: istio-system}
      spec:
        selector: {istio: ingressgateway}
        servers:
        - port: {number: 31400, name: tcp, protocol: TCP}
          hosts: ["*"]
        - port: {number: 443, name: tls, protocol: TLS}
          hosts: ["*.example.com"]
          tls: {mode: PASSTHROUGH}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: mongo, namespace: db}
      spec:
        hosts: ["*"]
        gateways: [istio-system/edge]
        tcp:
        - match: [{port: 31400}]
          route:
          - destination: {host: mongo, port: {number: 27017}}
            weight: 90
          - destination: {host: mongo-v2, port: {number: 27017}}
            weight: 10
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: secure, namespace: web}
      spec:
        hosts: [app.example.com, api.example.com]
        gateways: [istio-system/edge]
        tls:
        - match: [{port: 443, sniHosts: [app.example.com]}]
          route:
          - destination: {host: secure}
        - match: [{sniHosts: [api.example.com], gateways: [other]}]
          route:
          - destination: {host: secure}
      """;

  @Test
  void anOpaqueTcpServerProxiesByTheVirtualServiceTcpRoute() throws Exception {
    MeshSnapshot s = ParsedMesh.parse(MESH);
    Listener l = Generated.listener(s, GATEWAY, "0.0.0.0_31400");
    TcpProxy tcp = l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(TcpProxy.class);
    assertThat(tcp.getStatPrefix()).isEqualTo("mongo.db");
    assertThat(tcp.getWeightedClusters().getClustersList())
        .extracting(c -> c.getName() + "=" + c.getWeight())
        .containsExactly(
            "outbound|27017||mongo.db.svc.cluster.local=90",
            "outbound|27017||mongo-v2.db.svc.cluster.local=10");
  }

  @Test
  void aPassthroughServerMatchesSniPerTlsRoute() throws Exception {
    MeshSnapshot s = ParsedMesh.parse(MESH);
    Listener l = Generated.listener(s, GATEWAY, "0.0.0.0_8443");
    // the second route names another gateway: only app.example.com gets a chain
    assertThat(l.getFilterChainsList())
        .extracting(fc -> String.join(",", fc.getFilterChainMatch().getServerNamesList()))
        .containsExactly("app.example.com");
    assertThat(
            l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(TcpProxy.class).getCluster())
        .isEqualTo("outbound|443||secure.web.svc.cluster.local");
    assertThat(l.getListenerFilters(0).getName()).isEqualTo("envoy.filters.listener.tls_inspector");
  }
}
