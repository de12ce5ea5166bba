package io.jpilot.bench;

import io.jpilot.model.ConfigStore;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.push.PushEngine;
import io.jpilot.push.PushSettings;
import io.jpilot.source.FileSource;
import io.jpilot.model.MeshConfig;
import io.jpilot.server.JPilotServer;
import io.jpilot.translate.XdsType;
import io.jpilot.xds.XdsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Push latency: from a config change entering the {@link PushEngine} to the last ACK of the new
 * version from {@code clients} ADS clients connected over real gRPC on loopback.
 *
 * <p>The mesh is {@code MeshGenerator}'s http100 shape (100 HTTP services in 10 namespaces, each
 * with a VirtualService and a DestinationRule, 2 endpoints each), loaded into a {@link
 * ConfigStore}. The engine runs with {@code debounceAfter = 0} (a request is flushed as soon as the
 * debounce thread runs it) and istiod's default push throttle, serving {@code new
 * Translator()::generate}; every client is a sidecar in {@code ns-0} without a Sidecar resource, so
 * each sees the whole mesh and subscribes to ~300 EDS clusters and the RDS route {@code 8080}.
 *
 * <p>Each operation makes one change, as {@link FileSource} would (store write, then {@link
 * FileSource#pushRequest}), and blocks until every client that should receive the new resource has
 * ACKed it:
 *
 * <ul>
 *   <li>{@link #virtualServiceChange}: {@code svc-0}'s VirtualService switches between a 90/10 and
 *       an 80/20 split (a full push); waits for RDS from every client subscribed to route {@code
 *       8080};
 *   <li>{@link #endpointChange}: the readiness of the first endpoint of {@code svc-0}'s
 *       EndpointSlice flips (an endpoint-only push); waits for EDS from every client subscribed to a
 *       cluster of {@code svc-0}.
 * </ul>
 *
 * <p><b>How "the new version was ACKed" is detected.</b> The engine numbers snapshots by push, and
 * the server sends each response with {@code version_info} = the snapshot version it was generated
 * from. Before the change the benchmark reads the current snapshot version {@code v}; nothing else
 * requests pushes and the previous operation ended only after its own push was ACKed, so the
 * change is first contained in snapshot {@code v + 1}, and every snapshot numbered {@code > v} was
 * built after the store write. Each client, after writing an ACK to its stream, records the
 * ACKed {@code version_info} per type; an {@link AckBarrier} installed before the change counts a
 * client once when it ACKs the type with a version {@code >= v + 1}. Responses at {@code <= v}
 * (anything in flight before the change) never count.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PushLatency}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx6g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class PushLatencyBenchmark {
  static final MeshGenerator.Shape SHAPE = new MeshGenerator.Shape(100, 10, 2, true);
  static final String CLIENT_NAMESPACE = "ns-0";
  static final String CHANGED_HOST = "svc-0.ns-0.svc.cluster.local";
  static final String CHANGED_ROUTE = "8080";
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  private static final Duration OP_TIMEOUT = Duration.ofMinutes(5);

  /** How many ADS clients are connected. */
  @Param({"1", "100", "1000"})
  public int clients;

  /** Keep each client's last ACKed responses (tests inspect them). */
  boolean keepResponses;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private ConfigStore store;
  private PushEngine engine;
  private XdsServer server;
  private AdsClientFleet fleet;
  private MeshObject[] virtualServices;
  private MeshObject[] slices;
  private int vsTurn;
  private int sliceTurn;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    try {
      start();
    } catch (Exception | Error e) {
      tearDown(); // JMH does not tear down a state whose setup failed
      throw e;
    }
  }

  private void start() throws Exception {
    store = new ConfigStore();
    List<MeshObject> objects = MeshGenerator.objects(SHAPE);
    for (MeshObject o : objects) {
      store.put(o);
    }
    MeshObject vs = find(objects, new ConfigKey(VirtualService.KIND, "ns-0", "svc-0"));
    virtualServices = new MeshObject[] {changedVirtualService(), vs};
    EndpointSlice slice =
        (EndpointSlice) find(objects, new ConfigKey(EndpointSlice.KIND, "ns-0", "svc-0-slice"));
    slices = new MeshObject[] {flipFirstReady(slice), slice};

    engine =
        JPilotServer.pushEngine(
            store,
            MeshSnapshot.DEFAULT_DOMAIN_SUFFIX,
            new PushSettings(Duration.ZERO, Duration.ofSeconds(10), PushSettings.defaultPushThrottle()),
            MeshConfig.DEFAULT,
            meters);
    engine.start();
    server = new XdsServer("127.0.0.1", 0, engine, meters);
    server.start();
    fleet =
        AdsClientFleet.connect(
            server.port(), clients, CLIENT_NAMESPACE, keepResponses, READY_TIMEOUT);
    for (AdsBenchClient c : fleet.clients()) {
      if (!c.subscribed(XdsType.ROUTE).contains(CHANGED_ROUTE)) {
        throw new IllegalStateException(
            "client " + c.index() + " does not subscribe to route " + CHANGED_ROUTE + ": "
                + c.subscribed(XdsType.ROUTE));
      }
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (fleet != null) {
      fleet.close();
    }
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  /** Replaces svc-0's VirtualService (alternating two splits); waits for every RDS ACK. */
  @Benchmark
  public long virtualServiceChange() throws Exception {
    MeshObject next = virtualServices[vsTurn++ & 1];
    return change(next, XdsType.ROUTE, c -> c.subscribed(XdsType.ROUTE).contains(CHANGED_ROUTE));
  }

  /** Flips one endpoint of svc-0 between ready and not ready; waits for every EDS ACK. */
  @Benchmark
  public long endpointChange() throws Exception {
    MeshObject next = slices[sliceTurn++ & 1];
    return change(next, XdsType.ENDPOINT, PushLatencyBenchmark::subscribesTo);
  }

  /**
   * Writes {@code object}, requests the push FileSource would, and waits until every client
   * matching {@code which} ACKed {@code type} at the first version containing the write. Returns
   * that version.
   */
  private long change(MeshObject object, XdsType type, Predicate<AdsBenchClient> which)
      throws Exception {
    long target = engine.snapshot().version() + 1;
    AckBarrier barrier = fleet.expect(type, target, which);
    long start = System.nanoTime();
    if (!store.put(object)) {
      throw new IllegalStateException("not a change: " + object.key());
    }
    engine.request(FileSource.pushRequest(Set.of(object.key()), start));
    barrier.await(OP_TIMEOUT);
    return target;
  }

  private static boolean subscribesTo(AdsBenchClient c) {
    for (String cluster : c.subscribed(XdsType.ENDPOINT)) {
      if (cluster.endsWith("|" + CHANGED_HOST)) {
        return true;
      }
    }
    return false;
  }

  PushEngine engine() {
    return engine;
  }

  AdsClientFleet fleet() {
    return fleet;
  }

  private static MeshObject find(List<MeshObject> objects, ConfigKey key) {
    for (MeshObject o : objects) {
      if (o.key().equals(key)) {
        return o;
      }
    }
    throw new IllegalStateException("generated mesh has no " + key);
  }

  /** svc-0's VirtualService with an 80/20 split instead of MeshGenerator's 90/10. */
  static MeshObject changedVirtualService() {
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: svc-0, namespace: ns-0}
        spec:
          hosts: [svc-0]
          http:
          - match: [{headers: {x-canary: {exact: "true"}}}]
            route: [{destination: {host: svc-0, subset: v2}}]
          - route:
            - {destination: {host: svc-0, subset: v1}, weight: 80}
            - {destination: {host: svc-0, subset: v2}, weight: 20}
        """;
    ParsedFile parsed =
        ConfigFileParser.parse("changed-vs.yaml", yaml, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX);
    if (parsed.objects().size() != 1) {
      throw new IllegalStateException("changed VirtualService does not parse: " + parsed.diagnostics());
    }
    return parsed.objects().get(0);
  }

  /** The slice with its first endpoint's readiness flipped. */
  static EndpointSlice flipFirstReady(EndpointSlice slice) {
    List<EndpointSlice.Entry> entries = new ArrayList<>(slice.endpoints());
    EndpointSlice.Entry e = entries.get(0);
    entries.set(
        0, new EndpointSlice.Entry(e.addresses(), !e.ready(), e.zone(), e.nodeName(), e.podName()));
    return new EndpointSlice(
        slice.name(), slice.namespace(), slice.serviceName(), slice.ports(), entries);
  }
}
