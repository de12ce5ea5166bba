package io.jpilot.model.parse;

import static io.jpilot.model.parse.KubernetesObjectParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.config.ServiceEntry;
import io.jpilot.model.config.WorkloadEndpoint;
import io.jpilot.model.config.WorkloadEntry;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceEntryParserTest {

  static String se(String spec) {
    return "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n"
        + "metadata: {name: external, namespace: default}\nspec: "
        + spec
        + "\n";
  }

  static String we(String spec) {
    return "apiVersion: networking.istio.io/v1\nkind: WorkloadEntry\n"
        + "metadata: {name: vm-1, namespace: default, labels: {app: ratings, team: a}}\nspec: "
        + spec
        + "\n";
  }

  @Test
  void serviceEntryFieldsAreMapped() {
    ParseResult r =
        parse(
            se(
                "{hosts: [api.example.com], addresses: [10.1.0.0/24], location: MESH_INTERNAL,"
                    + " resolution: STATIC, ports: [{number: 80, name: http, protocol: HTTP,"
                    + " targetPort: 8080}, {number: 443, name: tls, protocol: TLS}], endpoints:"
                    + " [{address: 10.1.0.5, ports: {http: 9090}, labels: {v: a}, locality:"
                    + " us/east, weight: 3, serviceAccount: api}], exportTo: [\".\"],"
                    + " subjectAltNames: [spiffe://cluster.local/ns/x/sa/api]}"));
    assertThat(r.diagnostics()).isEmpty();
    ServiceEntry e = (ServiceEntry) r.object().orElseThrow();
    assertThat(e.hosts()).containsExactly("api.example.com");
    assertThat(e.addresses()).containsExactly("10.1.0.0/24");
    assertThat(e.location()).isEqualTo(ServiceEntry.Location.MESH_INTERNAL);
    assertThat(e.resolution()).isEqualTo(ServiceEntry.Resolution.STATIC);
    assertThat(e.ports())
        .containsExactly(
            new ServiceEntry.Port(80, "HTTP", "http", 8080),
            new ServiceEntry.Port(443, "TLS", "tls", 0));
    assertThat(e.endpoints()).hasSize(1);
    WorkloadEndpoint ep = e.endpoints().get(0);
    assertThat(ep.address()).isEqualTo("10.1.0.5");
    assertThat(ep.ports()).containsEntry("http", 9090);
    assertThat(ep.labels()).containsEntry("v", "a");
    assertThat(ep.locality()).isEqualTo("us/east");
    assertThat(ep.weight()).isEqualTo(3);
    assertThat(ep.serviceAccount()).isEqualTo("api");
    assertThat(e.workloadSelector()).isEmpty();
    assertThat(e.exportTo()).containsExactly(".");
    assertThat(e.subjectAltNames()).containsExactly("spiffe://cluster.local/ns/x/sa/api");
  }

  @Test
  void defaultsAreMeshExternalAndNone() {
    ParseResult r =
        parse(
            se(
                "{hosts: [\"*.example.com\"], ports: [{number: 443, name: tls, protocol: TLS}],"
                    + " workloadSelector: {labels: {app: egress}}}"));
    ServiceEntry e = (ServiceEntry) r.object().orElseThrow();
    assertThat(e.location()).isEqualTo(ServiceEntry.Location.MESH_EXTERNAL);
    assertThat(e.resolution()).isEqualTo(ServiceEntry.Resolution.NONE);
    assertThat(e.workloadSelector()).contains(Map.of("app", "egress"));
    // only a warning: NONE with a selector
    assertThat(r.hasErrors()).isFalse();
    assertThat(messages(r))
        .contains("workloadSelector should not be set when resolution mode is NONE");
  }

  @Test
  void workloadEntryMergesMetadataLabelsOverSpecLabels() {
    ParseResult r =
        parse(
            we(
                "{address: 10.0.0.7, labels: {app: old, version: v1}, ports: {http: 8080},"
                    + " serviceAccount: ratings, network: vpc-1, locality: us/east/a, weight: 2}"));
    assertThat(r.diagnostics()).isEmpty();
    WorkloadEntry w = (WorkloadEntry) r.object().orElseThrow();
    assertThat(w.spec().labels())
        .containsEntry("app", "ratings")
        .containsEntry("version", "v1")
        .containsEntry("team", "a");
    assertThat(w.spec().address()).isEqualTo("10.0.0.7");
    assertThat(w.spec().ports()).containsEntry("http", 8080);
    assertThat(w.spec().serviceAccount()).isEqualTo("ratings");
    assertThat(w.spec().network()).isEqualTo("vpc-1");
    assertThat(w.spec().weight()).isEqualTo(2);
  }

  /** validation-cases.md rows 82-98 and ValidateWorkloadEntry, with istiod's texts. */
  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of(se("{hosts: [\"*\"]}"), "spec.hosts[0]", "invalid host *"),
        Arguments.of(
            se("{hosts: [example.com], addresses: [1.2.3.4/16], resolution: DNS}"),
            "spec.addresses",
            "CIDR addresses are allowed only for NONE/STATIC resolution types"),
        Arguments.of(
            se(
                "{hosts: [example.com], addresses: [1.2.3.4], ports: [{name: a, number: 1},"
                    + " {name: a, number: 12}]}"),
            "spec.ports[1].name",
            "service entry port name \"a\" already defined"),
        Arguments.of(
            se("{hosts: [example.com], addresses: [1.2.3.4], ports: [{name: a, number: 99999}]}"),
            "spec.ports[0].number",
            "port number 99999 must be in the range 1..65535"),
        Arguments.of(
            se("{hosts: [example.com], resolution: NONE, endpoints: [{address: 1.2.3.4}]}"),
            "spec.endpoints",
            "no endpoints should be provided for resolution type none"),
        Arguments.of(
            se(
                "{hosts: [example.com], resolution: DNS_ROUND_ROBIN, endpoints: [{address:"
                    + " a.example.com}, {address: b.example.com}]}"),
            "spec.endpoints",
            "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN"),
        Arguments.of(
            se(
                "{hosts: [a.com, b.com], ports: [{number: 3306, name: tcp, protocol: TCP}],"
                    + " resolution: DNS}"),
            "spec.ports[0]",
            "multiple hosts provided with non-HTTP, non-TLS ports"),
        Arguments.of(
            se(
                "{hosts: [a.com], resolution: STATIC, ports: [{number: 80, name: http, protocol:"
                    + " HTTP}], endpoints: [{address: foo.com}]}"),
            "spec.endpoints[0].address",
            "endpoint address \"foo.com\" is not a valid IP address"),
        Arguments.of(
            se(
                "{hosts: [example.com], workloadSelector: {labels: {app: a}}, endpoints:"
                    + " [{address: 1.2.3.4}]}"),
            "spec",
            "only one of WorkloadSelector or Endpoints is allowed in Service Entry"),
        Arguments.of(
            se("{hosts: [example.com], exportTo: [\"~\", ns1]}"),
            "spec.exportTo",
            "cannot export service entry to no one (~) and someone"),
        Arguments.of(
            se(
                "{hosts: [a.com], resolution: STATIC, ports: [{number: 80, name: http, protocol:"
                    + " HTTP}], endpoints: [{address: 1.2.3.4, ports: {grpc: 90}}]}"),
            "spec.endpoints[0].ports.grpc",
            "endpoint port 90 is not defined by the service entry"),
        Arguments.of(
            se("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTPX}]}"),
            "spec.ports[0].protocol",
            "unsupported protocol: HTTPX"),
        Arguments.of(
            se("{ports: [{number: 80, name: http}]}"),
            "spec.hosts",
            "service entry must have at least one host"),
        Arguments.of(we("{labels: {a: b}}"), "spec.address", "address is required"),
        Arguments.of(
            we("{address: \"unix:///sock\", ports: {http: 80}}"),
            "spec.ports",
            "unix endpoint unix:///sock must not include ports"),
        Arguments.of(
            we("{address: \"not_a_host\"}"),
            "spec.address",
            "endpoint address \"not_a_host\" is not a valid FQDN or an IP address"));
  }

  @ParameterizedTest
  @MethodSource("rejected")
  void rejectedWithIstiodsText(String yaml, String path, String message) {
    ParseResult r = parse(yaml);
    assertThat(r.object()).isEmpty();
    assertThat(r.diagnostics())
        .anySatisfy(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.ERROR);
              assertThat(d.path()).isEqualTo(path);
              assertThat(d.message()).isEqualTo(message);
            });
  }

  @Test
  void warningsKeepTheObject() {
    // row 97: TCP port without addresses; row 98: a partial wildcard
    ParseResult tcp =
        parse(
            se(
                "{hosts: [example.com], ports: [{number: 3306, name: tcp, protocol: TCP}],"
                    + " resolution: DNS}"));
    assertThat(tcp.object()).isPresent();
    assertThat(messages(tcp))
        .contains(
            "addresses are required for ports serving TCP (or unset) protocol when IP"
                + " Autoallocation is not enabled");
    ParseResult wildcard =
        parse(
            se(
                "{hosts: [\"*foo.example.com\"], resolution: STATIC, ports: [{number: 80, name:"
                    + " http, protocol: HTTP}], endpoints: [{address: 1.2.3.4}]}"));
    assertThat(wildcard.object()).isPresent();
    assertThat(wildcard.diagnostics())
        .anySatisfy(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.WARNING);
              assertThat(d.path()).isEqualTo("spec.hosts[0]");
              assertThat(d.message())
                  .isEqualTo("partial wildcard \"*foo.example.com\" not allowed");
            });
  }

  @Test
  void unknownFieldIsNamed() {
    ParseResult r = parse(se("{hosts: [a.com], resolutoin: DNS}"));
    assertThat(r.object()).isEmpty();
    assertThat(r.diagnostics()).anySatisfy(d -> assertThat(d.path()).isEqualTo("spec.resolutoin"));
  }

  private static List<String> messages(ParseResult r) {
    return r.diagnostics().stream().map(Diagnostic::message).toList();
  }
}
