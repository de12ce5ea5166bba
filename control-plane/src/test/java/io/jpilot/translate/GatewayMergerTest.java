package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import io.jpilot.model.registry.Locality;
import io.jpilot.translate.MergedGateway.BoundServer;
import io.jpilot.translate.MergedGateway.ServerPort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * istiod's mergeGateways: which servers a gateway proxy serves, on which ports, under which routes.
 */
class GatewayMergerTest {
  static final ProxyView ROUTER =
      ProxyView.parse(
          "router~10.244.0.5~ingress-abc.istio-system~istio-system.svc.cluster.local",
          Map.of("NAMESPACE", "istio-system"),
          Map.of("istio", "ingressgateway"),
          Locality.NONE);

  static MeshSnapshot snapshot(String yaml) {
    ParsedFile f = ConfigFileParser.parse("test.yaml", yaml, "cluster.local");
    assertThat(f.diagnostics())
        .filteredOn(d -> d.severity() == Diagnostic.Severity.ERROR)
        .isEmpty();
    return MeshSnapshot.build(1, "cluster.local", f.objects());
  }

  static String gateway(String name, String servers) {
    return "apiVersion: networking.istio.io/v1\nkind: Gateway\n"
        + "metadata: {name: "
        + name
        + ", namespace: istio-system}\n"
        + "spec:\n  selector: {istio: ingressgateway}\n  servers:\n"
        + servers.indent(2)
        + "---\n";
  }

  static MergedGateway merge(String yaml) {
    return GatewayMerger.merge(snapshot(yaml), ROUTER);
  }

  static List<String> names(List<BoundServer> servers) {
    return servers.stream().map(s -> s.gatewayName() + "#" + s.server().port().name()).toList();
  }

  @Test
  void httpServersOnOnePortShareOneRouteAcrossGateways() {
    MergedGateway m =
        merge(
            gateway("a", "- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [a.com]")
                + gateway(
                    "b", "- port: {number: 80, name: http, protocol: HTTP2}\n  hosts: [b.com]"));
    assertThat(m.serverPorts()).containsExactly(new ServerPort(80, "HTTP", ""));
    assertThat(m.serversByRouteName().keySet()).containsExactly("http.80");
    assertThat(names(m.serversByRouteName().get("http.80")))
        .containsExactly("istio-system/a#http", "istio-system/b#http");
  }

  @Test
  void aTcpServerCannotJoinAnHttpPort() {
    MergedGateway m =
        merge(
            gateway("a", "- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [a.com]")
                + gateway("b", "- port: {number: 80, name: tcp, protocol: TCP}\n  hosts: [b.com]"));
    assertThat(m.serverPorts()).containsExactly(new ServerPort(80, "HTTP", ""));
    assertThat(names(m.servers().get(m.serverPorts().get(0)).servers()))
        .containsExactly("istio-system/a#http");
  }

  @Test
  void httpsServersGetOneRouteEachAndShareTheListener() {
    MergedGateway m =
        merge(
            gateway(
                    "a",
                    "- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: [a.com]\n"
                        + "  tls: {mode: SIMPLE, credentialName: a}\n"
                        + "- port: {number: 443, name: tls, protocol: TLS}\n  hosts: [t.com]\n"
                        + "  tls: {mode: PASSTHROUGH}")
                + gateway(
                    "b",
                    "- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: [b.com]\n"
                        + "  tls: {mode: SIMPLE, credentialName: b}"));
    assertThat(m.serverPorts())
        .containsExactly(new ServerPort(443, "HTTPS", ""), new ServerPort(443, "TLS", ""));
    assertThat(m.serversByRouteName().keySet())
        .containsExactlyInAnyOrder(
            "https.443.https.a.istio-system", "https.443.https.b.istio-system");
    assertThat(names(m.servers().get(new ServerPort(443, "HTTPS", "")).servers()))
        .containsExactly("istio-system/a#https", "istio-system/b#https");
    BoundServer passthrough = m.servers().get(new ServerPort(443, "TLS", "")).servers().get(0);
    assertThat(m.tls(passthrough).orElseThrow().routeName()).isEmpty();
    assertThat(m.tls(passthrough).orElseThrow().sniHosts()).containsExactly("t.com");
  }

  @Test
  void repeatedTlsHostsOnOnePortAreDropped() {
    MergedGateway m =
        merge(
            gateway(
                "a",
                "- port: {number: 443, name: one, protocol: HTTPS}\n  hosts: [x.com, y.com]\n"
                    + "  tls: {mode: SIMPLE, credentialName: a}\n"
                    + "- port: {number: 443, name: two, protocol: HTTPS}\n  hosts: [y.com]\n"
                    + "  tls: {mode: SIMPLE, credentialName: b}"));
    assertThat(m.serversByRouteName().keySet()).containsExactly("https.443.one.a.istio-system");
  }

