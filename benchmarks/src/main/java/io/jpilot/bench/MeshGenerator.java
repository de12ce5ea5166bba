package io.jpilot.bench;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes synthetic meshes as the Kubernetes/Istio YAML a user would apply, so benchmarks and the
 * load tool go through the same parser as real input.
 *
 * <p>Service {@code svc-<i>} lives in namespace {@code ns-<i % namespaces>} with one HTTP port
 * 8080, {@code pods} endpoints split over versions v1/v2, and optionally a VirtualService with an
 * 90/10 split plus a header match, and a DestinationRule with the two subsets.
 *
 * <p>A gateway shape adds one Gateway {@code istio-system/ingress} selecting {@code istio:
 * ingressgateway} with an HTTP server on port 80 for every host ({@code *}), and binds each
 * service's VirtualService to it (host {@code svc-<i>.example.com}) instead of to the mesh.
 */
public final class MeshGenerator {
  private MeshGenerator() {}

  /** A mesh shape: how many services, namespaces, endpoints per service, and whether VS/DR exist. */
  public record Shape(
      int services, int namespaces, int podsPerService, boolean routing, boolean gateway) {
    public Shape(int services, int namespaces, int podsPerService, boolean routing) {
      this(services, namespaces, podsPerService, routing, false);
    }
  }

  /** The Gateway of gateway shapes; select it with the labels {@link #GATEWAY_LABELS}. */
  public static final String GATEWAY = "istio-system/ingress";

  /** The labels of the ingress gateway pods a gateway shape's Gateway selects. */
  public static final Map<String, String> GATEWAY_LABELS =
      Map.of("istio", "ingressgateway", "app", "istio-ingressgateway");

  public static String yaml(Shape shape) {
    StringBuilder out = new StringBuilder(shape.services() * 2048);
    if (shape.gateway()) {
      out.append(
          """
          apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata: {name: ingress, namespace: istio-system}
          spec:
            selector: {istio: ingressgateway}
            servers:
            - port: {number: 80, name: http, protocol: HTTP}
              hosts: ["*"]
          ---
          """);
    }
    for (int i = 0; i < shape.services(); i++) {
      String name = "svc-" + i;
      String ns = "ns-" + (i % shape.namespaces());
      out.append(
          """
          apiVersion: v1
          kind: Service
          metadata: {name: %s, namespace: %s}
          spec:
            clusterIP: %s
            selector: {app: %s}
            ports: [{name: http, port: 8080, targetPort: 8080}]
          ---
          """
              .formatted(name, ns, vip(i), name));
      StringBuilder endpoints = new StringBuilder();
      for (int p = 0; p < shape.podsPerService(); p++) {
        String pod = name + "-" + p;
        String version = p % 2 == 0 ? "v1" : "v2";
        String ip = podIp(i, p);
        out.append(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: %s, namespace: %s, labels: {app: %s, version: %s}}
            spec: {nodeName: node-%d}
            status: {podIP: %s}
            ---
            """
                .formatted(pod, ns, name, version, p % 16, ip));
        endpoints.append(
            "  - addresses: [%s]\n    conditions: {ready: true}\n    zone: zone-%d\n    targetRef: {kind: Pod, name: %s}\n"
                .formatted(ip, p % 3, pod));
      }
      out.append(
          """
          apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: %s-slice, namespace: %s, labels: {kubernetes.io/service-name: %s}}
          addressType: IPv4
          ports: [{name: http, port: 8080}]
          endpoints:
          """
              .formatted(name, ns, name));
      out.append(endpoints.length() == 0 ? "  []\n" : endpoints).append("---\n");
      if (shape.routing()) {
        String bind =
            shape.gateway()
                ? "hosts: [%s.example.com]\n  gateways: [%s]".formatted(name, GATEWAY)
                : "hosts: [" + name + "]";
        out.append(
            """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: %s, namespace: %s}
            spec:
              %s
              http:
              - match: [{headers: {x-canary: {exact: "true"}}}]
                route: [{destination: {host: %s, subset: v2}}]
              - route:
                - {destination: {host: %s, subset: v1}, weight: 90}
                - {destination: {host: %s, subset: v2}, weight: 10}
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: %s, namespace: %s}
            spec:
              host: %s
              subsets:
              - {name: v1, labels: {version: v1}}
              - {name: v2, labels: {version: v2}}
            ---
            """
                .formatted(name, ns, bind, name, name, name, name, ns, name));
      }
    }
    return out.toString();
  }

  /** Parses the generated YAML and builds a snapshot; fails loudly on any parser error. */
  public static MeshSnapshot snapshot(Shape shape) {
    return MeshSnapshot.build(1, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX, objects(shape));
  }

  public static List<MeshObject> objects(Shape shape) {
    ParsedFile parsed =
        ConfigFileParser.parse("generated.yaml", yaml(shape), MeshSnapshot.DEFAULT_DOMAIN_SUFFIX);
    List<Diagnostic> errors = new ArrayList<>();
    for (Diagnostic d : parsed.diagnostics()) {
      if (d.severity() == Diagnostic.Severity.ERROR) {
        errors.add(d);
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException("generated mesh does not parse: " + errors.get(0));
    }
    return parsed.objects();
  }

  static String vip(int service) {
    return "10.96." + (service / 250) + "." + (service % 250 + 1);
  }

  static String podIp(int service, int pod) {
    int n = service * 1024 + pod;
    return "10." + (64 + (n >> 16)) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
  }
}
