package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** ServiceEntries as clusters: the cluster type per resolution, DNS settings, inline endpoints. */
class ServiceEntryClusterTest {
  static final ProxyView CLIENT =
      TestMesh.sidecar("client", "default", "10.244.0.30", Map.of("app", "client"));

  static String se(String name, String spec) {
    return """
           apiVersion: networking.istio.io/v1
           kind: ServiceEntry
           metadata: {name: %s, namespace: default}
           spec:
           %s
           ---
           """
        .formatted(name, spec.indent(2).stripTrailing());
  }

  static List<String> addresses(ClusterLoadAssignment cla) {
    return cla.getEndpointsList().stream()
        .flatMap(l -> l.getLbEndpointsList().stream())
        .map(e -> e.getEndpoint().getAddress().getSocketAddress().getAddress())
        .toList();
  }

  @Test
  void dnsResolutionIsStrictDnsWithInlineEndpoints() throws Exception {
    MeshSnapshot s =
        YamlMesh.of(
            se(
                "api",
                """
                hosts: [api.example.com]
                ports: [{number: 443, name: https, protocol: TLS}]
                resolution: DNS
                """));
    Cluster c = Generated.cluster(s, CLIENT, "outbound|443||api.example.com");
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(c.getDnsLookupFamily()).isEqualTo(Cluster.DnsLookupFamily.V4_ONLY);
    assertThat(c.getRespectDnsTtl()).isTrue();
    assertThat(c.getDnsRefreshRate().getSeconds()).isEqualTo(60);
    assertThat(c.getDnsJitter().getNanos()).isEqualTo(100_000_000);
    assertThat(c.getTypedDnsResolverConfig().getName())
        .isEqualTo("envoy.network.dns_resolver.cares");
    assertThat(
            c.getTypedDnsResolverConfig()
                .getTypedConfig()
                .unpack(CaresDnsResolverConfig.class)
                .getUdpMaxQueries()
                .getValue())
        .isEqualTo(100);
    assertThat(c.hasEdsClusterConfig()).isFalse();
    assertThat(c.getLoadAssignment().getClusterName()).isEqualTo(c.getName());
    assertThat(addresses(c.getLoadAssignment())).containsExactly("api.example.com");
    assertThat(
            c.getLoadAssignment()
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getPortValue())
        .isEqualTo(443);
    // MESH_EXTERNAL: no auto mTLS, and the default cluster says so
    assertThat(c.getTransportSocketMatchesCount()).isZero();
    assertThat(c.hasTransportSocket()).isFalse();
    assertThat(
            c.getMetadata()
                .getFilterMetadataOrThrow("istio")
                .getFieldsOrThrow("external")
                .getBoolValue())
        .isTrue();
    // not an EDS cluster: EDS offers nothing for it
    assertThat(Generated.resources(s, CLIENT, XdsType.ENDPOINT)).doesNotContainKey(c.getName());
  }

