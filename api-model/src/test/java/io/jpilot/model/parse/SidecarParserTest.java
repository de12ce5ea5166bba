package io.jpilot.model.parse;

import static io.jpilot.model.parse.KubernetesObjectParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.config.CaptureMode;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.L4Match;
import io.jpilot.model.config.OutboundTrafficPolicy;
import io.jpilot.model.config.Sidecar;
import io.jpilot.model.config.SidecarEgressListener;
import io.jpilot.model.config.SidecarIngressListener;
import io.jpilot.model.config.SidecarPort;
import io.jpilot.model.config.TlsMatch;
import io.jpilot.model.config.VirtualService;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sidecar parsing and istiod's ValidateSidecar checks; VirtualService tcp and tls routes. */
class SidecarParserTest {
  private static String sidecar(String spec) {
    StringBuilder sb =
        new StringBuilder(
            "apiVersion: networking.istio.io/v1\nkind: Sidecar\n"
                + "metadata: {name: sc, namespace: ns1}\nspec:\n");
    for (String line : spec.split("\n")) {
      sb.append("  ").append(line).append('\n');
    }
    return sb.toString();
  }

  private static List<String> errors(ParseResult r) {
    return r.diagnostics().stream()
        .filter(d -> d.severity() == Severity.ERROR)
        .map(d -> d.path() + ": " + d.message())
        .toList();
  }

  private static List<String> warnings(ParseResult r) {
    return r.diagnostics().stream()
        .filter(d -> d.severity() == Severity.WARNING)
        .map(d -> d.path() + ": " + d.message())
        .toList();
  }

  @Test
  void everyFieldIsMapped() {
    ParseResult r =
        parse(
            sidecar(
                """
                workloadSelector: {labels: {app: consumeronly}}
                ingress:
                - port: {number: 9080, protocol: HTTP, name: http-admin}
                  defaultEndpoint: 127.0.0.1:8080
                  captureMode: IPTABLES
                egress:
                - port: {number: 3306, protocol: MYSQL, name: mysql}
                  bind: 127.0.0.2
                  captureMode: NONE
                  hosts: ["ns2/mysql.ns2.svc.cluster.local"]
                - hosts: ["ns1/*", "~ns1/secret.ns1.svc.cluster.local", "ns2/*.example.com"]
                outboundTrafficPolicy:
                  mode: ALLOW_ANY
                  egressProxy: {host: egress.istio-system.svc.cluster.local, port: {number: 443}}
                """));
    assertThat(r.diagnostics()).isEmpty();
    Sidecar sc = (Sidecar) r.object().orElseThrow();
    assertThat(sc.workloadSelector()).contains(Map.of("app", "consumeronly"));
    assertThat(sc.ingress())
        .containsExactly(
            new SidecarIngressListener(
                new SidecarPort(9080, "HTTP", "http-admin"),
                "",
                CaptureMode.IPTABLES,
                "127.0.0.1:8080"));
    assertThat(sc.egress())
        .containsExactly(
            new SidecarEgressListener(
                Optional.of(new SidecarPort(3306, "MYSQL", "mysql")),
                "127.0.0.2",
                CaptureMode.NONE,
                List.of("ns2/mysql.ns2.svc.cluster.local")),
            new SidecarEgressListener(
                Optional.empty(),
                "",
                CaptureMode.DEFAULT,
                List.of("ns1/*", "~ns1/secret.ns1.svc.cluster.local", "ns2/*.example.com")));
    assertThat(sc.outboundTrafficPolicy())
        .contains(
            new OutboundTrafficPolicy(
                OutboundTrafficPolicy.Mode.ALLOW_ANY,
                Optional.of(new Destination("egress.istio-system.svc.cluster.local", "", 443))));
  }

  @Test
  void anUnsetModeIsRegistryOnlyAndNoSelectorSelectsTheNamespace() {
    Sidecar sc = (Sidecar) parse(sidecar("outboundTrafficPolicy: {}")).object().orElseThrow();
    assertThat(sc.outboundTrafficPolicy().orElseThrow().mode())
        .isEqualTo(OutboundTrafficPolicy.Mode.REGISTRY_ONLY);
    assertThat(sc.workloadSelector()).isEmpty();
    assertThat(sc.selects(Map.of("any", "thing"))).isTrue();
  }

