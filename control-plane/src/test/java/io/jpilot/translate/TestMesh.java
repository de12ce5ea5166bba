package io.jpilot.translate;

import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.ConfigMeta;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds mesh snapshots from model records for tests: services, workloads (a Pod plus its
 * EndpointSlice entry), VirtualServices and DestinationRules.
 */
final class TestMesh {
  static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
  static final String SUFFIX = "cluster.local";

  private final List<MeshObject> objects = new ArrayList<>();
  private final Map<String, Service> services = new LinkedHashMap<>();
  private final Map<String, List<EndpointSlice.Entry>> entries = new LinkedHashMap<>();

  static TestMesh create() {
    return new TestMesh();
  }

  static String fqdn(String name, String ns) {
    return name + "." + ns + ".svc." + SUFFIX;
  }

  /** A service port whose protocol follows istiod's port-name rules. */
  static ServicePort port(String name, int port, int targetPort) {
    return new ServicePort(name, port, targetPort, "", Protocol.forServicePort(name, null, "TCP"));
  }

  static ServicePort http(int port) {
    return port("http", port, port);
  }

  TestMesh service(String name, String ns, String clusterIp, ServicePort... ports) {
    Service s =
        new Service(
            fqdn(name, ns),
            name,
            ns,
            clusterIp,
            List.of(ports),
            Map.of("app", name),
            Map.of("app", name));
    services.put(ns + "/" + name, s);
    objects.add(s);
    return this;
  }

  /** A ready workload of {@code service} in locality {@code region/zone/subzone}. */
  TestMesh workload(
      String service,
      String ns,
      String pod,
      String ip,
      Map<String, String> labels,
      String locality) {
    return workload(service, ns, pod, ip, labels, locality, true);
  }

  TestMesh workload(
      String service,
      String ns,
      String pod,
      String ip,
      Map<String, String> labels,
      String locality,
      boolean ready) {
    objects.add(new Pod(pod, ns, labels, List.of(ip), "node-1", Locality.parse(locality)));
    entries
        .computeIfAbsent(ns + "/" + service, k -> new ArrayList<>())
        .add(new EndpointSlice.Entry(List.of(ip), ready, "", "node-1", pod));
    return this;
  }

  TestMesh add(MeshObject o) {
    objects.add(o);
    return this;
  }

  MeshSnapshot build() {
    List<MeshObject> all = new ArrayList<>(objects);
    entries.forEach(
        (key, list) -> {
          Service s = services.get(key);
          if (s == null) {
            throw new IllegalStateException("workload for unknown service " + key);
          }
          List<EndpointSlice.Port> ports = new ArrayList<>();
          for (ServicePort p : s.ports()) {
            ports.add(new EndpointSlice.Port(p.name(), p.targetPort()));
          }
          all.add(new EndpointSlice(s.name() + "-abcde", s.namespace(), s.name(), ports, list));
        });
    return MeshSnapshot.build(1, SUFFIX, all);
  }

  // ---- Istio config ----------------------------------------------------------------------

  static ConfigMeta meta(String kind, String ns, String name, Instant created) {
    return new ConfigMeta(new ConfigKey(kind, ns, name), Map.of(), created, "test");
  }

  static VirtualService vs(
      String ns, String name, Instant created, List<String> hosts, HttpRoute... http) {
    return new VirtualService(
        meta(VirtualService.KIND, ns, name, created), hosts, List.of(), List.of(http), List.of());
  }

  static VirtualService vs(String ns, String name, List<String> hosts, HttpRoute... http) {
    return vs(ns, name, T0, hosts, http);
  }

  static HttpRoute route(String name, List<HttpMatch> match, RouteDestination... dests) {
    return new HttpRoute(name, match, List.of(dests), Optional.empty());
  }

  static HttpRoute route(RouteDestination... dests) {
    return route("", List.of(), dests);
  }

  static HttpRoute withTimeout(HttpRoute r, Duration timeout) {
    return new HttpRoute(r.name(), r.match(), r.route(), Optional.of(timeout));
  }

  static RouteDestination dest(String host, String subset, int weight) {
    return new RouteDestination(new Destination(host, subset, 0), weight);
  }

  static RouteDestination dest(String host, String subset) {
    return dest(host, subset, 0);
  }

  static HttpMatch header(String name, StringMatch value) {
    TreeMap<String, StringMatch> h = new TreeMap<>();
    h.put(name, value);
    return new HttpMatch("", Optional.empty(), h, 0, Map.of(), false);
  }

  static HttpMatch uri(StringMatch uri, boolean ignoreCase) {
    return new HttpMatch("", Optional.of(uri), new TreeMap<>(), 0, Map.of(), ignoreCase);
  }

  static HttpMatch sourceLabels(Map<String, String> labels) {
    return new HttpMatch("", Optional.empty(), new TreeMap<>(), 0, labels, false);
  }

  static HttpMatch onPort(int port) {
    return new HttpMatch("", Optional.empty(), new TreeMap<>(), port, Map.of(), false);
  }

  static DestinationRule dr(
      String ns, String name, String host, LoadBalancer lb, Subset... subsets) {
    return new DestinationRule(
        meta(DestinationRule.KIND, ns, name, T0),
        host,
        lb == null ? Optional.empty() : Optional.of(new TrafficPolicy(lb)),
        Arrays.asList(subsets),
        List.of());
  }

  static Subset subset(String name, Map<String, String> labels) {
    return new Subset(name, labels, Optional.empty());
  }

  static Subset subset(String name, Map<String, String> labels, LoadBalancer lb) {
    return new Subset(name, labels, Optional.of(new TrafficPolicy(lb)));
  }

  // ---- proxies ---------------------------------------------------------------------------

  /** A sidecar in {@code ns}, node id {@code sidecar~ip~pod.ns~ns.svc.cluster.local}. */
  static ProxyView sidecar(String pod, String ns, String ip, Map<String, String> labels) {
    return ProxyView.parse(
        "sidecar~" + ip + "~" + pod + "." + ns + "~" + ns + ".svc." + SUFFIX,
        Map.of(),
        labels,
        null);
  }

  /** A proxyless gRPC client (GENERATOR=grpc) in {@code ns}. */
  static ProxyView grpc(String pod, String ns, String ip) {
    return ProxyView.parse(
        "sidecar~" + ip + "~" + pod + "." + ns + "~" + ns + ".svc." + SUFFIX,
        Map.of("GENERATOR", "grpc", "NAMESPACE", ns),
        Map.of("app", pod),
        null);
  }
}
