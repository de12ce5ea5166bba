package io.jpilot.translate;

import com.google.protobuf.Message;
import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import io.jpilot.model.registry.Locality;
import io.jpilot.push.ResourceGenerator;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Sidecar RDS CPU per proxy view on a fresh snapshot, as a full push pays it: every round builds a
 * new snapshot version (one VirtualService's weights changed), computes the proxies' scopes, then
 * generates, encodes and packs (with the version digest, as a push does) the route configurations
 * of one proxy per namespace with a translator that shares virtual hosts. Only the RDS part is
 * timed (calling thread's CPU).
 *
 * <p>Shapes: {@code s2} (1,000 services in 100 namespaces, each with a 90/10 VirtualService and a
 * DestinationRule; a client in every namespace) and {@code http100} (100 services in 10
 * namespaces, a header match plus a 90/10 split; one client in ns-0, as TranslationBenchmark).
 * {@code http100-same} repeats the call on one snapshot, as TranslationBenchmark does.
 *
 * <p>Run: {@code java -cp <test-classpath> io.jpilot.translate.RdsCpuHarness [rounds [shape]]}, or
 * through Maven: {@code mvn -o -q -pl control-plane test -Dtest=RdsCpuHarness -Drds.rounds=40
 * -Dsurefire.failIfNoSpecifiedTests=false} (it runs only when {@code rds.rounds} is set).
 */
public final class RdsCpuHarness {
  @Test
  @EnabledIfSystemProperty(named = "rds.rounds", matches = "\\d+")
  void measure() {
    main(new String[] {System.getProperty("rds.rounds"), System.getProperty("rds.shape", "")});
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    String only = args.length > 1 ? args[1] : "";
    System.out.println("shape cpu_us_per_view kb_per_view");
    if (only.isEmpty() || only.equals("s2")) {
      run("s2", 1000, 100, false, 100, rounds);
    }
    if (only.isEmpty() || only.equals("http100")) {
      run("http100", 100, 10, true, 1, rounds * 20);
    }
    if (only.isEmpty() || only.equals("http100-same")) {
      runSame(rounds * 50);
    }
  }

  private static void run(
      String shape, int services, int namespaces, boolean headerMatch, int views, int rounds) {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    List<List<MeshObject>> objects =
        List.of(
            objects(services, namespaces, headerMatch, 90),
            objects(services, namespaces, headerMatch, 80));
    List<ProxyView> proxies = new ArrayList<>();
    for (int n = 0; n < views; n++) {
      proxies.add(proxy(n, "ns-" + n));
    }
    Translator translator = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    ResourceGenerator generator = ResourceGenerator.of(translator);
    List<Double> cpu = new ArrayList<>();
    List<Double> alloc = new ArrayList<>();
    long bytes = 0;
    for (int r = 0; r < rounds; r++) {
      MeshSnapshot s =
          MeshSnapshot.build(r + 1, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX, objects.get(r % 2));
      for (ProxyView p : proxies) {
        translator.scope(s, p);
      }
      long cpu0 = threads.getCurrentThreadCpuTime();
      long alloc0 = threads.getCurrentThreadAllocatedBytes();
      bytes = 0;
      for (ProxyView p : proxies) {
        for (Map.Entry<String, Message> e :
            translator.generate(s, p, XdsType.ROUTE, Set.of("8080")).entrySet()) {
          bytes += generator.pack(e.getKey(), e.getValue()).size();
        }
      }
      if (r >= rounds / 4) {
        cpu.add((threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / views);
        alloc.add((threads.getCurrentThreadAllocatedBytes() - alloc0) / 1024.0 / views);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s %.1f %.1f (bytes/view %d)%n",
        shape,
        median(cpu),
        median(alloc),
        bytes / views);
  }

  private static void runSame(int calls) {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    MeshSnapshot s =
        MeshSnapshot.build(1, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX, objects(100, 10, true, 90));
    ProxyView p = proxy(0, "ns-0");
    Translator translator = new Translator();
    List<Double> cpu = new ArrayList<>();
    for (int w = 0; w < 8; w++) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < calls / 8; i++) {
        translator.generate(s, p, XdsType.ROUTE, Set.of("8080"));
      }
      if (w >= 3) {
        cpu.add((threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / (calls / 8));
      }
    }
    System.out.printf(Locale.ROOT, "http100-same %.1f%n", median(cpu));
  }

  private static ProxyView proxy(int i, String ns) {
    return ProxyView.parse(
        "sidecar~10.128.0." + (i + 1) + "~client-" + i + "." + ns + "~" + ns + ".svc.cluster.local",
        Map.of("NAMESPACE", ns),
        Map.of("app", "client", "version", "v1"),
        Locality.NONE);
  }

  static List<MeshObject> objects(
      int services, int namespaces, boolean headerMatch, int svc0WeightV1) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < services; i++) {
      String name = "svc-" + i;
      String ns = "ns-" + (i % namespaces);
      int w = i == 0 ? svc0WeightV1 : 90;
      String vip = "10.96." + (i / 250) + "." + (i % 250 + 1);
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
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: %s, namespace: %s}
          spec:
            hosts: [%s]
            http:
          """
              .formatted(name, ns, vip, name, name, ns, name));
      if (headerMatch) {
        out.append(
            """
              - match: [{headers: {x-canary: {exact: "true"}}}]
                route: [{destination: {host: %s, subset: v2}}]
            """
                .formatted(name));
      }
      out.append(
          """
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
              .formatted(name, w, name, 100 - w, name, ns, name));
    }
    ParsedFile parsed =
        ConfigFileParser.parse("generated.yaml", out.toString(), MeshSnapshot.DEFAULT_DOMAIN_SUFFIX);
    for (Diagnostic d : parsed.diagnostics()) {
      if (d.severity() == Diagnostic.Severity.ERROR) {
        throw new IllegalStateException("generated mesh does not parse: " + d);
      }
    }
    return parsed.objects();
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
