package io.jpilot.model.parse;

import static io.jpilot.model.parse.KubernetesObjectParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.config.Gateway;
import io.jpilot.model.config.GatewayServer;
import io.jpilot.model.config.ServerTls;
import io.jpilot.model.registry.Protocol;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The Gateway kind: parsing, and istiod's ValidateGateway checks with its texts. */
class GatewayParserTest {
  static String gw(String apiVersion, String name, String spec) {
    StringBuilder sb = new StringBuilder();
    sb.append("apiVersion: ").append(apiVersion).append("\nkind: Gateway\n");
    sb.append("metadata: {name: ").append(name).append(", namespace: istio-system}\nspec:\n");
    for (String line : spec.split("\n")) {
      sb.append("  ").append(line).append('\n');
    }
    return sb.toString();
  }

  static String gw(String spec) {
    return gw("networking.istio.io/v1", "gw", spec);
  }

  static final String HTTP = "port: {number: 80, name: http, protocol: HTTP}";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "networking.istio.io/v1",
        "networking.istio.io/v1beta1",
        "networking.istio.io/v1alpha3"
      })
  void bookinfoGateway(String apiVersion) {
    ParseResult r =
        parse(
            gw(
                apiVersion,
                "bookinfo-gateway",
                "selector: {istio: ingressgateway}\n"
                    + "servers:\n"
                    + "- port: {number: 8080, name: http, protocol: HTTP}\n"
                    + "  hosts: [\"*\"]\n"
                    + "- port: {number: 443, name: https, protocol: HTTPS}\n"
                    + "  hosts: [\"bookinfo/*.example.com\", \"./a.example.com\"]\n"
                    + "  name: secure\n"
                    + "  tls: {mode: MUTUAL, credentialName: bookinfo-cert,"
                    + " subjectAltNames: [client.example.com], minProtocolVersion: TLSV1_2}\n"
                    + "- port: {number: 15443, name: tls, protocol: TLS}\n"
                    + "  hosts: [\"*.local\"]\n"
                    + "  bind: 10.0.0.1\n"
                    + "  tls: {mode: AUTO_PASSTHROUGH}"));
    assertThat(r.diagnostics()).isEmpty();
    Gateway g = (Gateway) r.object().orElseThrow();
    assertThat(g.qualifiedName()).isEqualTo("istio-system/bookinfo-gateway");
    assertThat(g.selector()).isEqualTo(Map.of("istio", "ingressgateway"));
    assertThat(g.selects(Map.of("istio", "ingressgateway", "app", "x"))).isTrue();
    assertThat(g.selects(Map.of("istio", "egressgateway"))).isFalse();
    assertThat(g.servers()).hasSize(3);

    GatewayServer http = g.servers().get(0);
    assertThat(http.port().number()).isEqualTo(8080);
    assertThat(http.port().protocol()).isEqualTo(Protocol.HTTP);
    assertThat(http.tls()).isEmpty();
    assertThat(http.isHttp()).isTrue();
    assertThat(http.isTls()).isFalse();

    GatewayServer https = g.servers().get(1);
    assertThat(https.hosts()).containsExactly("bookinfo/*.example.com", "./a.example.com");
    assertThat(https.name()).isEqualTo("secure");
    ServerTls tls = https.tls().orElseThrow();
    assertThat(tls.mode()).isEqualTo(ServerTls.Mode.MUTUAL);
    assertThat(tls.credentialName()).isEqualTo("bookinfo-cert");
    assertThat(tls.subjectAltNames()).containsExactly("client.example.com");
    assertThat(tls.minProtocolVersion()).isEqualTo("TLSV1_2");
    assertThat(tls.maxProtocolVersion()).isEmpty();
    assertThat(https.isHttpsWithTermination()).isTrue();
    assertThat(https.isHttp()).isTrue();
    assertThat(https.isTls()).isTrue();

    GatewayServer passthrough = g.servers().get(2);
    assertThat(passthrough.bind()).isEqualTo("10.0.0.1");
    assertThat(passthrough.isPassthrough()).isTrue();
    assertThat(passthrough.isHttp()).isFalse();
  }

  @Test
  void httpsRedirectOnAnHttpPortDefaultsToPassthroughMode() {
    ParseResult r =
        parse(
            gw(
                "servers:\n- "
                    + HTTP
                    + "\n  hosts: [\"*.bookinfo.com\"]\n  tls: {httpsRedirect: true}"));
    assertThat(r.diagnostics()).isEmpty();
    GatewayServer s = ((Gateway) r.object().orElseThrow()).servers().get(0);
    assertThat(s.httpsRedirect()).isTrue();
    assertThat(s.tls().orElseThrow().mode()).isEqualTo(ServerTls.Mode.PASSTHROUGH);
    assertThat(s.isHttp()).isTrue();
    assertThat(s.isTls()).as("HTTP with redirect only is not a TLS server").isFalse();
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of(gw("servers: []"), "spec.servers", "gateway must have at least one server"),
        Arguments.of(
            gw("servers:\n- " + HTTP + "\n  hosts: []"),
            "spec.servers[0].hosts",
            "server config must contain at least one host"),
        Arguments.of(
            gw("servers:\n- " + HTTP + "\n  hosts: [\"*bar.com\"]"),
            "spec.servers[0].hosts[0]",
            "partial wildcard \"*bar.com\" not allowed"),
        Arguments.of(
            gw("servers:\n- " + HTTP + "\n  hosts: [\"~/foo.com\"]"),
            "spec.servers[0].hosts[0]",
            "invalid namespace value \"~\" in gateway"),
        Arguments.of(
            gw("servers:\n- " + HTTP + "\n  hosts: [reviews]"),
            "spec.servers[0].hosts[0]",
            "short names (non FQDN) are not allowed"),
        Arguments.of(
            gw("servers:\n- port: {number: 80, protocol: HTTP}\n  hosts: [\"*\"]"),
            "spec.servers[0].port.name",
            "port name must be set: number:80 protocol:\"HTTP\""),
        Arguments.of(
            gw("servers:\n- port: {number: 80, name: x, protocol: FOO}\n  hosts: [\"*\"]"),
            "spec.servers[0].port.protocol",
            "invalid protocol \"FOO\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO,"
                + " REDIS, MYSQL, TCP"),
        Arguments.of(
            gw("servers:\n- port: {number: 0, name: x, protocol: HTTP}\n  hosts: [\"*\"]"),
            "spec.servers[0].port.number",
            "port number 0 must be in the range 1..65535"),
        Arguments.of(gw("servers:\n- hosts: [\"*\"]"), "spec.servers[0].port", "port is required"),
        Arguments.of(
            gw("servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n  hosts: [\"*\"]"),
            "spec.servers[0].tls",
            "server must have TLS settings for HTTPS/TLS protocols"),
        Arguments.of(
            gw(
                "servers:\n- "
                    + HTTP
                    + "\n  hosts: [\"*\"]\n  tls: {mode: SIMPLE, credentialName: c}"),
            "spec.servers[0].tls",
            "server cannot have TLS settings for plain text HTTP ports"),
        Arguments.of(
            gw(
                "servers:\n- port: {number: 3306, name: mysql, protocol: MYSQL}\n"
                    + "  hosts: [\"*\"]\n  tls: {mode: SIMPLE, credentialName: c}"),
            "spec.servers[0].tls",
            "server cannot have TLS settings for non HTTPS/TLS ports"),
        Arguments.of(
            gw(
                "servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n"
                    + "  hosts: [\"*\"]\n"
                    + "  tls: {mode: MUTUAL, serverCertificate: /c.pem, privateKey: /k.pem}"),
            "spec.servers[0].tls.caCertificates",
            "MUTUAL TLS requires a client CA bundle"),
        Arguments.of(
            gw(
                "servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n"
                    + "  hosts: [\"*\"]\n  tls: {mode: SIMPLE}"),
            "spec.servers[0].tls.serverCertificate",
            "SIMPLE TLS requires a server certificate"),
        Arguments.of(
            gw(
                "servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n"
                    + "  hosts: [\"*\"]\n  tls: {mode: ISTIO_MUTUAL, credentialName: c}"),
            "spec.servers[0].tls",
            "ISTIO_MUTUAL TLS cannot have associated credentialName"),
        Arguments.of(
            gw(
                "servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n"
                    + "  hosts: [\"*\"]\n"
                    + "  tls: {mode: SIMPLE, credentialName: c, serverCertificate: /c.pem,"
                    + " privateKey: /k.pem}"),
            "spec.servers[0].tls",
            "only one of credential_name, credential_names, server_certificate/private_key,"
                + " tls_certificates should be specified"),
        Arguments.of(
            gw(
                "servers:\n- port: {number: 80, name: http, protocol: HTTP, targetPort: 8080}\n"
                    + "  hosts: [\"*\"]"),
            "spec.servers[0].port.targetPort",
            "targetPort has no impact on Gateways"),
        Arguments.of(
            gw(
                "servers:\n- "
                    + HTTP
                    + "\n  hosts: [\"a.com\"]\n- "
                    + HTTP.replace("80", "81")
                    + "\n  hosts: [\"b.com\"]"),
            "spec.servers[1].port.name",
            "port names in servers must be unique: duplicate name http"),
        Arguments.of(
            gw("servers:\n- " + HTTP + "\n  hosts: [\"*\"]\n  bind: not-an-ip"),
            "spec.servers[0].bind",
            "not-an-ip is not a valid IP"),
        Arguments.of(
            gw(
                "networking.istio.io/v1",
                "gw.with.dots",
                "servers:\n- " + HTTP + "\n  hosts: [\"*\"]"),
            "metadata.name",
            "invalid gateway name: \"gw.with.dots\""),
        Arguments.of(
            gw(
                "servers:\n- "
                    + HTTP
                    + "\n  hosts: [\"*\"]\n  tls: {mode: SIMPLE, httpsRedirect: 1}"),
            "spec.servers[0].tls.httpsRedirect",
            "expected"),
        Arguments.of(
            gw("servers:\n- " + HTTP + "\n  hosts: [\"*\"]\n  defaultEndpoints: x"),
            "spec.servers[0].defaultEndpoints",
            "unknown field"));
  }

  @ParameterizedTest
  @MethodSource("rejected")
  void rejected(String yaml, String path, String message) {
    ParseResult r = parse(yaml);
    assertThat(r.object()).as("rejected object").isEmpty();
    assertThat(r.diagnostics())
        .filteredOn(d -> d.severity() == Severity.ERROR)
        .anySatisfy(
            d -> {
              assertThat(d.path()).isEqualTo(path);
              assertThat(d.message()).contains(message);
            });
  }

  @Test
  void httpsRedirectOnHttpsIsOnlyAWarning() {
    ParseResult r =
        parse(
            gw(
                "servers:\n- port: {number: 443, name: https, protocol: HTTPS}\n"
                    + "  hosts: [\"*\"]\n"
                    + "  tls: {httpsRedirect: true, mode: SIMPLE, credentialName: c}"));
    assertThat(r.object()).isPresent();
    assertThat(r.diagnostics())
        .extracting(Diagnostic::severity, Diagnostic::path, Diagnostic::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                Severity.WARNING,
                "spec.servers[0].tls.httpsRedirect",
                "tls.httpsRedirect should only be used with http servers"));
  }

  @Test
  void passthroughWithCertificatesIsOnlyAWarning() {
    ParseResult r =
        parse(
            gw(
                "servers:\n- port: {number: 443, name: tls, protocol: TLS}\n"
                    + "  hosts: [\"*.example.com\"]\n"
                    + "  tls: {mode: PASSTHROUGH, credentialName: c}"));
    assertThat(r.object()).isPresent();
    assertThat(r.diagnostics())
        .extracting(Diagnostic::message)
        .containsExactly("PASSTHROUGH mode does not use certificates, they will be ignored");
  }

  @Test
  void ipHostsAndNamespaceFormsAreAccepted() {
    ParseResult r =
        parse(
            gw(
                "servers:\n- "
                    + HTTP
                    + "\n"
                    + "  hosts: [\"10.0.0.1\", \"*/foo.com\", \"./bar.com\", \"ns-1/*\","
                    + " \"*\"]"));
    assertThat(r.diagnostics()).isEmpty();
    assertThat(((Gateway) r.object().orElseThrow()).servers().get(0).hosts())
        .isEqualTo(List.of("10.0.0.1", "*/foo.com", "./bar.com", "ns-1/*", "*"));
  }
}
