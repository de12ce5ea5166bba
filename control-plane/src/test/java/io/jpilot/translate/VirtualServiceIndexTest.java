package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.MeshSnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VirtualServiceIndexTest {

  private static String mesh(String exportTo) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: a}
        spec:
          clusterIP: 10.96.1.1
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: api, namespace: b}
        spec:
          clusterIP: 10.96.1.2
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: a}
        spec:
          hosts: [web]
          %s
          http:
          - route: [{destination: {host: web}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: api, namespace: b}
        spec:
          hosts: [api]
          http:
          - route: [{destination: {host: api}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: edge, namespace: b}
        spec:
          hosts: [api]
          gateways: [edge-gateway]
          http:
          - route: [{destination: {host: api}}]
        ---
        """
        .formatted(exportTo);
  }

  private static List<String> names(VirtualServiceIndex idx) {
    return idx.entries().stream().map(e -> e.vs().meta().name()).toList();
  }

  @Test
  void namespacesShareOneIndexWhenEveryVirtualServiceIsExportedEverywhere() {
    MeshSnapshot s = YamlMesh.of(mesh(""));
    VirtualServiceIndex a = VirtualServiceIndex.forProxy(s, YamlMesh.sidecar("a", Map.of(), ""));
    VirtualServiceIndex c = VirtualServiceIndex.forProxy(s, YamlMesh.sidecar("c", Map.of(), ""));
    assertThat(c).isSameAs(a);
    // the gateway-only VirtualService is no candidate
    assertThat(names(a)).containsExactlyInAnyOrder("web", "api");
  }

  @Test
  void aVirtualServiceExportedToItsOwnNamespaceIsSeenThereOnly() {
    MeshSnapshot s = YamlMesh.of(mesh("exportTo: [\".\"]"));
    VirtualServiceIndex a = VirtualServiceIndex.forProxy(s, YamlMesh.sidecar("a", Map.of(), ""));
    VirtualServiceIndex c = VirtualServiceIndex.forProxy(s, YamlMesh.sidecar("c", Map.of(), ""));
    VirtualServiceIndex d = VirtualServiceIndex.forProxy(s, YamlMesh.sidecar("d", Map.of(), ""));
    assertThat(names(a)).containsExactlyInAnyOrder("web", "api");
    assertThat(names(c)).containsExactly("api");
    assertThat(d).isSameAs(c);
  }
}
