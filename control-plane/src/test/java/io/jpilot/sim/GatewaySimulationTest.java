package io.jpilot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import io.jpilot.sim.Result.Failure;
import io.jpilot.translate.XdsType;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** Gateway proxies end to end: YAML in, calls through the generated configuration. */
class GatewaySimulationTest {
  static final String NODE =
      "router~10.244.0.5~istio-ingressgateway-abc.istio-system~istio-system.svc.cluster.local";

  static ProxyView gateway(Map<String, String> labels) {
    return ProxyView.parse(NODE, Map.of("NAMESPACE", "istio-system"), labels, Locality.NONE);
  }

  static final ProxyView INGRESS = gateway(Map.of("istio", "ingressgateway"));

  /** The ingress gateway Service: 80 → 8080, 443 → 8443, selecting the gateway pod. */
  static final String GATEWAY_SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: istio-ingressgateway, namespace: istio-system}
      spec:
        clusterIP: 10.96.0.100
        selector: {istio: ingressgateway}
        ports:
        - {name: http2, port: 80, targetPort: 8080}
        - {name: https, port: 443, targetPort: 8443}
      """;

  static final String PRODUCTPAGE =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: productpage, namespace: default}
      spec:
        clusterIP: 10.96.0.13
        selector: {app: productpage}
        ports: [{name: http, port: 9080}]
      """;

  static String gateway(String name, String namespace, String servers) {
    return "apiVersion: networking.istio.io/v1\nkind: Gateway\n"
        + "metadata: {name: "
        + name
        + ", namespace: "
        + namespace
        + "}\nspec:\n  selector: {istio: ingressgateway}\n  servers:\n"
        + servers.indent(2);
  }

  static String vs(String name, String namespace, String spec) {
    return "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
        + "metadata: {name: "
        + name
        + ", namespace: "
        + namespace
        + "}\nspec:\n"
        + spec.indent(2);
  }

  static Map<XdsType, SortedMap<String, Message>> walk(ProxyView proxy, String... yaml) {
    MeshYaml mesh = new MeshYaml();
    for (int i = 0; i < yaml.length; i++) {
      mesh.add("doc" + i, yaml[i]);
    }
    return Xds.walk(mesh.snapshot(), proxy);
  }

  static TrafficSimulator sim(String... yaml) {
    return TrafficSimulator.of(walk(INGRESS, yaml));
  }

  static Call.Builder http(String host, int port) {
    return Call.http(host, port).mode(Call.Mode.GATEWAY);
  }

  static final String BOOKINFO_GATEWAY =
      gateway(
          "bookinfo-gateway",
          "default",
          "- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [\"*\"]");

  static final String BOOKINFO_VS =
      vs(
          "bookinfo",
          "default",
          """
          hosts: ["*"]
          gateways: [bookinfo-gateway]
          http:
          - match:
            - uri: {exact: /productpage}
            - uri: {prefix: /static}
            route:
            - destination: {host: productpage, port: {number: 9080}}
          """);

  @Test
  void serverPortsMoveToTheServiceTargetPort() {
    TrafficSimulator sim = sim(GATEWAY_SERVICE, PRODUCTPAGE, BOOKINFO_GATEWAY, BOOKINFO_VS);
    assertThat(sim.listeners()).extracting(Listener::getName).containsExactly("0.0.0.0_8080");

    Result r = sim.run(http("bookinfo.example.com", 8080).path("/productpage").build());
    assertThat(r.ok()).as("%s", r).isTrue();
    assertThat(r.listener()).isEqualTo("0.0.0.0_8080");
    assertThat(r.routeConfig()).isEqualTo("http.8080");
    assertThat(r.virtualHost()).as("the virtual host keeps the server port").isEqualTo("*:80");
    assertThat(r.cluster()).isEqualTo("outbound|9080||productpage.default.svc.cluster.local");
    assertThat(r.undefinedClusters()).isEmpty();

    assertThat(sim.run(http("x", 8080).path("/static/a.css").build()).cluster())
        .isEqualTo("outbound|9080||productpage.default.svc.cluster.local");
    assertThat(sim.run(http("x", 8080).path("/login").build()).error()).contains(Failure.NO_ROUTE);
    assertThat(sim.run(http("x", 80).build()).error())
        .as("nothing listens on the service port itself")
        .contains(Failure.NO_LISTENER);
  }

  @Test
  void gatewaysApplyOnlyToProxiesTheySelect() {
    Map<XdsType, SortedMap<String, Message>> other =
        walk(gateway(Map.of("istio", "egressgateway")), GATEWAY_SERVICE, BOOKINFO_GATEWAY);
    assertThat(other.get(XdsType.LISTENER)).isEmpty();
    assertThat(other.get(XdsType.ROUTE)).isEmpty();
  }

  @Test
  void virtualServicesBindByGatewayName() {
    String gw =
        gateway(
            "gw",
            "istio-system",
            "- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [\"*\"]");
    TrafficSimulator sim =
        sim(
            gw,
            vs(
                "short-name-same-namespace",
                "istio-system",
                "hosts: [a.example.com]\n"
                    + "gateways: [gw]\n"
                    + "http:\n"
                    + "- route: [{destination: {host: a.default.svc.cluster.local}}]"),
            vs(
                "qualified",
                "default",
                "hosts: [b.example.com]\n"
                    + "gateways: [istio-system/gw]\n"
                    + "http:\n"
                    + "- route: [{destination: {host: b}}]"),
            vs(
                "short-name-other-namespace",
                "default",
                "hosts: [c.example.com]\n"
                    + "gateways: [gw]\n"
                    + "http:\n"
                    + "- route: [{destination: {host: c}}]"),
            vs(
                "mesh-only",
                "default",
                "hosts: [d.example.com]\nhttp:\n- route: [{destination: {host: d}}]"),
            vs(
                "private-elsewhere",
                "default",
                "hosts: [e.example.com]\n"
                    + "gateways: [istio-system/gw]\n"
                    + "exportTo: [\".\"]\n"
                    + "http:\n"
                    + "- route: [{destination: {host: e}}]"));
    assertThat(sim.run(http("a.example.com", 80).build()).cluster())
        .isEqualTo("outbound|80||a.default.svc.cluster.local");
    assertThat(sim.run(http("b.example.com", 80).build()).cluster())
        .as("short destination hosts resolve in the VirtualService's namespace")
        .isEqualTo("outbound|80||b.default.svc.cluster.local");
    for (String host : List.of("c.example.com", "d.example.com", "e.example.com")) {
      assertThat(sim.run(http(host, 80).build()).error())
          .as("%s is not bound to istio-system/gw", host)
          .contains(Failure.NO_VIRTUAL_HOST);
    }
  }

  @Test
  void serverHostsLimitWhatVirtualServicesExpose() {
    String gw =
        gateway(
            "gw",
            "istio-system",
            "- port: {number: 80, name: http, protocol: HTTP}\n"
                + "  hosts: [\"default/*.example.com\", \"other/*.example.org\"]");
    TrafficSimulator sim =
        sim(
            gw,
            vs(
                "wide",
                "default",
                "hosts: [\"*\"]\n"
                    + "gateways: [istio-system/gw]\n"
                    + "http:\n"
                    + "- route: [{destination: {host: wide}}]"),
            vs(
                "org",
                "default",
                "hosts: [shop.example.org]\n"
                    + "gateways: [istio-system/gw]\n"
                    + "http:\n"
                    + "- route: [{destination: {host: org}}]"));
    RouteConfiguration rc = sim.routeConfiguration("http.80").orElseThrow();
    assertThat(rc.getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .as("host *.example.org is only for VirtualServices in namespace other")
        .containsExactly("*.example.com:80");
    assertThat(sim.run(http("www.example.com", 80).build()).cluster())
        .isEqualTo("outbound|80||wide.default.svc.cluster.local");
    assertThat(sim.run(http("shop.example.org", 80).build()).error())
        .contains(Failure.NO_VIRTUAL_HOST);
  }

  @Test
  void hostsWithTheSameRoutesShareOneVirtualHost() {
    String gw =
        gateway(
            "gw",
            "istio-system",
            "- port: {number: 80, name: http, protocol: HTTP}\n  hosts: [\"*\"]");
    TrafficSimulator sim =
        sim(
            gw,
            vs(
                "two-hosts",
                "default",
                "hosts: [a.example.com, bb.example.com]\n"
                    + "gateways: [istio-system/gw]\n"
                    + "http:\n"
                    + "- route: [{destination: {host: ab}}]"),
            vs(
                "catch-all-first",
                "default",
                """
                hosts: [c.example.com]
                gateways: [istio-system/gw]
                http:
                - route: [{destination: {host: c-default}}]
                """),
            vs(
                "specific-later",
                "default",
                """
                hosts: [c.example.com]
                gateways: [istio-system/gw]
                http:
                - match: [{uri: {prefix: /api}}]
                  route: [{destination: {host: c-api}}]
                """));
    RouteConfiguration rc = sim.routeConfiguration("http.80").orElseThrow();
    assertThat(rc.getVirtualHostsList())
        .extracting(VirtualHost::getName, VirtualHost::getDomainsList)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "bb.example.com:80", List.of("bb.example.com", "a.example.com")),
            org.assertj.core.groups.Tuple.tuple("c.example.com:80", List.of("c.example.com")));
    assertThat(sim.run(http("a.example.com", 80).build()).cluster())
        .isEqualTo("outbound|80||ab.default.svc.cluster.local");
    assertThat(sim.run(http("c.example.com", 80).path("/api/x").build()).cluster())
        .as("catch-all routes go last across VirtualServices of one host")
        .isEqualTo("outbound|80||c-api.default.svc.cluster.local");
    assertThat(sim.run(http("c.example.com", 80).path("/other").build()).cluster())
        .isEqualTo("outbound|80||c-default.default.svc.cluster.local");
  }

  static final String HTTPS_GATEWAY =
      gateway(
          "secure",
          "istio-system",
          """
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: [bookinfo.example.com]
            tls: {httpsRedirect: true}
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: [bookinfo.example.com]
            tls: {mode: SIMPLE, credentialName: bookinfo-cert}
          - port: {number: 443, name: https-mutual, protocol: HTTPS}
            hosts: [admin.example.com]
            tls: {mode: MUTUAL, credentialName: admin-cert, subjectAltNames: [ops.example.com]}
          """);

  static final String SECURE_VS =
      vs(
          "secure",
          "istio-system",
"""
hosts: [bookinfo.example.com, admin.example.com]
gateways: [secure]
http:
- route: [{destination: {host: productpage.default.svc.cluster.local, port: {number: 9080}}}]
""");

  @Test
  void httpsTerminationWithCredentialName() throws InvalidProtocolBufferException {
    TrafficSimulator sim = sim(GATEWAY_SERVICE, PRODUCTPAGE, HTTPS_GATEWAY, SECURE_VS);
    assertThat(sim.listeners())
        .extracting(Listener::getName)
        .containsExactlyInAnyOrder("0.0.0.0_8080", "0.0.0.0_8443");

    Result plain = sim.run(http("bookinfo.example.com", 8080).path("/productpage").build());
    assertThat(plain.error()).contains(Failure.TLS_REDIRECT);
    assertThat(plain.detail()).isEqualTo("https://bookinfo.example.com/productpage");
    assertThat(plain.virtualHost()).isEqualTo("bookinfo.example.com:80");

    Result secure =
        sim.run(http("bookinfo.example.com", 8443).tls(Call.Tls.TLS).path("/productpage").build());
    assertThat(secure.ok()).as("%s", secure).isTrue();
    assertThat(secure.routeConfig()).isEqualTo("https.443.https.secure.istio-system");
    assertThat(secure.virtualHost()).isEqualTo("bookinfo.example.com:443");
    assertThat(secure.cluster()).isEqualTo("outbound|9080||productpage.default.svc.cluster.local");

    assertThat(sim.run(http("bookinfo.example.com", 8443).build()).error())
        .as("plaintext to 8443 matches no SNI chain")
        .contains(Failure.NO_FILTER_CHAIN);
    assertThat(sim.run(http("other.example.com", 8443).tls(Call.Tls.TLS).build()).error())
        .contains(Failure.NO_FILTER_CHAIN);

    Result noClientCert = sim.run(http("admin.example.com", 8443).tls(Call.Tls.TLS).build());
    assertThat(noClientCert.error()).contains(Failure.MTLS_ERROR);
    Result mutual = sim.run(http("admin.example.com", 8443).tls(Call.Tls.MTLS).alpn("h2").build());
    assertThat(mutual.ok()).as("%s", mutual).isTrue();
    assertThat(mutual.routeConfig()).isEqualTo("https.443.https-mutual.secure.istio-system");
    assertThat(mutual.virtualHost()).isEqualTo("admin.example.com:443");

    Listener https = sim.listener("0.0.0.0_8443").orElseThrow();
    assertThat(https.getListenerFiltersList())
        .extracting(f -> f.getName())
        .containsExactly("envoy.filters.listener.tls_inspector");
    FilterChain simple = https.getFilterChains(0);
    assertThat(simple.getFilterChainMatch().getServerNamesList())
        .containsExactly("bookinfo.example.com");
    DownstreamTlsContext ctx =
        simple.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
    CommonTlsContext common = ctx.getCommonTlsContext();
    assertThat(common.getAlpnProtocolsList()).containsExactly("h2", "http/1.1");
    assertThat(ctx.getRequireClientCertificate().getValue()).isFalse();
    SdsSecretConfig cert = common.getTlsCertificateSdsSecretConfigs(0);
    assertThat(cert.getName()).isEqualTo("kubernetes://bookinfo-cert");
    assertThat(cert.getSdsConfig().hasAds()).as("credentials come from istiod over ADS").isTrue();

    DownstreamTlsContext mutualCtx =
        https
            .getFilterChains(1)
            .getTransportSocket()
            .getTypedConfig()
            .unpack(DownstreamTlsContext.class);
    assertThat(mutualCtx.getRequireClientCertificate().getValue()).isTrue();
    CommonTlsContext.CombinedCertificateValidationContext validation =
        mutualCtx.getCommonTlsContext().getCombinedValidationContext();
    assertThat(validation.getValidationContextSdsSecretConfig().getName())
        .isEqualTo("kubernetes://admin-cert-cacert");
    @SuppressWarnings("deprecation")
    String san = validation.getDefaultValidationContext().getMatchSubjectAltNames(0).getExact();
    assertThat(san).isEqualTo("ops.example.com");
  }

  @Test
  void duplicateTlsHostsOnOnePortKeepTheFirstServer() {
    String gws =
        gateway(
                "first",
                "istio-system",
                "- port: {number: 443, name: https, protocol: HTTPS}\n"
                    + "  hosts: [a.example.com]\n"
                    + "  tls: {mode: SIMPLE, credentialName: one}")
            + "---\n"
            + gateway(
                "second",
                "istio-system",
                "- port: {number: 443, name: https, protocol: HTTPS}\n"
                    + "  hosts: [a.example.com]\n"
                    + "  tls: {mode: SIMPLE, credentialName: two}");
    TrafficSimulator sim = sim(gws);
    Listener l = sim.listener("0.0.0.0_443").orElseThrow();
    assertThat(l.getFilterChainsCount()).isEqualTo(1);
    assertThat(sim.run(http("a.example.com", 443).tls(Call.Tls.TLS).build()).routeConfig())
        .isEqualTo("https.443.https.first.istio-system");
  }

  @Test
  void withoutVirtualServicesTheRouteAnswers404() {
    TrafficSimulator sim = sim(GATEWAY_SERVICE, BOOKINFO_GATEWAY);
    Result r = sim.run(http("anything", 8080).build());
    assertThat(r.error()).contains(Failure.NO_ROUTE);
    assertThat(r.virtualHost()).isEqualTo("blackhole:80");
  }

  @Test
  void istioMutualTcpServerTerminatesMeshTlsAndForwards() throws InvalidProtocolBufferException {
    String gw =
        gateway(
            "east-west",
            "istio-system",
            "- port: {number: 15443, name: tls, protocol: TLS}\n"
                + "  hosts: [\"*.example.com\"]\n"
                + "  tls: {mode: ISTIO_MUTUAL}");
    String route =
        vs(
            "db",
            "default",
            "hosts: [db.example.com]\ngateways: [istio-system/east-west]\n"
                + "tcp:\n- route: [{destination: {host: db, port: {number: 5432}}}]");
    TrafficSimulator sim = sim(gw, route);
    Result r =
        sim.run(
            Call.tls("db.example.com", 15443).mode(Call.Mode.GATEWAY).tls(Call.Tls.MTLS).build());
    assertThat(r.ok()).as("%s", r).isTrue();
    assertThat(r.cluster()).isEqualTo("outbound|5432||db.default.svc.cluster.local");
    assertThat(sim.run(Call.tls("db.example.com", 15443).mode(Call.Mode.GATEWAY).build()).error())
        .as("ISTIO_MUTUAL requires the client's mesh certificate")
        .contains(Failure.MTLS_ERROR);
    DownstreamTlsContext ctx =
        sim.listener("0.0.0.0_15443")
            .orElseThrow()
            .getFilterChains(0)
            .getTransportSocket()
            .getTypedConfig()
            .unpack(DownstreamTlsContext.class);
    assertThat(ctx.getCommonTlsContext().getAlpnProtocolsList())
        .containsExactly("istio-peer-exchange", "istio");
    assertThat(ctx.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName())
        .isEqualTo("default");
    assertThat(
            ctx.getCommonTlsContext()
                .getCombinedValidationContext()
                .getValidationContextSdsSecretConfig()
                .getName())
        .isEqualTo("ROOTCA");
  }

  @Test
  void autoPassthroughRoutesBySniClusterName() {
    String gw =
        gateway(
            "cross-network",
            "istio-system",
            "- port: {number: 15443, name: tls, protocol: TLS}\n"
                + "  hosts: [\"*.local\"]\n"
                + "  tls: {mode: AUTO_PASSTHROUGH}");
    String dr =
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: productpage, namespace: default}
        spec:
          host: productpage
          subsets: [{name: v1, labels: {version: v1}}]
        """;
    TrafficSimulator sim = sim(PRODUCTPAGE, dr, gw);
    Call.Builder call =
        Call.tls("outbound_.9080_.v1_.productpage.default.svc.cluster.local", 15443)
            .mode(Call.Mode.GATEWAY)
            .tls(Call.Tls.MTLS);
    Result r = sim.run(call.build());
    assertThat(r.ok()).as("%s", r).isTrue();
    assertThat(r.cluster()).isEqualTo("outbound_.9080_.v1_.productpage.default.svc.cluster.local");
    assertThat(r.undefinedClusters()).as("the SNI-DNAT cluster is generated").isEmpty();
    Cluster sniCluster =
        sim.clusters().get("outbound_.9080_.v1_.productpage.default.svc.cluster.local");
    assertThat(sniCluster.hasTransportSocket() || sniCluster.getTransportSocketMatchesCount() > 0)
        .as("the client's mTLS passes through: no upstream TLS")
        .isFalse();
    assertThat(sniCluster.getEdsClusterConfig().getServiceName()).isEqualTo(sniCluster.getName());
    assertThat(sim.run(call.alpn("h2").build()).error())
        .as("only Istio mTLS ALPNs are accepted")
        .contains(Failure.NO_FILTER_CHAIN);
    assertThat(
            sim.run(
                    Call.tls("outbound_.9080_._.productpage.default.svc.cluster.local", 15443)
                        .mode(Call.Mode.GATEWAY)
                        .tls(Call.Tls.MTLS)
                        .build())
                .cluster())
        .isEqualTo("outbound_.9080_._.productpage.default.svc.cluster.local");
  }
}
