package io.jpilot.model;

import static io.jpilot.model.YamlSnapshots.pod;
import static io.jpilot.model.YamlSnapshots.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.registry.Endpoint;
import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Resolution;
import io.jpilot.model.registry.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceEntryRegistryTest {

  @Test
  void eachHostBecomesAServiceInTheEntrysNamespace() {
    MeshSnapshot s =
        YamlSnapshots.of(
            """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: external-apis, namespace: egress}
spec:
  hosts: [api.example.com, www.example.com]
  addresses: [240.0.0.1]
  ports: [{number: 443, name: https, protocol: TLS}, {number: 80, name: http, protocol: HTTP, targetPort: 8080}]
  resolution: DNS
  exportTo: ["."]
  subjectAltNames: [spiffe://example.com/api]
""");
    Service api = s.service("api.example.com").orElseThrow();
    assertThat(api.namespace()).isEqualTo("egress");
    assertThat(api.name()).isEqualTo("api.example.com");
    assertThat(api.clusterIp()).isEqualTo("240.0.0.1");
    assertThat(api.resolution()).isEqualTo(Resolution.DNS_LB);
    assertThat(api.meshExternal()).isTrue();
    assertThat(api.registry()).isEqualTo(Service.Registry.SERVICE_ENTRY);
    assertThat(api.serviceAccounts()).containsExactly("spiffe://example.com/api");
    assertThat(api.exportTo()).containsExactly(".");
    assertThat(api.port(443).orElseThrow().protocol()).isEqualTo(Protocol.TLS);
    assertThat(api.port(80).orElseThrow().targetPort()).isEqualTo(8080);
    assertThat(api.visibleTo("egress")).isTrue();
    assertThat(api.visibleTo("default")).isFalse();
    assertThat(s.service("www.example.com")).isPresent();
    // DNS without endpoints: the host itself, one endpoint per port, at the target port
    assertThat(s.endpoints("api.example.com"))
        .extracting(Endpoint::servicePortName, Endpoint::address, Endpoint::port)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("http", "api.example.com", 8080),
            org.assertj.core.groups.Tuple.tuple("https", "api.example.com", 443));
  }

  @Test
  void inlineEndpointsWithPortOverridesWeightsAndIdentities() {
    MeshSnapshot s =
        YamlSnapshots.of(
            """
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: data}
spec:
  hosts: [db.internal]
  addresses: [10.50.0.10/32]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 5432, name: tcp-pg, protocol: TCP, targetPort: 6432}]
  endpoints:
  - {address: 10.0.0.1, labels: {role: primary}, locality: us/east/a, weight: 5, serviceAccount: pg}
  - {address: 10.0.0.2, ports: {tcp-pg: 7000}, labels: {security.istio.io/tlsMode: istio}}
""");
    Service db = s.service("db.internal").orElseThrow();
    assertThat(db.meshExternal()).isFalse();
    assertThat(db.clusterIp()).isEqualTo("10.50.0.10"); // a /32 CIDR is its IP
    assertThat(db.resolution()).isEqualTo(Resolution.CLIENT_SIDE_LB);
    List<Endpoint> eps = s.endpoints("db.internal");
    assertThat(eps).hasSize(2);
    Endpoint primary = eps.get(0);
    assertThat(primary.address()).isEqualTo("10.0.0.1");
    assertThat(primary.port()).isEqualTo(6432); // the targetPort
    assertThat(primary.weight()).isEqualTo(5);
    assertThat(primary.locality()).isEqualTo(new Locality("us", "east", "a"));
    assertThat(primary.labels())
        .containsEntry("role", "primary")
        .containsEntry("topology.kubernetes.io/region", "us");
    assertThat(primary.serviceAccount()).isEqualTo("spiffe://cluster.local/ns/data/sa/pg");
    assertThat(primary.tlsMode()).isEqualTo("istio"); // a service account means a sidecar
    assertThat(primary.workloadName()).isEqualTo("db-0");
    Endpoint second = eps.get(1);
    assertThat(second.port()).isEqualTo(7000); // the endpoint's own port wins
    assertThat(second.tlsMode()).isEqualTo("istio");
  }

  @Test
  void workloadSelectorPicksWorkloadEntriesAndPodsOfItsNamespace() {
    MeshSnapshot s =
        YamlSnapshots.of(
            pod("web-1", "shop", "10.244.0.5", "{app: web}")
                + pod("web-other-ns", "other", "10.244.0.6", "{app: web}")
                + """
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-web, namespace: shop}
spec: {address: 192.168.1.20, labels: {app: web}, ports: {web: 9000}, serviceAccount: vm}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: vm-db, namespace: shop}
spec: {address: 192.168.1.21, labels: {app: db}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: web, namespace: shop}
spec:
  hosts: [web.shop.mesh]
  addresses: [10.60.0.1]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 80, name: web, protocol: HTTP}]
  workloadSelector: {labels: {app: web}}
""");
    List<Endpoint> eps = s.endpoints("web.shop.mesh");
    // pods first, then WorkloadEntries; the pod's named container port, the entry's own port
    assertThat(eps)
        .extracting(Endpoint::address, Endpoint::port, Endpoint::workloadName)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("10.244.0.5", 8081, "web-1"),
            org.assertj.core.groups.Tuple.tuple("192.168.1.20", 9000, "vm-web"));
    assertThat(eps)
        .filteredOn(e -> e.workloadName().equals("web-1"))
        .extracting(Endpoint::serviceAccount)
        .containsExactly("spiffe://cluster.local/ns/shop/sa/web-1-sa");
  }

  @Test
  void kubernetesServicesSelectWorkloadEntriesAndKeepTheirHost() {
    MeshSnapshot s =
        YamlSnapshots.of(
            service("ratings", "default", "ratings", 9080, "http")
                + """
                  apiVersion: networking.istio.io/v1
                  kind: WorkloadEntry
                  metadata: {name: ratings-vm, namespace: default}
                  spec: {address: 172.16.0.9, labels: {app: ratings, version: vm}}
                  ---
                  apiVersion: networking.istio.io/v1
                  kind: ServiceEntry
                  metadata: {name: shadow, namespace: default}
                  spec:
                    hosts: [ratings.default.svc.cluster.local]
                    resolution: STATIC
                    ports: [{number: 9080, name: http, protocol: HTTP}]
                    endpoints: [{address: 1.1.1.1}]
                  """);
    Service ratings = s.service("ratings.default.svc.cluster.local").orElseThrow();
    assertThat(ratings.registry()).isEqualTo(Service.Registry.KUBERNETES);
    assertThat(s.endpoints("ratings.default.svc.cluster.local"))
        .extracting(Endpoint::address, Endpoint::port)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("172.16.0.9", 9080));
  }

  @Test
  void dnsRoundRobinKeepsOneEndpointPerPortAndOldestEntryDefinesTheHost() {
    MeshSnapshot s =
        YamlSnapshots.of(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: a, namespace: default, creationTimestamp: "2024-01-01T00:00:00Z"}
            spec:
              hosts: [rr.example.com]
              resolution: DNS_ROUND_ROBIN
              ports: [{number: 80, name: http, protocol: HTTP}]
              endpoints: [{address: one.example.com}]
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: b, namespace: default, creationTimestamp: "2024-02-01T00:00:00Z"}
            spec:
              hosts: [rr.example.com]
              resolution: DNS_ROUND_ROBIN
              ports: [{number: 80, name: http, protocol: HTTP}]
              endpoints: [{address: two.example.com}]
            """);
    assertThat(s.service("rr.example.com").orElseThrow().resolution())
        .isEqualTo(Resolution.DNS_ROUND_ROBIN_LB);
    assertThat(s.endpoints("rr.example.com"))
        .extracting(Endpoint::address)
        .containsExactly("one.example.com");
  }

  @Test
  void noneResolutionAndNoAddressesGiveAPassthroughServiceOnTheUnspecifiedAddress() {
    MeshSnapshot s =
        YamlSnapshots.of(
            """
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: any, namespace: default}
            spec:
              hosts: ["*.googleapis.com"]
              ports: [{number: 443, name: https, protocol: HTTPS}]
            """);
    Service svc = s.service("*.googleapis.com").orElseThrow();
    assertThat(svc.resolution()).isEqualTo(Resolution.PASSTHROUGH);
    assertThat(svc.clusterIp()).isEqualTo("0.0.0.0");
    assertThat(s.endpoints("*.googleapis.com")).isEmpty();
  }
}
