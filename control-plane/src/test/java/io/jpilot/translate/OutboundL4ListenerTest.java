package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Outbound listeners for non-HTTP ports: VirtualService tcp[] routes (weighted tcp_proxy,
 * destination subnets), tls[] routes (SNI filter chains), auto-detected ports, headless services
 * and services sharing a port.
 */
class OutboundL4ListenerTest {
  private static final String SERVICES =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: mysql, namespace: db}
      spec:
        clusterIP: 10.0.5.1
        ports: [{name: tcp, port: 3306}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: mysql-v2, namespace: db}
      spec:
        clusterIP: 10.0.5.2
        ports: [{name: tcp, port: 3306}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: secure, namespace: web}
      spec:
        clusterIP: 10.0.6.1
        ports: [{name: https, port: 443}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: blue, namespace: web}
      spec:
        clusterIP: 10.0.6.2
        ports: [{name: https, port: 443}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: green, namespace: web}
      spec:
        clusterIP: 10.0.6.3
        ports: [{name: https, port: 443}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: legacy, namespace: web}
      spec:
        clusterIP: 10.0.6.4
        ports: [{name: custom, port: 7000}]
      """;

  private static final ProxyView CLIENT = ParsedMesh.sidecar("10.1.1.1", "app", Map.of("app", "c"));

  private static TcpProxy tcpProxy(FilterChain fc) throws Exception {
    return fc.getFilters(fc.getFiltersCount() - 1).getTypedConfig().unpack(TcpProxy.class);
  }

  @Test
  void aTcpPortWithoutRoutesProxiesToTheServiceOnItsVipListener() throws Exception {
    Listener l = Generated.listener(ParsedMesh.parse(SERVICES), CLIENT, "10.0.5.1_3306");
    assertThat(l.getFilterChainsCount()).isEqualTo(1);
    assertThat(l.getFilterChains(0).hasFilterChainMatch()).isFalse();
    assertThat(l.hasDefaultFilterChain()).isFalse();
    assertThat(tcpProxy(l.getFilterChains(0)).getCluster())
        .isEqualTo("outbound|3306||mysql.db.svc.cluster.local");
  }

  @Test
  void weightedTcpRoutesSplitTrafficByWeight() throws Exception {
    MeshSnapshot s =
        ParsedMesh.parse(
            SERVICES,
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: mysql-split, namespace: db}
            spec:
              hosts: [mysql]
              tcp:
              - route:
                - destination: {host: mysql}
                  weight: 80
                - destination: {host: mysql-v2}
                  weight: 20
                - destination: {host: mysql-v2, subset: never}
                  weight: 0
            """);
    Listener l = Generated.listener(s, CLIENT, "10.0.5.1_3306");
    TcpProxy tcp = tcpProxy(l.getFilterChains(0));
    assertThat(tcp.getStatPrefix()).isEqualTo("mysql-split.db");
    assertThat(tcp.getWeightedClusters().getClustersList())
        .extracting(c -> c.getName() + "=" + c.getWeight())
        .containsExactly(
            "outbound|3306||mysql.db.svc.cluster.local=80",
            "outbound|3306||mysql-v2.db.svc.cluster.local=20");
    assertThat(
            l.getFilterChains(0)
                .getMetadata()
                .getFilterMetadataOrThrow("istio")
                .getFieldsOrThrow("config")
                .getStringValue())
        .isEqualTo("/apis/networking.istio.io/v1/namespaces/db/virtual-service/mysql-split");
  }

  @Test
  void destinationSubnetMatchesBecomeCidrChainsBesideTheServiceChain() throws Exception {
    MeshSnapshot s =
        ParsedMesh.parse(
            SERVICES,
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: mysql-subnet, namespace: db}
            spec:
              hosts: [mysql.db.svc.cluster.local]
              tcp:
              - match:
                - destinationSubnets: [10.0.5.0/24]
                  port: 3306
                - sourceLabels: {app: someone-else}
                route:
                - destination: {host: mysql-v2.db.svc.cluster.local}
            """);
    Listener l = Generated.listener(s, CLIENT, "10.0.5.1_3306");
    FilterChain subnet = l.getFilterChains(0);
    assertThat(subnet.getFilterChainMatch().getPrefixRangesList())
        .extracting(r -> r.getAddressPrefix() + "/" + r.getPrefixLen().getValue())
        .containsExactly("10.0.5.0/24");
    assertThat(tcpProxy(subnet).getCluster())
        .isEqualTo("outbound|3306||mysql-v2.db.svc.cluster.local");
    // the service's own chain catches the rest
    assertThat(tcpProxy(l.getDefaultFilterChain()).getCluster())
        .isEqualTo("outbound|3306||mysql.db.svc.cluster.local");
  }

  @Test
  void tlsRoutesMatchOnSniWithTheTlsInspector() throws Exception {
    MeshSnapshot s =
        ParsedMesh.parse(
            SERVICES,
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: by-sni, namespace: web}
            spec:
              hosts: [secure.web.svc.cluster.local, "*.example.com"]
              tls:
              - match:
                - sniHosts: [blue.example.com]
                route:
                - destination: {host: blue.web.svc.cluster.local}
              - match:
                - sniHosts: [green.example.com, green2.example.com]
                  port: 443
                route:
                - destination: {host: green.web.svc.cluster.local, port: {number: 443}}
              - match:
                - sniHosts: [never.example.com]
                  gateways: [some-gateway]
                route:
                - destination: {host: green.web.svc.cluster.local}
            """);
    Listener l = Generated.listener(s, CLIENT, "10.0.6.1_443");
    assertThat(l.getListenerFiltersList())
        .extracting(ListenerFilter::getName)
        .containsExactly("envoy.filters.listener.tls_inspector");
    assertThat(l.getFilterChainsList())
        .extracting(fc -> String.join(",", fc.getFilterChainMatch().getServerNamesList()))
        .containsExactly("blue.example.com", "green.example.com,green2.example.com");
    assertThat(tcpProxy(l.getFilterChains(0)).getCluster())
        .isEqualTo("outbound|443||blue.web.svc.cluster.local");
    assertThat(tcpProxy(l.getFilterChains(1)).getCluster())
        .isEqualTo("outbound|443||green.web.svc.cluster.local");
    // unmatched TLS to the VIP goes where unknown traffic goes
    assertThat(l.getDefaultFilterChain().getName()).isEqualTo("PassthroughFilterChain");

    // a TLS port without routes: one chain, no SNI needed on its own VIP
    Listener plain = Generated.listener(s, CLIENT, "10.0.6.2_443");
    assertThat(plain.getFilterChainsCount()).isEqualTo(1);
    assertThat(plain.getListenerFiltersList()).isEmpty();
    assertThat(tcpProxy(plain.getFilterChains(0)).getCluster())
        .isEqualTo("outbound|443||blue.web.svc.cluster.local");
  }

  @Test
  void autoDetectedPortsSniffHttpOnTheServiceAddress() throws Exception {
    MeshSnapshot s = ParsedMesh.parse(SERVICES);
    Listener l = Generated.listener(s, CLIENT, "10.0.6.4_7000");
    assertThat(l.getListenerFiltersList())
        .extracting(ListenerFilter::getName)
        .containsExactly("envoy.filters.listener.http_inspector");
    FilterChain http =
        l.getFilterChainsList().stream()
            .filter(fc -> fc.getFilterChainMatch().getApplicationProtocolsCount() > 0)
            .findFirst()
            .orElseThrow();
    HttpConnectionManager hcm =
        http.getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo("legacy.web.svc.cluster.local:7000");
    assertThat(hcm.getStatPrefix()).isEqualTo("outbound_10.0.6.4_7000;");
    // the TCP chain matches everything else: it is the default chain
    assertThat(tcpProxy(l.getDefaultFilterChain()).getCluster())
        .isEqualTo("outbound|7000||legacy.web.svc.cluster.local");

    RouteConfiguration rc = Generated.routes(s, CLIENT, "legacy.web.svc.cluster.local:7000");
    assertThat(rc.getVirtualHostsCount()).isEqualTo(1);
    assertThat(rc.getVirtualHosts(0).getName()).isEqualTo("legacy.web.svc.cluster.local:7000");
    assertThat(rc.getVirtualHosts(0).getDomainsList()).containsExactly("*");
    assertThat(rc.getVirtualHosts(0).getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|7000||legacy.web.svc.cluster.local");
    assertThat(Generated.resources(s, CLIENT, XdsType.ROUTE).keySet())
        .contains("legacy.web.svc.cluster.local:7000");
  }

  @Test
  void headlessTcpServicesGetAListenerPerEndpoint() throws Exception {
    MeshSnapshot s =
        ParsedMesh.parse(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: cassandra, namespace: data}
            spec:
              clusterIP: None
              ports: [{name: tcp-cql, port: 9042}, {name: http-admin, port: 8080}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: cassandra-x
              namespace: data
              labels: {kubernetes.io/service-name: cassandra}
            ports:
            - {name: tcp-cql, port: 9042}
            - {name: http-admin, port: 8080}
            endpoints:
            - addresses: [10.2.0.1]
            - addresses: [10.2.0.2]
            - addresses: [10.1.1.1]
            """);
    assertThat(Generated.resources(s, CLIENT, XdsType.LISTENER).keySet())
        .containsExactly(
            "0.0.0.0_8080", "10.2.0.1_9042", "10.2.0.2_9042", "virtualInbound", "virtualOutbound");
    Listener pod = Generated.listener(s, CLIENT, "10.2.0.1_9042");
    assertThat(tcpProxy(pod.getFilterChains(0)).getCluster())
        .isEqualTo("outbound|9042||cassandra.data.svc.cluster.local");
  }

  @Test
  void httpAndTcpOnOneAddressAndPortMergeIntoASniffedListener() throws Exception {
    MeshSnapshot s =
        ParsedMesh.parse(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: a}
            spec:
              clusterIP: 10.0.7.1
              ports: [{name: http, port: 8080}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: raw, namespace: a}
            spec:
              clusterIP: 0.0.0.0/0
              ports: [{name: tcp, port: 8080}]
            """);
    // the CIDR service binds the wildcard too: one listener, sniffing HTTP from the rest
    Listener l = Generated.listener(s, CLIENT, "0.0.0.0_8080");
    FilterChain tcp =
        l.getFilterChainsList().stream()
            .filter(fc -> fc.getFilterChainMatch().getApplicationProtocolsCount() == 0)
            .findFirst()
            .orElseThrow();
    assertThat(tcpProxy(tcp).getCluster()).isEqualTo("outbound|8080||raw.a.svc.cluster.local");
    FilterChain http =
        l.getFilterChainsList().stream()
            .filter(fc -> fc.getFilterChainMatch().getApplicationProtocolsCount() > 0)
            .findFirst()
            .orElseThrow();
    assertThat(
            http.getFilters(0)
                .getTypedConfig()
                .unpack(HttpConnectionManager.class)
                .getRds()
                .getRouteConfigName())
        .isEqualTo("8080");
    assertThat(l.getFilterChainsCount()).isEqualTo(2);
    assertThat(l.getDefaultFilterChain().getName()).isEqualTo("PassthroughFilterChain");
  }

  @Test
  void externalTlsServicesWithoutAddressesShareOneListenerBySni() throws Exception {
    MeshSnapshot s =
        ParsedMesh.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: google, namespace: app}
            spec:
              hosts: [www.google.com]
              ports: [{number: 443, name: tls, protocol: TLS}]
              location: MESH_EXTERNAL
              resolution: DNS
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: github, namespace: app}
            spec:
              hosts: [api.github.com]
              ports: [{number: 443, name: https, protocol: HTTPS}]
              location: MESH_EXTERNAL
              resolution: DNS
            """);
    Listener l = Generated.listener(s, CLIENT, "0.0.0.0_443");
    assertThat(l.getListenerFiltersList())
        .extracting(ListenerFilter::getName)
        .containsExactly("envoy.filters.listener.tls_inspector");
    assertThat(l.getFilterChainsList())
        .extracting(
            fc ->
                String.join(",", fc.getFilterChainMatch().getServerNamesList())
                    + " -> "
                    + tcpProxy(fc).getCluster())
        .containsExactlyInAnyOrder(
            "api.github.com -> outbound|443||api.github.com",
            "www.google.com -> outbound|443||www.google.com");
    assertThat(l.getDefaultFilterChain().getName()).isEqualTo("PassthroughFilterChain");
  }

  @Test
  void passthroughServiceEntriesListenPerEndpointOrOnTheWildcard() throws Exception {
    MeshSnapshot s =
        ParsedMesh.parse(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: pinned, namespace: app}
            spec:
              hosts: [db.legacy.internal]
              ports: [{number: 5432, name: tcp, protocol: TCP}]
              resolution: NONE
              workloadSelector: {labels: {app: legacy-db}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: db-1, namespace: app}
            spec: {address: 10.9.0.1, labels: {app: legacy-db}}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: db-2, namespace: app}
            spec: {address: 10.9.0.2, labels: {app: legacy-db}}
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: anywhere, namespace: app}
            spec:
              hosts: [cache.legacy.internal]
              ports: [{number: 6379, name: tcp, protocol: TCP}]
              resolution: NONE
            """);
    assertThat(Generated.resources(s, CLIENT, XdsType.LISTENER).keySet())
        .containsExactly(
            "0.0.0.0_6379", "10.9.0.1_5432", "10.9.0.2_5432", "virtualInbound", "virtualOutbound");
    assertThat(
            tcpProxy(Generated.listener(s, CLIENT, "10.9.0.2_5432").getFilterChains(0))
                .getCluster())
        .isEqualTo("outbound|5432||db.legacy.internal");
  }
}
