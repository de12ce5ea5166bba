package io.jpilot.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.registry.Locality;
import io.jpilot.translate.Translator;
import io.jpilot.translate.XdsType;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Translation cost per proxy, per xDS type, on Istio's benchmark shapes:
 *
 * <ul>
 *   <li>{@code http100}: 100 HTTP services with VirtualServices and DestinationRules (RDS, CDS,
 *       LDS) — istiod's RouteGeneration figure is ~330 µs;
 *   <li>{@code eds1000}: one service with 1,000 endpoints (EDS) — istiod ~2.5 ms;
 *   <li>{@code eds100x10}: 100 services × 10 endpoints (EDS);
 *   <li>{@code gateway1000}: 1,000 services behind one Gateway (hosts {@code *}), each with a
 *       VirtualService bound to it, seen by the ingress gateway (a router proxy) — istiod ~22.5 ms
 *       RDS and ~7.6 ms CDS.
 * </ul>
 *
 * <p>Sidecar shapes use a sidecar in {@code ns-0} without a Sidecar resource; the gateway shape a
 * router in {@code istio-system} labelled {@code istio: ingressgateway}. RDS asks for the route
 * configurations the proxy's listeners name, EDS for the clusters its CDS names.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TranslationBenchmark}. On a machine
 * whose cores are shared with other work, wall time per call swings with the load; {@link #main}
 * measures the calling thread's CPU time per call instead: {@code java -cp
 * benchmarks/target/benchmarks.jar io.jpilot.bench.TranslationBenchmark [seconds-per-window
 * [shape[:type]]]}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TranslationBenchmark {
  private static final Map<String, MeshGenerator.Shape> SHAPES =
      Map.of(
          "http100", new MeshGenerator.Shape(100, 10, 2, true),
          "eds1000", new MeshGenerator.Shape(1, 1, 1000, true),
          "eds100x10", new MeshGenerator.Shape(100, 10, 10, false),
          "gateway1000", new MeshGenerator.Shape(1000, 10, 2, true, true));

  @Param({"http100", "eds1000", "eds100x10", "gateway1000"})
  public String shape;

  private final Translator translator = new Translator();
  private MeshSnapshot snapshot;
  private ProxyView proxy;
  private Set<String> routeNames;
  private Set<String> edsNames;

  @Setup
  public void setUp() {
    MeshGenerator.Shape meshShape = SHAPES.get(shape);
    snapshot = MeshGenerator.snapshot(meshShape);
    proxy =
        meshShape.gateway()
            ? ProxyView.parse(
                "router~10.200.0.9~istio-ingressgateway-0.istio-system~istio-system.svc.cluster.local",
                Map.of("NAMESPACE", "istio-system"),
                MeshGenerator.GATEWAY_LABELS,
                Locality.NONE)
            : ProxyView.parse(
                "sidecar~10.200.0.1~client-0.ns-0~ns-0.svc.cluster.local",
                Map.of("NAMESPACE", "ns-0"),
                Map.of("app", "client"),
                Locality.NONE);
    routeNames = routeNames(translator.generate(snapshot, proxy, XdsType.LISTENER, Set.of()));
    if (routeNames.isEmpty()) {
      throw new IllegalStateException(shape + ": the proxy's listeners name no routes");
    }
    edsNames = new TreeSet<>();
    for (Message m : translator.generate(snapshot, proxy, XdsType.CLUSTER, Set.of()).values()) {
      var c = (io.envoyproxy.envoy.config.cluster.v3.Cluster) m;
      if (c.hasEdsClusterConfig()) {
        edsNames.add(c.getEdsClusterConfig().getServiceName());
      }
    }
  }

  /**
   * CPU time (and bytes allocated) per call of the calling thread, for every shape and xDS type:
   * after a warm-up of three windows, the median over five windows of one second (or the given
   * seconds) each. A second argument limits the run to one shape ({@code http100}) or one shape and
   * type ({@code http100:rds}).
   */
  public static void main(String[] args) {
    double window = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
    String only = args.length > 1 ? args[1] : "";
    String onlyShape = only.contains(":") ? only.substring(0, only.indexOf(':')) : only;
    String onlyType = only.contains(":") ? only.substring(only.indexOf(':') + 1) : "";
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    System.out.println("shape type cpu_us_per_call kb_allocated_per_call");
    for (String name : List.of("http100", "eds1000", "eds100x10", "gateway1000")) {
      if (!onlyShape.isEmpty() && !onlyShape.equals(name)) {
        continue;
      }
      TranslationBenchmark b = new TranslationBenchmark();
      b.shape = name;
      b.setUp();
      Map<String, Runnable> calls = new LinkedHashMap<>();
      calls.put("rds", b::routes);
      calls.put("cds", b::clusters);
      calls.put("lds", b::listeners);
      calls.put("eds", b::endpoints);
      for (Map.Entry<String, Runnable> call : calls.entrySet()) {
        if (!onlyType.isEmpty() && !onlyType.equals(call.getKey())) {
          continue;
        }
        List<Double> cpu = new ArrayList<>();
        List<Double> alloc = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
          long cpu0 = threads.getCurrentThreadCpuTime();
          long alloc0 = threads.getCurrentThreadAllocatedBytes();
          long end = System.nanoTime() + (long) (window * 1e9);
          long n = 0;
          do {
            call.getValue().run();
            n++;
          } while (System.nanoTime() < end);
          if (w >= 3) {
            cpu.add((threads.getCurrentThreadCpuTime() - cpu0) / 1e3 / n);
            alloc.add((threads.getCurrentThreadAllocatedBytes() - alloc0) / 1024.0 / n);
          }
        }
        System.out.printf(
            Locale.ROOT, "%s %s %.1f %.1f%n", name, call.getKey(), median(cpu), median(alloc));
      }
    }
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  /** The RDS names the listeners' HTTP connection managers refer to. */
  private static Set<String> routeNames(SortedMap<String, Message> listeners) {
    Set<String> out = new TreeSet<>();
    for (Message m : listeners.values()) {
      for (FilterChain fc : ((Listener) m).getFilterChainsList()) {
        for (Filter f : fc.getFiltersList()) {
          if (f.hasTypedConfig() && f.getTypedConfig().is(HttpConnectionManager.class)) {
            try {
              HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
              if (hcm.hasRds()) {
                out.add(hcm.getRds().getRouteConfigName());
              }
            } catch (InvalidProtocolBufferException e) {
              throw new IllegalStateException(e);
            }
          }
        }
      }
    }
    return out;
  }

  /** The Sidecar scope every generate call computes first (imports, narrowed snapshot). */
  @Benchmark
  public SidecarScope scope() {
    return SidecarScope.of(snapshot, proxy, MeshConfig.DEFAULT);
  }

  @Benchmark
  public SortedMap<String, Message> routes() {
    return translator.generate(snapshot, proxy, XdsType.ROUTE, routeNames);
  }

  @Benchmark
  public SortedMap<String, Message> clusters() {
    return translator.generate(snapshot, proxy, XdsType.CLUSTER, Set.of());
  }

  @Benchmark
  public SortedMap<String, Message> listeners() {
    return translator.generate(snapshot, proxy, XdsType.LISTENER, Set.of());
  }

  @Benchmark
  public SortedMap<String, Message> endpoints() {
    return translator.generate(snapshot, proxy, XdsType.ENDPOINT, edsNames);
  }
}
