package io.jpilot.push;

import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.translate.ProxyDependencies;
import io.jpilot.translate.Translator;
import io.jpilot.translate.XdsType;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * CPU cost of a full push's decision on an unscoped mesh: 1,000 services in 100 namespaces, each
 * with a VirtualService splitting traffic between two subsets and a DestinationRule defining
 * them, 1,000 sidecars spread over the namespaces, no Sidecar resource; one VirtualService's
 * weights change. Measures, on the calling thread (ThreadMXBean CPU time and allocated bytes), per change:
 *
 * <ul>
 *   <li>{@code differing}: the objects that differ from the last full push's;
 *   <li>{@code scopes}: the new snapshot's Sidecar scope of every namespace;
 *   <li>{@code decide}: what each of the 1,000 proxies needs, the new scopes already computed;
 *   <li>{@code total}: the decision as the push engine makes it (differing, scopes, decide).
 * </ul>
 *
 * <p>Then the CPU time of generating every proxy's listeners once (what a push that leaves
 * LISTENER out saves) and of one namespace's Sidecar scope computed from scratch.
 *
 * <p>Run: {@code java -cp <test classpath> io.jpilot.push.FullPushDecisionCost [rounds]}.
 */
public final class FullPushDecisionCost {
  private static final int SERVICES = 1000;
  private static final int NAMESPACES = 100;
  private static final int PROXIES = 1000;
  private static final String SUFFIX = "cluster.local";

  private FullPushDecisionCost() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    List<MeshObject> base = parse(mesh());
    MeshObject vs90 = vs0(90);
    MeshObject vs80 = vs0(80);
    List<ProxyView> proxies = new ArrayList<>();
    for (int i = 0; i < PROXIES; i++) {
      String ns = "ns-" + (i % NAMESPACES);
      String ip = "10.128." + ((i >> 8) & 0xff) + "." + (i & 0xff);
      proxies.add(
          ProxyView.parse(
              "sidecar~" + ip + "~client-" + i + "." + ns + "~" + ns + ".svc.cluster.local",
              Map.of(),
              Map.of("app", "client", "version", "v1"),
              null));
    }
    Set<ConfigKey> changed = Set.of(vs90.key());
    Translator translator = Translator.sharingVirtualHosts(MeshConfig.DEFAULT);
    ProxyDependencies dependencies = new ProxyDependencies(translator);
    com.sun.management.ThreadMXBean cpu =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    List<MeshObject> objects = with(base, vs90);
    MeshSnapshot previous = MeshSnapshot.build(1, SUFFIX, objects);
    Map<ConfigKey, MeshObject> previousByKey = byKey(objects);
    for (ProxyView p : proxies) {
      translator.scope(previous, p);
    }
    long[] sums = new long[4];
    long[] bytes = new long[4];
    int measured = 0;
    Map<Set<XdsType>, Integer> decisions = new HashMap<>();
    for (int round = 1; round <= rounds; round++) {
      List<MeshObject> next = with(base, round % 2 == 0 ? vs90 : vs80);
      MeshSnapshot snapshot = MeshSnapshot.build(round + 1, SUFFIX, next);
      Map<ConfigKey, MeshObject> latest = byKey(next);

      long thread = Thread.currentThread().getId();
      long b0 = cpu.getThreadAllocatedBytes(thread);
      long t0 = cpu.getCurrentThreadCpuTime();
      Set<ConfigKey> compared = PushEngine.differing(previousByKey, latest);
      long t1 = cpu.getCurrentThreadCpuTime();
      long b1 = cpu.getThreadAllocatedBytes(thread);
      for (int n = 0; n < NAMESPACES; n++) {
        translator.scope(snapshot, proxies.get(n));
      }
      long t2 = cpu.getCurrentThreadCpuTime();
      long b2 = cpu.getThreadAllocatedBytes(thread);
      Function<ProxyView, Set<XdsType>> affected =
          dependencies.affected(previous, snapshot, compared);
      decisions.clear();
      for (ProxyView p : proxies) {
        decisions.merge(affected.apply(p), 1, Integer::sum);
      }
      long t3 = cpu.getCurrentThreadCpuTime();
      long b3 = cpu.getThreadAllocatedBytes(thread);
      if (!compared.equals(changed)) {
        throw new AssertionError("differing: " + compared);
      }
      if (round > rounds / 2) {
        sums[0] += t1 - t0;
        sums[1] += t2 - t1;
        sums[2] += t3 - t2;
        sums[3] += t3 - t0;
        bytes[0] += b1 - b0;
        bytes[1] += b2 - b1;
        bytes[2] += b3 - b2;
        bytes[3] += b3 - b0;
        measured++;
      }
      previous = snapshot;
      previousByKey = latest;
    }
    System.out.printf(
        Locale.ROOT,
        "s2 decision, CPU ms per change (mean of last %d of %d): differing %.2f, scopes %.2f,"
            + " decide %.2f, total %.2f; decisions %s%n",
        measured,
        rounds,
        sums[0] / 1e6 / measured,
        sums[1] / 1e6 / measured,
        sums[2] / 1e6 / measured,
        sums[3] / 1e6 / measured,
        decisions);
    System.out.printf(
        Locale.ROOT,
        "s2 decision, KB allocated per change: differing %.1f, scopes %.1f, decide %.1f,"
            + " total %.1f%n",
        bytes[0] / 1024.0 / measured,
        bytes[1] / 1024.0 / measured,
        bytes[2] / 1024.0 / measured,
        bytes[3] / 1024.0 / measured);
    // what leaving LISTENER out saves: the listeners of every proxy, generated once per change
    long lds = 0;
    for (int round = 0; round < 4; round++) {
      long t0 = cpu.getCurrentThreadCpuTime();
      for (ProxyView p : proxies) {
        translator.generate(previous, p, XdsType.LISTENER, Set.of());
      }
      if (round >= 2) {
        lds += cpu.getCurrentThreadCpuTime() - t0;
      }
    }
    System.out.printf(
        Locale.ROOT, "LDS of all %d proxies: %.2f CPU ms%n", PROXIES, lds / 1e6 / 2);
    // the default scope of one namespace, computed from scratch
    long t = 0;
    long b = 0;
    int n = 0;
    for (int round = 0; round < 20; round++) {
      MeshSnapshot s = MeshSnapshot.build(1000 + round, SUFFIX, with(base, vs90));
      long b0 = cpu.getThreadAllocatedBytes(Thread.currentThread().getId());
      long t0 = cpu.getCurrentThreadCpuTime();
      for (int i = 0; i < NAMESPACES; i++) {
        SidecarScope.of(s, proxies.get(i), MeshConfig.DEFAULT);
      }
      if (round >= 10) {
        t += cpu.getCurrentThreadCpuTime() - t0;
        b += cpu.getThreadAllocatedBytes(Thread.currentThread().getId()) - b0;
        n += NAMESPACES;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "SidecarScope.of: %.3f CPU ms and %.1f KB per namespace%n",
        t / 1e6 / n,
        b / 1024.0 / n);
  }

