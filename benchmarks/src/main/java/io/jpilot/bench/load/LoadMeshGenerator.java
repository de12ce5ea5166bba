package io.jpilot.bench.load;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the load tool's meshes as Kubernetes/Istio YAML into a config directory that jpilot
 * watches, and applies the measured changes by atomically replacing files in it.
 *
 * <p>Shape: {@code services} services {@code svc-<i>} in namespaces {@code ns-<i % namespaces>}
 * (namespaces = min(100, services)), each with one HTTP port 8080, {@code podsPerService} pods
 * (versions v1/v2 alternating), one EndpointSlice, a VirtualService splitting 90/10 between subsets
 * v1 and v2, and a DestinationRule defining them. When scoped, there is also a namespace {@code
 * shared} with {@value #SHARED_SERVICES} such services, a service {@code roll} with {@code rollPods}
 * pods (no routing), and one Sidecar per namespace importing {@code ./*} and {@code shared/*}.
 * Proxies are client workloads (not endpoints of any service), spread round-robin over the
 * namespaces.
 *
 * <p>Files per namespace: {@code <ns>/config.yaml} (Services, VirtualServices, DestinationRules,
 * Sidecar), {@code <ns>/pods.yaml}, {@code <ns>/slices.yaml}; the roll service has its own {@code
 * shared/roll-pods.yaml} and {@code shared/roll-slice.yaml}. Writes go to a staging directory
 * beside the config directory and are moved into place atomically.
 */
final class LoadMeshGenerator {
  static final String SHARED = "shared";
  static final int SHARED_SERVICES = 10;
  static final String ROLL = "roll";
  static final String OLD_PREFIX = "10.100.";
  static final String NEW_PREFIX = "10.101.";
  static final String MOVED_IP = "10.99.0.1";

  /**
   * @param services services outside the shared namespace
   * @param proxies simulated sidecars
   * @param podsPerService pods (endpoints) per service
   * @param scoped whether the shared namespace, the roll service and the Sidecars exist
   * @param rollPods pods of the roll service (scoped meshes only)
   */
  record Shape(int services, int proxies, int podsPerService, boolean scoped, int rollPods) {
    Shape {
      if (services < 1) {
        throw new IllegalArgumentException("services: " + services + " (expected: >= 1)");
      }
      if (proxies < 1) {
        throw new IllegalArgumentException("proxies: " + proxies + " (expected: >= 1)");
      }
      if (podsPerService < 1 || podsPerService > 1000) {
        throw new IllegalArgumentException(
            "podsPerService: " + podsPerService + " (expected: 1..1000)");
      }
      if (rollPods < 1 || rollPods > 60000) {
        throw new IllegalArgumentException("rollPods: " + rollPods + " (expected: 1..60000)");
      }
    }

    int namespaces() {
      return Math.min(100, services);
    }
  }

  private final Shape shape;
  private final Path config;
  private final Path staging;

  // Mutable state of the changes.
  private int svc0WeightV1 = 90;
  private boolean svc0Pod0Moved;
  private int rollAdded;
  private int rollRemoved;
  private int rollSurge;

  LoadMeshGenerator(Shape shape, Path root) {
    this.shape = requireNonNull(shape, "shape");
    this.config = root.resolve("config");
    this.staging = root.resolve("staging");
  }

  Shape shape() {
    return shape;
  }

  Path configDir() {
    return config;
  }

  static String namespace(int service, Shape shape) {
    return "ns-" + (service % shape.namespaces());
  }

  /** Writes the whole mesh. */
  void writeAll() throws IOException {
    Files.createDirectories(config);
    Files.createDirectories(staging);
    for (int n = 0; n < shape.namespaces(); n++) {
      writeNamespace("ns-" + n);
    }
    if (shape.scoped()) {
      writeNamespace(SHARED);
      writeRoll();
    }
  }

  /** The sidecars: client pods spread round-robin over the service namespaces. */
  List<EnvoyFleet.Identity> proxies() {
    List<EnvoyFleet.Identity> out = new ArrayList<>(shape.proxies());
    for (int i = 0; i < shape.proxies(); i++) {
      String ns = "ns-" + (i % shape.namespaces());
      String ip = "10." + (128 + (i >> 16)) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff);
      out.add(
          new EnvoyFleet.Identity(
              ip, "client-" + i, ns, Map.of("app", "client", "version", "v1")));
    }
    return out;
  }

  /** The EDS/cluster name of the roll service. */
  String rollCluster() {
    return "outbound|8080||" + ROLL + "." + SHARED + ".svc.cluster.local";
  }

  /** Change (a): svc-0's VirtualService (in ns-0) moves 10% of its traffic between subsets. */
  void changeVirtualService() throws IOException {
    svc0WeightV1 = svc0WeightV1 == 90 ? 80 : 90;
    write("ns-0/config.yaml", configYaml("ns-0"));
  }

  /** Change (b): the address of svc-0's first endpoint in its EndpointSlice (only the slice). */
  void changeEndpoint() throws IOException {
    svc0Pod0Moved = !svc0Pod0Moved;
    write("ns-0/slices.yaml", slicesYaml("ns-0"));
  }

  /**
   * Change (c), one step of a rollout of the roll service with maxSurge 25% and maxUnavailable 0:
   * alternately add up to a quarter of new pods, then remove as many old ones. Each step rewrites
   * the Pods file, then the EndpointSlice file.
   *
   * @return false when the rollout is complete (nothing was written)
   */
  boolean rollStep() throws IOException {
    int surge = Math.max(1, (shape.rollPods() + 3) / 4);
    if (rollRemoved >= shape.rollPods()) {
      return false;
    }
    if (rollSurge == 0) {
      rollSurge = Math.min(surge, shape.rollPods() - rollAdded);
      rollAdded += rollSurge;
    } else {
      rollRemoved += rollSurge;
      rollSurge = 0;
    }
    writeRoll();
    return true;
  }

  /** Endpoints of the roll service now: {total, new}. */
  int[] rollEndpoints() {
    return new int[] {shape.rollPods() - rollRemoved + rollAdded, rollAdded};
  }

  private void writeNamespace(String ns) throws IOException {
    write(ns + "/config.yaml", configYaml(ns));
    write(ns + "/pods.yaml", podsYaml(ns));
    write(ns + "/slices.yaml", slicesYaml(ns));
  }

  private void writeRoll() throws IOException {
    StringBuilder pods = new StringBuilder();
    StringBuilder endpoints = new StringBuilder();
    for (int p = rollRemoved; p < shape.rollPods(); p++) {
      rollPod(pods, endpoints, "roll-a-" + p, OLD_PREFIX + (p >> 8) + "." + (p & 0xff));
    }
    for (int p = 0; p < rollAdded; p++) {
      rollPod(pods, endpoints, "roll-b-" + p, NEW_PREFIX + (p >> 8) + "." + (p & 0xff));
    }
    write("shared/roll-pods.yaml", pods.toString());
    write("shared/roll-slice.yaml", slice(ROLL, SHARED, endpoints));
  }

  private static void rollPod(StringBuilder pods, StringBuilder endpoints, String name, String ip) {
    pods.append(pod(name, SHARED, ROLL, "v1", ip));
    endpoints.append(endpoint(ip, name));
  }

  private List<Integer> servicesOf(String ns) {
    List<Integer> out = new ArrayList<>();
    if (ns.equals(SHARED)) {
      for (int j = 0; j < SHARED_SERVICES; j++) {
        out.add(-1 - j);
      }
      return out;
    }
    int n = Integer.parseInt(ns.substring(3));
    for (int i = n; i < shape.services(); i += shape.namespaces()) {
      out.add(i);
    }
    return out;
  }

  /** Service i >= 0 is svc-i; -1-j is shared-svc-j. */
  private static String serviceName(int i) {
    return i >= 0 ? "svc-" + i : "shared-svc-" + (-1 - i);
  }

  private static String vip(int i) {
    return i >= 0
        ? "10.96." + (i / 250) + "." + (i % 250 + 1)
        : "10.97.0." + (-i);
  }

  private String podIp(int i, int p) {
    if (i == 0 && p == 0 && svc0Pod0Moved) {
      return MOVED_IP;
    }
    int n = (i >= 0 ? i : 60000 + (-1 - i)) * 4 + p;
    return "10." + (64 + (n >> 16)) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
  }

  String configYaml(String ns) {
    StringBuilder out = new StringBuilder();
    if (shape.scoped()) {
      out.append(
          """
          apiVersion: networking.istio.io/v1
          kind: Sidecar
          metadata: {name: default, namespace: %s}
          spec:
            egress:
            - hosts: ["./*", "%s/*"]
          ---
          """
              .formatted(ns, SHARED));
    }
    if (ns.equals(SHARED)) {
      out.append(service(ROLL, ns, "10.97.1.1"));
    }
    for (int i : servicesOf(ns)) {
      String name = serviceName(i);
      int w = i == 0 ? svc0WeightV1 : 90;
      out.append(service(name, ns, vip(i)));
      out.append(
          """
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: %s, namespace: %s}
          spec:
            hosts: [%s]
            http:
            - route:
              - {destination: {host: %s, subset: v1}, weight: %d}
              - {destination: {host: %s, subset: v2}, weight: %d}
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
              .formatted(name, ns, name, name, w, name, 100 - w, name, ns, name));
    }
    return out.toString();
  }

  private String podsYaml(String ns) {
    StringBuilder out = new StringBuilder();
    for (int i : servicesOf(ns)) {
      for (int p = 0; p < shape.podsPerService(); p++) {
        out.append(
            pod(serviceName(i) + "-" + p, ns, serviceName(i), p % 2 == 0 ? "v1" : "v2",
                podIp(i, p)));
      }
    }
    return out.toString();
  }

  private String slicesYaml(String ns) {
    StringBuilder out = new StringBuilder();
    for (int i : servicesOf(ns)) {
      StringBuilder endpoints = new StringBuilder();
      for (int p = 0; p < shape.podsPerService(); p++) {
        endpoints.append(endpoint(podIp(i, p), serviceName(i) + "-" + p));
      }
      out.append(slice(serviceName(i), ns, endpoints));
    }
    return out.toString();
  }

  private static String service(String name, String ns, String vip) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: %s}
        spec:
          clusterIP: %s
          selector: {app: %s}
          ports: [{name: http, port: 8080, targetPort: 8080}]
        ---
        """
        .formatted(name, ns, vip, name);
  }

  private static String pod(String name, String ns, String app, String version, String ip) {
    return """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s, namespace: %s, labels: {app: %s, version: %s}}
        spec: {nodeName: node-0}
        status: {podIP: %s}
        ---
        """
        .formatted(name, ns, app, version, ip);
  }

  private static String endpoint(String ip, String pod) {
    return "  - addresses: [%s]\n    conditions: {ready: true}\n    targetRef: {kind: Pod, name: %s}\n"
        .formatted(ip, pod);
  }

  private static String slice(String service, String ns, CharSequence endpoints) {
    return """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: %s-slice, namespace: %s, labels: {kubernetes.io/service-name: %s}}
        addressType: IPv4
        ports: [{name: http, port: 8080}]
        endpoints:
        """
            .formatted(service, ns, service)
        + (endpoints.length() == 0 ? "  []\n" : endpoints)
        + "---\n";
  }

  /** Writes {@code rel} below the config directory: staged, then moved into place atomically. */
  void write(String rel, String content) throws IOException {
    Path target = config.resolve(rel);
    Files.createDirectories(target.getParent());
    Files.createDirectories(staging);
    Path tmp = Files.createTempFile(staging, "stage", ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