  @Test
  void portsResolveThroughTheGatewayServiceAndBindAddsToTheRouteName() {
    String service =
        "apiVersion: v1\n"
            + "kind: Service\n"
            + "metadata: {name: ingress, namespace: istio-system}\n"
            + "spec:\n"
            + "  clusterIP: 10.96.0.1\n"
            + "  selector: {istio: ingressgateway}\n"
            + "  ports: [{name: http2, port: 80, targetPort: 8080}, {name: https, port: 443,"
            + " targetPort: https-port}]\n"
            + "---\n"
            + "apiVersion: discovery.k8s.io/v1\n"
            + "kind: EndpointSlice\n"
            + "metadata: {name: ingress-1, namespace: istio-system, labels:"
            + " {kubernetes.io/service-name: ingress}}\n"
            + "addressType: IPv4\n"
            + "ports: [{name: http2, port: 8080}, {name: https, port: 9443}]\n"
            + "endpoints: [{addresses: [10.244.0.5]}]\n"
            + "---\n";
    MergedGateway m =
        merge(
            service
                + gateway(
                    "a",
                    "- port: {number: 80, name: http, protocol: HTTP}\n"
                        + "  hosts: [a.com]\n"
                        + "- port: {number: 80, name: http-bound, protocol: HTTP}\n"
                        + "  hosts: [b.com]\n"
                        + "  bind: 10.244.0.5\n"
                        + "- port: {number: 443, name: https, protocol: HTTPS}\n"
                        + "  hosts: [a.com]\n"
                        + "  tls: {mode: SIMPLE, credentialName: a}\n"
                        + "- port: {number: 9000, name: other, protocol: HTTP}\n"
                        + "  hosts: [c.com]"));
    assertThat(m.serverPorts())
        .containsExactly(
            new ServerPort(8080, "HTTP", ""),
            new ServerPort(8080, "HTTP", "10.244.0.5"),
            new ServerPort(9443, "HTTPS", ""),
            new ServerPort(9000, "HTTP", ""));
    assertThat(m.serversByRouteName().keySet())
        .containsExactlyInAnyOrder(
            "http.8080", "http.8080.10.244.0.5", "https.443.https.a.istio-system", "http.9000");
  }

  @Test
  void gatewaysForOtherProxiesAndHostForms() {
    MergedGateway m =
        merge(
            "apiVersion: networking.istio.io/v1\n"
                + "kind: Gateway\n"
                + "metadata: {name: egress, namespace: istio-system}\n"
                + "spec:\n"
                + "  selector: {istio: egressgateway}\n"
                + "  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [e.com]}]\n"
                + "---\n"
                + gateway(
                    "a",
                    "- port: {number: 80, name: http, protocol: HTTP}\n"
                        + "  hosts: [\"./a.com\", \"*/b.com\", \"other/c.com\"]"));
    BoundServer s = m.serversByRouteName().get("http.80").get(0);
    assertThat(m.serversByRouteName().get("http.80")).hasSize(1);
    assertThat(s.hosts()).containsExactly("istio-system/a.com", "b.com", "other/c.com");
    assertThat(GatewayHosts.forNamespace(s.hosts(), "other")).containsExactly("b.com", "c.com");
    assertThat(GatewayHosts.forNamespace(s.hosts(), "istio-system"))
        .containsExactly("a.com", "b.com");
  }

  @Test
  void hostAlgebra() {
    assertThat(
            GatewayHosts.intersection(List.of("*.example.com"), List.of("a.example.com", "b.org")))
        .containsExactly("a.example.com");
    assertThat(GatewayHosts.intersection(List.of("a.example.com", "*.net"), List.of("*")))
        .containsExactly("a.example.com", "*.net");
    assertThat(GatewayHosts.intersection(List.of("*.net"), List.of("*.bar.net")))
        .containsExactly("*.bar.net");
    assertThat(GatewayHosts.intersection(List.of("foo.com"), List.of("bar.com"))).isEmpty();
    assertThat(GatewayHosts.subsetOf("*", "*.com")).isFalse();
    assertThat(GatewayHosts.subsetOf("*.com", "*")).isTrue();
    assertThat(
            List.of("*.b.com", "a.com", "*", "long.example.com", "b.com").stream()
                .sorted(GatewayHosts.MORE_SPECIFIC_FIRST)
                .toList())
        .containsExactly("long.example.com", "a.com", "b.com", "*.b.com", "*");
  }
}
