package io.jpilot.model.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Namespace;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KubernetesObjectParserTest {

  static ParseResult parse(String yaml) {
    ReadResult read = DocumentReader.read("test.yaml", yaml);
    assertThat(read.diagnostics()).isEmpty();
    assertThat(read.documents()).hasSize(1);
    return ObjectParser.parse(read.documents().get(0).node(), "test.yaml", "cluster.local");
  }

  @Test
  void service() {
    ParseResult r =
        parse(
            "apiVersion: v1\n"
                + "kind: Service\n"
                + "metadata:\n"
                + "  name: reviews\n"
                + "  namespace: shop\n"
                + "  labels: {app: reviews}\n"
                + "spec:\n"
                + "  clusterIP: 10.96.0.7\n"
                + "  selector: {app: reviews}\n"
                + "  ports:\n"
                + "  - {name: http-web, port: 9080, targetPort: 8080}\n"
                + "  - {name: grpc, port: 9090, targetPort: grpc-port}\n"
                + "  - {name: db, port: 5432, appProtocol: tcp}\n"
                + "  - {name: dns, port: 53, protocol: UDP}\n");

    assertThat(r.diagnostics()).isEmpty();
    Service s = (Service) r.object().orElseThrow();
    assertThat(s.hostname()).isEqualTo("reviews.shop.svc.cluster.local");
    assertThat(s.key()).isEqualTo(new ConfigKey("Service", "shop", "reviews"));
    assertThat(s.clusterIp()).isEqualTo("10.96.0.7");
    assertThat(s.selector()).isEqualTo(Map.of("app", "reviews"));
    assertThat(s.labels()).isEqualTo(Map.of("app", "reviews"));
    assertThat(s.ports())
        .containsExactly(
            new ServicePort("http-web", 9080, 8080, "", Protocol.HTTP),
            new ServicePort("grpc", 9090, 0, "grpc-port", Protocol.GRPC),
            new ServicePort("db", 5432, 5432, "", Protocol.TCP),
            new ServicePort("dns", 53, 53, "", Protocol.UDP));
  }

  @Test
  void serviceDefaultsNamespaceAndHeadlessClusterIp() {
    Service s =
        (Service)
            parse(
                    "apiVersion: v1\n"
                        + "kind: Service\n"
                        + "metadata: {name: db}\n"
                        + "spec:\n"
                        + "  clusterIP: None\n"
                        + "  ports: [{port: 5432}]\n")
                .object()
                .orElseThrow();
    assertThat(s.namespace()).isEqualTo("default");
    assertThat(s.hostname()).isEqualTo("db.default.svc.cluster.local");
    assertThat(s.clusterIp()).isEmpty();
    assertThat(s.ports())
        .containsExactly(new ServicePort("", 5432, 5432, "", Protocol.UNSUPPORTED));

    Service noIp =
        (Service)
            parse("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {}\n")
                .object()
                .orElseThrow();
    assertThat(noIp.clusterIp()).isEmpty();
    assertThat(noIp.ports()).isEmpty();
  }

  @Test
  void serviceWithBadPortIsAnError() {
    ParseResult r =
        parse(
            "apiVersion: v1\n"
                + "kind: Service\n"
                + "metadata: {name: x}\n"
                + "spec:\n"
                + "  ports:\n"
                + "  - {name: http, port: \"80\"}\n"
                + "  - {name: b}\n");
    assertThat(r.object()).isEmpty();
    assertThat(r.diagnostics())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "ERROR Service default/x (test.yaml): spec.ports[0].port: expected an integer, got"
                + " string \"80\"; remove the quotes",
            "ERROR Service default/x (test.yaml): spec.ports[1].port: required field is missing");
  }

  @Test
  void endpointSlice() {
    ParseResult r =
        parse(
            "apiVersion: discovery.k8s.io/v1\n"
                + "kind: EndpointSlice\n"
                + "metadata:\n"
                + "  name: reviews-abc\n"
                + "  labels: {kubernetes.io/service-name: reviews}\n"
                + "addressType: IPv4\n"
                + "ports: [{name: http, port: 9080, protocol: TCP}]\n"
                + "endpoints:\n"
                + "- addresses: [10.244.0.5]\n"
                + "  zone: us-east1-b\n"
                + "  nodeName: node-1\n"
                + "  targetRef: {kind: Pod, name: reviews-v1-x, namespace: default}\n"
                + "- addresses: [10.244.0.6, 10.244.0.7]\n"
                + "  conditions: {ready: false}\n"
                + "  targetRef: {kind: Node, name: n}\n");

    assertThat(r.diagnostics()).isEmpty();
    EndpointSlice es = (EndpointSlice) r.object().orElseThrow();
    assertThat(es.serviceName()).isEqualTo("reviews");
    assertThat(es.namespace()).isEqualTo("default");
    assertThat(es.ports()).containsExactly(new EndpointSlice.Port("http", 9080));
    assertThat(es.endpoints())
        .containsExactly(
            new EndpointSlice.Entry(
                List.of("10.244.0.5"), true, "us-east1-b", "node-1", "reviews-v1-x"),
            new EndpointSlice.Entry(List.of("10.244.0.6", "10.244.0.7"), false, "", "", ""));
  }

  @Test
  void endpointSliceNeedsServiceNameLabel() {
    ParseResult r =
        parse(
            "apiVersion: discovery.k8s.io/v1\n"
                + "kind: EndpointSlice\n"
                + "metadata: {name: s, namespace: ns1}\n"
                + "addressType: IPv4\n"
                + "endpoints: []\n");

    assertThat(r.object()).isEmpty();
    assertThat(r.key()).isEqualTo(new ConfigKey("EndpointSlice", "ns1", "s"));
    assertThat(r.diagnostics())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "ERROR EndpointSlice ns1/s (test.yaml):"
                + " metadata.labels[\"kubernetes.io/service-name\"]: required label is missing: it"
                + " names the Service this slice belongs to");
  }

  @Test
  void pod() {
    ParseResult r =
        parse(
            "apiVersion: v1\n"
                + "kind: Pod\n"
                + "metadata:\n"
                + "  name: reviews-v1-x\n"
                + "  labels:\n"
                + "    app: reviews\n"
                + "    version: v1\n"
                + "    topology.kubernetes.io/region: us-east1\n"
                + "    topology.kubernetes.io/zone: us-east1-b\n"
                + "spec: {nodeName: node-1, containers: [{name: c, image: i}]}\n"
                + "status:\n"
                + "  phase: Running\n"
                + "  podIP: 10.244.0.5\n"
                + "  podIPs: [{ip: 10.244.0.5}, {ip: 'fd00::5'}]\n");

    assertThat(r.diagnostics()).isEmpty();
    Pod p = (Pod) r.object().orElseThrow();
    assertThat(p.ips()).containsExactly("10.244.0.5", "fd00::5");
    assertThat(p.nodeName()).isEqualTo("node-1");
    assertThat(p.labels()).containsEntry("version", "v1");
    assertThat(p.locality()).isEqualTo(new Locality("us-east1", "us-east1-b", ""));

    Pod pending =
        (Pod) parse("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n").object().orElseThrow();
    assertThat(pending.ips()).isEmpty();
    assertThat(pending.locality()).isEqualTo(Locality.NONE);
  }

  @Test
  void namespace() {
    ParseResult r =
        parse(
            "apiVersion: v1\n"
                + "kind: Namespace\n"
                + "metadata: {name: shop, labels: {istio-injection: enabled}}\n");
    Namespace ns = (Namespace) r.object().orElseThrow();
    assertThat(ns).isEqualTo(new Namespace("shop", Map.of("istio-injection", "enabled")));
    assertThat(ns.key()).isEqualTo(new ConfigKey("Namespace", "", "shop"));
  }

  @Test
  void unknownKindIsANonFatalNote() {
    ParseResult r = parse("apiVersion: x/y\nkind: Foo\nmetadata: {name: f}\n");

    assertThat(r.object()).isEmpty();
    assertThat(r.hasErrors()).isFalse();
    assertThat(r.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.INFO);
              assertThat(d.message()).isEqualTo("Foo (x/y) is not handled by jpilot; not checked");
              assertThat(d.object()).isEqualTo("Foo default/f");
            });

    ParseResult oldSlice =
        parse("apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\nmetadata: {name: s}\n");
    assertThat(oldSlice.diagnostics())
        .singleElement()
        .extracting(Diagnostic::message)
        .isEqualTo("unsupported kind EndpointSlice (apiVersion discovery.k8s.io/v1beta1); skipped");
  }

  @Test
  void missingNameKindOrApiVersionIsAnError() {
    ParseResult noName =
        parse("apiVersion: v1\nkind: Service\nmetadata: {namespace: a}\nspec: {}\n");
    assertThat(noName.object()).isEmpty();
    assertThat(noName.diagnostics())
        .extracting(Diagnostic::toString)
        .containsExactly("ERROR Service (test.yaml): metadata.name: required field is missing");

    ParseResult noKind = parse("apiVersion: v1\nmetadata: {name: a}\n");
    assertThat(noKind.hasErrors()).isTrue();
    assertThat(noKind.diagnostics()).singleElement().extracting(Diagnostic::path).isEqualTo("kind");

    ParseResult notAnObject = parse("just a string\n");
    assertThat(notAnObject.diagnostics())
        .singleElement()
        .extracting(Diagnostic::message)
        .asString()
        .startsWith("expected a Kubernetes object");
  }

  @Test
  void invalidNamesAndMetadataFields() {
    ParseResult r =
        parse(
            "apiVersion: v1\n"
                + "kind: Pod\n"
                + "metadata: {name: Bad_Name, namespace: -ns, lables: {a: b}}\n");
    assertThat(r.object()).isEmpty();
    assertThat(r.diagnostics())
        .extracting(Diagnostic::path)
        .containsExactly("metadata.lables", "metadata.name", "metadata.namespace");
    assertThat(r.diagnostics().get(0).message())
        .isEqualTo("unknown field \"lables\"; did you mean \"labels\"?");
  }
}