  private static Map<ConfigKey, MeshObject> byKey(List<MeshObject> objects) {
    Map<ConfigKey, MeshObject> out = new HashMap<>(objects.size() * 2);
    for (MeshObject o : objects) {
      out.put(o.key(), o);
    }
    return out;
  }

  private static List<MeshObject> with(List<MeshObject> base, MeshObject vs0) {
    List<MeshObject> out = new ArrayList<>(base.size() + 1);
    out.addAll(base);
    out.add(vs0);
    return out;
  }

  private static List<MeshObject> parse(String yaml) {
    return ConfigFileParser.parse("mesh.yaml", yaml, SUFFIX).objects();
  }

  private static MeshObject vs0(int v1) {
    return parse(virtualService(0, v1)).get(0);
  }

  private static String mesh() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < SERVICES; i++) {
      String name = "svc-" + i;
      String ns = "ns-" + (i % NAMESPACES);
      out.append(
          """
          apiVersion: v1
          kind: Service
          metadata: {name: %1$s, namespace: %2$s}
          spec:
            clusterIP: 10.96.%3$d.%4$d
            selector: {app: %1$s}
            ports: [{name: http, port: 8080, targetPort: 8080}]
          ---
          apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: %1$s-slice, namespace: %2$s, labels: {kubernetes.io/service-name: %1$s}}
          ports: [{name: http, port: 8080}]
          endpoints:
          - addresses: [10.100.%3$d.%4$d]
          - addresses: [10.101.%3$d.%4$d]
          ---
          apiVersion: networking.istio.io/v1
          kind: DestinationRule
          metadata: {name: %1$s, namespace: %2$s}
          spec:
            host: %1$s
            subsets:
            - {name: v1, labels: {version: v1}}
            - {name: v2, labels: {version: v2}}
          ---
          """
              .formatted(name, ns, i >> 8, i & 0xff));
      if (i != 0) {
        out.append(virtualService(i, 90)).append("---\n");
      }
    }
    return out.toString();
  }

  private static String virtualService(int i, int v1) {
    String name = "svc-" + i;
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          hosts: [%1$s]
          http:
          - route:
            - {destination: {host: %1$s, subset: v1}, weight: %3$d}
            - {destination: {host: %1$s, subset: v2}, weight: %4$d}
        """
        .formatted(name, "ns-" + (i % NAMESPACES), v1, 100 - v1);
  }
}
