package io.jpilot.bench;

import com.google.protobuf.Message;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.registry.Locality;
import io.jpilot.translate.Translator;
import io.jpilot.translate.XdsType;
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
 *   <li>{@code eds100x10}: 100 services × 10 endpoints (EDS).
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar TranslationBenchmark}.
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
          "eds100x10", new MeshGenerator.Shape(100, 10, 10, false));

  @Param({"http100", "eds1000", "eds100x10"})
  public String shape;

  private final Translator translator = new Translator();
  private MeshSnapshot snapshot;
  private ProxyView proxy;
  private Set<String> routeNames;
  private Set<String> edsNames;

  @Setup
  public void setUp() {
    snapshot = MeshGenerator.snapshot(SHAPES.get(shape));
    proxy =
        ProxyView.parse(
            "sidecar~10.200.0.1~client-0.ns-0~ns-0.svc.cluster.local",
            Map.of("NAMESPACE", "ns-0"),
            Map.of("app", "client"),
            Locality.NONE);
    routeNames = Set.of("8080");
    edsNames = new TreeSet<>();
    for (Message m : translator.generate(snapshot, proxy, XdsType.CLUSTER, Set.of()).values()) {
      var c = (io.envoyproxy.envoy.config.cluster.v3.Cluster) m;
      if (c.hasEdsClusterConfig()) {
        edsNames.add(c.getEdsClusterConfig().getServiceName());
      }
    }
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