  @Test
  void emptySidecarsAreRejected() {
    assertThat(errors(parse(sidecar("workloadSelector: {labels: {app: a}}"))))
        .containsExactly("spec: sidecar: empty configuration provided");
  }

  @Test
  void ingressChecks() {
    ParseResult r =
        parse(
            sidecar(
                """
                ingress:
                - defaultEndpoint: 127.0.0.1:80
                - port: {number: 9080, protocol: HTTP, name: Bad_Name}
                  defaultEndpoint: 10.0.0.1:8080
                - port: {number: 9080, protocol: BOGUS}
                  bind: not-an-ip
                  defaultEndpoint: 127.0.0.1:http
                - port: {number: 9081, protocol: HTTP, targetPort: 8080}
                  defaultEndpoint: 127.0.0.1
                """));
    assertThat(errors(r))
        .containsExactly(
            "spec.ingress[0]: sidecar: port is required for ingress listeners",
            "spec.ingress[1].port.name: invalid port name: Bad_Name",
            "spec.ingress[1].defaultEndpoint: sidecar: defaultEndpoint must be of form"
                + " 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset",
            "spec.ingress[2].port.protocol: unsupported protocol: BOGUS",
            "spec.ingress[2].bind: not-an-ip is not a valid IP",
            "spec.ingress[2].port: sidecar: ports on IP bound listeners must be unique",
            "spec.ingress[2].defaultEndpoint: sidecar: defaultEndpoint port (http) is not a number:"
                + " strconv.Atoi: parsing \"http\": invalid syntax",
            "spec.ingress[3].port.targetPort: targetPort has no impact on Sidecars",
            "spec.ingress[3].defaultEndpoint: address 127.0.0.1: missing port in address");
  }

  @Test
  void egressChecks() {
    ParseResult r =
        parse(
            sidecar(
                """
                egress:
                - hosts: ["*/*"]
                - port: {number: 0, protocol: HTTP}
                  hosts: ["ns1/a.ns1.svc.cluster.local"]
                - port: {number: 8080, protocol: HTTP}
                  hosts: []
                - port: {number: 8080, protocol: HTTP}
                  hosts: ["a.ns1.svc.cluster.local", "ns1/short", "Bad_NS/x.example.com",
                          "ns1/foo*.example.com"]
                - hosts: ["*/*"]
                """));
    assertThat(errors(r))
        .containsExactly(
            "spec.egress[0]: sidecar: the egress listener with empty port should be the last"
                + " listener in the list",
            "spec.egress[1].bind: sidecar: ports with 0 value must have a unix domain socket bind"
                + " address",
            "spec.egress[2].hosts: sidecar: egress listener must contain at least one host",
            "spec.egress[3].port: sidecar: ports on IP bound listeners must be unique",
            "spec.egress[3].hosts[0]: host must be of form namespace/dnsName",
            "spec.egress[3].hosts[1]: short names (non FQDN) are not allowed",
            "spec.egress[3].hosts[2]: invalid namespace value \"Bad_NS\" in sidecar",
            "spec.egress[3].hosts[3]: domain name \"foo*.example.com\" invalid (label \"foo*\""
                + " invalid)",
            "spec.egress[3].hosts[3]: partial wildcard \"foo*.example.com\" not allowed");
  }

  @Test
  void egressWarnings() {
    ParseResult r =
        parse(
            sidecar(
                """
                workloadSelector: {}
                egress:
                - hosts: ["*/*", "ns1/*", "ns1/a.ns1.svc.cluster.local"]
                """));
    assertThat(errors(r)).isEmpty();
    assertThat(r.object()).isPresent();
    assertThat(warnings(r))
        .containsExactly(
            "spec.workloadSelector: sidecar: workload selector specified without labels, will be"
                + " applied to all services in namespace",
            "spec.egress[0].hosts[2]: duplicated egress host: ns1/a.ns1.svc.cluster.local",
            "spec.egress[0].hosts: `*/*` host select all resources, no other hosts can be added");
  }