  @Test
  void dnsRoundRobinIsLogicalDnsAndIpv6ProxiesResolveV6() {
    String entry =
        se(
            "rr",
            """
            hosts: [rr.example.com]
            ports: [{number: 80, name: http, protocol: HTTP}]
            resolution: DNS_ROUND_ROBIN
            endpoints: [{address: lb.example.com}]
            """);
    Cluster c = Generated.cluster(YamlMesh.of(entry), CLIENT, "outbound|80||rr.example.com");
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.LOGICAL_DNS);
    assertThat(addresses(c.getLoadAssignment())).containsExactly("lb.example.com");
    ProxyView v6 = TestMesh.sidecar("client", "default", "fd00::10", Map.of());
    assertThat(
            Generated.cluster(YamlMesh.of(entry), v6, "outbound|80||rr.example.com")
                .getDnsLookupFamily())
        .isEqualTo(Cluster.DnsLookupFamily.V6_ONLY);
  }

  @Test
  void staticResolutionIsEdsWithTheEntrysEndpoints() {
    MeshSnapshot s =
        YamlMesh.of(
            se(
                "db",
                """
                hosts: [db.internal]
                addresses: [10.50.0.10]
                location: MESH_INTERNAL
                resolution: STATIC
                ports: [{number: 5432, name: tcp, protocol: TCP}]
                endpoints:
                - {address: 10.0.0.2, labels: {security.istio.io/tlsMode: istio}, weight: 3}
                - {address: 10.0.0.1}
                """));
    Cluster c = Generated.cluster(s, CLIENT, "outbound|5432||db.internal");
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    assertThat(c.getEdsClusterConfig().getServiceName()).isEqualTo(c.getName());
    // MESH_INTERNAL: auto mTLS
    assertThat(c.getTransportSocketMatchesList())
        .extracting(Cluster.TransportSocketMatch::getName)
        .containsExactly("tlsMode-istio", "tlsMode-disabled");
    ClusterLoadAssignment cla = Generated.endpoints(s, CLIENT, c.getName());
    assertThat(addresses(cla)).containsExactly("10.0.0.1", "10.0.0.2");
    LocalityLbEndpoints group = cla.getEndpoints(0);
    assertThat(group.getLoadBalancingWeight().getValue()).isEqualTo(4); // 1 + 3
    LbEndpoint weighted = group.getLbEndpoints(1);
    assertThat(weighted.getLoadBalancingWeight().getValue()).isEqualTo(3);
    assertThat(weighted.getMetadata().getFilterMetadataOrThrow("envoy.transport_socket_match"))
        .isNotNull();
    assertThat(group.getLbEndpoints(0).hasMetadata()).isFalse();
  }

  @Test
  void noneResolutionIsOriginalDestinationWithThePortOverride() {
    MeshSnapshot s =
        YamlMesh.of(
            se(
                "passthrough",
                """
hosts: [legacy.internal]
addresses: [10.70.0.0/16]
location: MESH_INTERNAL
ports: [{number: 8080, name: http, protocol: HTTP, targetPort: 9090}, {number: 81, name: http-b, protocol: HTTP}]
"""));
    Cluster c = Generated.cluster(s, CLIENT, "outbound|8080||legacy.internal");
    assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.CLUSTER_PROVIDED);
    assertThat(c.getOriginalDstLbConfig().getUpstreamPortOverride().getValue()).isEqualTo(9090);
    // no auto mTLS on ORIGINAL_DST clusters
    assertThat(c.getTransportSocketMatchesCount()).isZero();
    assertThat(
            Generated.cluster(s, CLIENT, "outbound|81||legacy.internal").hasOriginalDstLbConfig())
        .isFalse();
  }

  @Test
  void dnsSubsetsFilterTheInlineEndpointsAndAreSkippedWhenEmpty() {
    MeshSnapshot s =
        YamlMesh.of(
            se(
                    "multi",
                    """
                    hosts: [multi.example.com]
                    ports: [{number: 80, name: http, protocol: HTTP}]
                    resolution: DNS
                    endpoints:
                    - {address: a.example.com, labels: {version: a}}
                    - {address: b.example.com, labels: {version: b}}
                    """)
                + YamlMesh.dr(
                    "default",
                    "multi.example.com",
                    """
                    subsets:
                    - {name: a, labels: {version: a}}
                    - {name: none, labels: {version: z}}
                    """));
    SortedMap<String, Message> clusters = Generated.resources(s, CLIENT, XdsType.CLUSTER);
    Cluster a = (Cluster) clusters.get("outbound|80|a|multi.example.com");
    assertThat(addresses(a.getLoadAssignment())).containsExactly("a.example.com");
    assertThat(a.getLoadAssignment().getClusterName()).isEqualTo(a.getName());
    assertThat(
            addresses(
                ((Cluster) clusters.get("outbound|80||multi.example.com")).getLoadAssignment()))
        .containsExactly("a.example.com", "b.example.com");
    assertThat(clusters).doesNotContainKey("outbound|80|none|multi.example.com");
  }

  @Test
  void exportToKeepsAnEntryFromOtherNamespaces() {
    MeshSnapshot s =
        YamlMesh.of(
            se(
                "private",
                """
                hosts: [private.example.com]
                ports: [{number: 443, name: tls, protocol: TLS}]
                resolution: DNS
                exportTo: ["."]
                """));
    assertThat(Generated.resources(s, CLIENT, XdsType.CLUSTER))
        .containsKey("outbound|443||private.example.com");
    ProxyView other = TestMesh.sidecar("client", "shop", "10.244.3.3", Map.of());
    assertThat(Generated.resources(s, other, XdsType.CLUSTER))
        .doesNotContainKey("outbound|443||private.example.com");
  }

  @Test
  void workloadSelectorEntriesGetTheirEndpointsOverEds() {
    MeshSnapshot s =
        YamlMesh.of(
            """
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata: {name: vm-1, namespace: default}
            spec: {address: 192.168.0.7, labels: {app: billing}, serviceAccount: billing}
            ---
            """
                + se(
                    "billing",
                    """
                    hosts: [billing.vm]
                    addresses: [10.80.0.1]
                    location: MESH_INTERNAL
                    resolution: STATIC
                    ports: [{number: 8443, name: grpc, protocol: GRPC}]
                    workloadSelector: {labels: {app: billing}}
                    """));
    ClusterLoadAssignment cla = Generated.endpoints(s, CLIENT, "outbound|8443||billing.vm");
    assertThat(addresses(cla)).containsExactly("192.168.0.7");
    // the entry's identity is the SAN auto mTLS checks
    Cluster c = Generated.cluster(s, CLIENT, "outbound|8443||billing.vm");
    assertThat(XdsYaml.toJson(c).toString())
        .contains("spiffe://cluster.local/ns/default/sa/billing");
  }
}