  @Test
  void outboundTrafficPolicyChecks() {
    assertThat(
            errors(
                parse(
                    sidecar(
                        """
                        outboundTrafficPolicy:
                          mode: REGISTRY_ONLY
                          egressProxy: {host: egress.example.com, port: {number: 443}}
                        """))))
        .containsExactly(
            "spec.outboundTrafficPolicy.egressProxy: sidecar: egress_proxy must be set only with"
                + " ALLOW_ANY outbound_traffic_policy mode");
    assertThat(
            errors(
                parse(
                    sidecar(
                        """
                        outboundTrafficPolicy:
                          mode: ALLOW_ANY
                          egressProxy: {host: egress.example.com}
                        """))))
        .containsExactly(
            "spec.outboundTrafficPolicy.egressProxy.port: sidecar: egress_proxy port must be"
                + " non-nil");
    assertThat(errors(parse(sidecar("outboundTrafficPolicy: {mode: ALLOW_ANY_DYNAMIC_DNS}"))))
        .containsExactly(
            "spec.outboundTrafficPolicy.mode: sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only"
                + " supported in MeshConfig, not in Sidecar resource");
  }

  @Test
  void unknownFieldsAreNamed() {
    assertThat(errors(parse(sidecar("egress:\n- hosts: [\"*/*\"]\n  portz: 1"))))
        .singleElement()
        .asString()
        .startsWith("spec.egress[0].portz: unknown field");
  }

  @Test
  void virtualServiceTcpAndTlsRoutesAreMapped() {
    ParseResult r =
        parse(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: l4, namespace: ns1}
            spec:
              hosts: [db.ns1.svc.cluster.local, "*.example.com"]
              tcp:
              - match:
                - {port: 3306, destinationSubnets: [10.0.0.0/8], sourceLabels: {app: a},
                   gateways: [mesh], sourceNamespace: ns1}
                route:
                - destination: {host: db, subset: v1, port: {number: 3306}}
                  weight: 90
                - destination: {host: db, subset: v2}
                  weight: 10
              tls:
              - match:
                - sniHosts: [a.example.com]
                  port: 443
                route:
                - destination: {host: a.ns1.svc.cluster.local}
            """);
    assertThat(r.diagnostics()).isEmpty();
    VirtualService vs = (VirtualService) r.object().orElseThrow();
    assertThat(vs.tcp()).hasSize(1);
    assertThat(vs.tcp().get(0).match())
        .containsExactly(
            new L4Match(List.of("10.0.0.0/8"), 3306, Map.of("app", "a"), List.of("mesh"), "ns1"));
    assertThat(vs.tcp().get(0).route())
        .extracting(d -> d.destination().subset() + "=" + d.weight() + "@" + d.destination().port())
        .containsExactly("v1=90@3306", "v2=10@0");
    assertThat(vs.tls().get(0).match())
        .containsExactly(
            new TlsMatch(List.of("a.example.com"), List.of(), 443, Map.of(), List.of(), ""));
    assertThat(vs.tls().get(0).route().get(0).destination().host())
        .isEqualTo("a.ns1.svc.cluster.local");
  }

  @Test
  void serviceExportToComesFromTheAnnotation() {
    ParseResult r =
        parse(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: s
              namespace: ns1
              annotations: {networking.istio.io/exportTo: ".,ns2"}
            spec:
              ports: [{name: http, port: 80}]
            """);
    io.jpilot.model.registry.Service s =
        (io.jpilot.model.registry.Service) r.object().orElseThrow();
    assertThat(s.exportTo()).containsExactly(".", "ns2");
    assertThat(s.visibleTo("ns1")).isTrue();
    assertThat(s.visibleTo("ns2")).isTrue();
    assertThat(s.visibleTo("ns3")).isFalse();
  }
}
