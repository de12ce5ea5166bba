package io.jpilot.bench.load;

import io.jpilot.translate.XdsType;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The ADS load tool: generates a mesh into a config directory, starts jpilot on it as a separate
 * JVM, connects N simulated sidecars over gRPC ADS, applies changes by rewriting files and reports
 * convergence, pushes, bytes, jpilot's heap and CPU, and the ratio to the loopback network floor.
 *
 * <pre>
 * bin/jpilot-load [--scenario s1|s2] [--proxies N] [--services N] [--changes vs,endpoint,roll]
 *                 [--curve] [--heap 2g] [--per-connection 1] ...
 * </pre>
 *
 * Every measured change ends with one line {@code RESULT scenario=<name> proxies=<n> services=<n>
 * p50_ms=<x> p99_ms=<x> max_ms=<x> heap_mb=<x> floor_ratio=<x> ...}.
 */
public final class LoadTool {
  private LoadTool() {}

  /** Opens the control plane to measure on a config directory. */
  interface ControlPlaneFactory {
    ControlPlane start(Path configDir, Path workDir) throws IOException, InterruptedException;
  }

  /**
   * One run.
   *
   * @param scenario "s1" (Sidecar-scoped, shared namespace, roll service) or "s2" (unscoped)
   * @param changes for s1, a subset of "vs", "endpoint", "roll", in order; s2 always runs "vs"
   * @param quiet a phase ends when no response arrived for this long ...
   * @param idleCores ... and the control plane used less CPU than this over the last second
   * @param idle when no response arrives at all, a phase lasts at least this long
   * @param warmups unmeasured rounds of changes before the measured ones
   * @param maxWarmups rounds in all at most, going on after {@code warmups} until jpilot's JIT
   *     compiler is done ({@link #compiled})
   * @param repeats measurements of each change; the one with the median push time is reported
   */
  record Settings(
      String scenario,
      int proxies,
      int services,
      int podsPerService,
      int rollPods,
      List<String> changes,
      int perConnection,
      int eventLoops,
      int maxSyncing,
      Duration quiet,
      Duration idle,
      Duration timeout,
      Duration rollStep,
      boolean measureHeap,
      double idleCores,
      int warmups,
      int maxWarmups,
      int repeats) {
    Settings(
        String scenario,
        int proxies,
        int services,
        int podsPerService,
        int rollPods,
        List<String> changes,
        int perConnection,
        int eventLoops,
        int maxSyncing,
        Duration quiet,
        Duration idle,
        Duration timeout,
        Duration rollStep,
        boolean measureHeap,
        double idleCores) {
      this(scenario, proxies, services, podsPerService, rollPods, changes, perConnection,
          eventLoops, maxSyncing, quiet, idle, timeout, rollStep, measureHeap, idleCores, 0, 0, 1);
    }

    Settings {
      if (warmups < 0) {
        throw new IllegalArgumentException("warmups: " + warmups + " (expected: >= 0)");
      }
      if (repeats < 1) {
        throw new IllegalArgumentException("repeats: " + repeats + " (expected: >= 1)");
      }
      if (maxWarmups < warmups) {
        throw new IllegalArgumentException(
            "maxWarmups: " + maxWarmups + " (expected: >= warmups, " + warmups + ")");
      }
      if (!scenario.equals("s1") && !scenario.equals("s2")) {
        throw new IllegalArgumentException("scenario: " + scenario + " (expected: s1 or s2)");
      }
      for (String c : changes) {
        if (!List.of("vs", "endpoint", "roll").contains(c)) {
          throw new IllegalArgumentException(
              "change: " + c + " (expected: vs, endpoint or roll)");
        }
      }
      changes = scenario.equals("s2") ? List.of("vs") : List.copyOf(changes);
    }

    LoadMeshGenerator.Shape shape() {
      return new LoadMeshGenerator.Shape(
          services, proxies, podsPerService, scenario.equals("s1"), rollPods);
    }
  }

  public static void main(String[] argv) throws Exception {
    System.exit(run(argv, System.out, System.err));
  }

  static int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Flags f;
    try {
      f = Flags.parse(argv);
    } catch (IllegalArgumentException e) {
      err.println("jpilot-load: " + e.getMessage());
      err.println(Flags.USAGE);
      return 2;
    }
    if (f.help) {
      out.println(Flags.USAGE);
      return 0;
    }
    ControlPlaneFactory factory =
        (config, work) -> {
          Path log = work.resolve("jpilot.log");
          out.println("load: starting jpilot (-Xmx" + f.heap + "), log " + log);
          JPilotProcess p =
              JPilotProcess.start(
                  f.jar, config, f.heap, f.debounce(), f.jvmArgs, log, Duration.ofMinutes(10));
          out.println("load: jpilot pid " + p.pid() + " xds port " + p.xdsPort());
          return p;
        };
    List<Settings> runs = new ArrayList<>();
    if (f.curve) {
      for (int proxies : new int[] {1000, 2000, 5000, 10000}) {
        runs.add(f.settings("s1", proxies, 1000));
      }
      for (int services : new int[] {100, 5000}) {
        runs.add(f.settings("s1", 1000, services));
      }
    } else {
      runs.add(f.settings(f.scenario, f.proxies, f.services));
    }
    int failed = 0;
    for (Settings s : runs) {
      try {
        run(s, factory, out, f.keep);
      } catch (IllegalStateException | IOException e) {
        failed++;
        err.println(
            "jpilot-load: " + s.scenario() + " proxies=" + s.proxies() + " services="
                + s.services() + " failed: " + e.getMessage());
      }
    }
    return failed == 0 ? 0 : 1;
  }

  /** Warm-up changes whose JIT share {@link #compiled} looks at. */
  static final int SETTLE_WINDOW = 5;

  /** The JIT's share of jpilot's CPU in a change below which that change counts as compiled. */
  static final double SETTLED_SHARE = 0.05;

  /**
   * Whether most of the last {@value #SETTLE_WINDOW} warm-up changes ran compiled: in at least
   * three of them jpilot's JIT compiler threads used less than {@value #SETTLED_SHARE} of its CPU.
   * Not all of them: long after start, HotSpot still recompiles the code that runs once per push
   * (snapshot build, scopes) now and then, in bursts of up to a CPU-second; the measured figure is
   * a median over repeats for that reason.
   */
  static boolean compiled(Collection<ChangeReport> recent) {
    if (recent.size() < SETTLE_WINDOW) {
      return false;
    }
    int settled = 0;
    for (ChangeReport r : recent) {
      if (r.compilerCpuSeconds() < SETTLED_SHARE * r.cpuSeconds()) {
        settled++;
      }
    }
    return settled * 2 > recent.size();
  }

  /** The JIT compiler's share of jpilot's CPU over {@code recent}. */
  static double compilerShare(Collection<ChangeReport> recent) {
    double cpu = 0;
    double jit = 0;
    for (ChangeReport r : recent) {
      cpu += r.cpuSeconds();
      jit += r.compilerCpuSeconds();
    }
    return cpu > 0 ? jit / cpu : 0;
  }

  /** Runs one scenario; prints its progress and one RESULT line per change. */
  static List<ChangeReport> run(
      Settings s, ControlPlaneFactory factory, PrintStream out, boolean keep)
      throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("jpilot-load-");
    LoadMeshGenerator gen = new LoadMeshGenerator(s.shape(), work);
    long genStart = System.nanoTime();
    gen.writeAll();
    out.printf(
        Locale.ROOT,
        "load: %s: %d services (+%s), %d proxies, mesh written to %s in %d ms%n",
        s.scenario(),
        s.services(),
        s.shape().scoped()
            ? LoadMeshGenerator.SHARED_SERVICES + " shared + roll service with " + s.rollPods()
                + " pods, Sidecar per namespace"
            : "no Sidecar",
        s.proxies(),
        gen.configDir(),
        (System.nanoTime() - genStart) / 1_000_000);
    List<ChangeReport> reports = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int warmups = 0;
    List<String> pushesMs = new ArrayList<>();
    try (ControlPlane plane = factory.start(gen.configDir(), work)) {
      XdsReply.Watch watch =
          s.shape().scoped()
              ? new XdsReply.Watch(gen.rollCluster(), LoadMeshGenerator.NEW_PREFIX)
              : XdsReply.Watch.NONE;
      EnvoyFleet fleet =
          new EnvoyFleet(
              plane.host(),
              plane.xdsPort(),
              gen.proxies(),
              s.perConnection(),
              s.eventLoops(),
              watch,
              s.maxSyncing());
      try {
        double cpu0 = plane.cpuSeconds();
        long t = System.nanoTime();
        fleet.connect(s.timeout());
        fleet.awaitQuiet(
            System.nanoTime(), s.quiet(), Duration.ZERO, s.timeout(), plane::cpuSeconds,
            s.idleCores());
        out.printf(
            Locale.ROOT,
            "load: %d proxies synced in %.1f s over %d connections: %d responses, %.1f MB;"
                + " jpilot cpu %.1f s%n",
            s.proxies(),
            (System.nanoTime() - t) / 1e9,
            fleet.channelCount(),
            fleet.totalResponses(),
            fleet.totalBytes() / 1048576.0,
            plane.cpuSeconds() - cpu0);
        if (s.measureHeap()) {
          out.printf(
              Locale.ROOT,
              "load: jpilot heap after GC with %d proxies connected: %.1f MB; load tool heap %.1f MB%n",
              s.proxies(),
              plane.heapAfterGcBytes() / 1048576.0,
              clientHeapBytes() / 1048576.0);
        }
        // The first pushes after start run mostly in the JIT compiler: warm the full and the
        // endpoint-only push paths with unmeasured changes of the same kinds first, at least
        // s.warmups() rounds, then on (up to s.maxWarmups()) until the compiler is done.
        Deque<ChangeReport> recent = new ArrayDeque<>();
        int w = 0;
        while (w < s.maxWarmups() && (w < s.warmups() || !compiled(recent))) {
          for (String change : List.of("vs", "endpoint")) {
            if (s.scenario().equals("s2") && change.equals("endpoint")) {
              continue;
            }
            out.println("load: warm-up " + (w + 1) + ": " + change);
            recent.addLast(measure(s, change, gen, fleet, plane, out));
            if (recent.size() > SETTLE_WINDOW) {
              recent.removeFirst();
            }
          }
          w++;
        }
        warmups = w;
        if (w > 0) {
          out.printf(
              Locale.ROOT,
              "load: warmed up with %d rounds; JIT share of jpilot's CPU over the last %d: %.1f%%%n",
              w,
              recent.size(),
              100 * compilerShare(recent));
        }
        for (String change : s.changes()) {
          // Repeated, the change's RESULT is the repeat with the median push time; the others
          // are listed beside it.
          List<ChangeReport> repeats = new ArrayList<>();
          for (int i = 0; i < s.repeats(); i++) {
            repeats.add(measure(s, change, gen, fleet, plane, out));
          }
          List<ChangeReport> byPush = new ArrayList<>(repeats);
          byPush.sort(Comparator.comparingLong(ChangeReport::pushNanos));
          reports.add(byPush.get((byPush.size() - 1) / 2));
          pushesMs.add(
              repeats.stream()
                  .map(r -> String.format(Locale.ROOT, "%.1f", r.pushNanos() / 1e6))
                  .collect(Collectors.joining("/")));
          names.add(change);
        }
        if (fleet.failures() > 0) {
          out.println("load: " + fleet.failures() + " ADS streams failed during the run");
        }
      } finally {
        fleet.close();
      }
    } finally {
      if (!keep) {
        deleteTree(work);
      }
    }
    // The floor needs as many sockets as proxies were pushed: measured with the ADS streams closed.
    for (int i = 0; i < reports.size(); i++) {
      ChangeReport r = reports.get(i);
      long floor = LoopbackFloor.measure(r.bytesPerProxy());
      out.println(
          r.resultLine(floor)
              + " warmups="
              + warmups
              + " repeats="
              + s.repeats()
              + " push_ms_repeats="
              + pushesMs.get(i));
    }
    return reports;
  }

  private static ChangeReport measure(
      Settings s,
      String change,
      LoadMeshGenerator gen,
      EnvoyFleet fleet,
      ControlPlane plane,
      PrintStream out)
      throws IOException, InterruptedException {
    String scenario = s.scenario().equals("s2") ? "s2" : "s1-" + change;
    XdsType affected = change.equals("vs") ? XdsType.ROUTE : XdsType.ENDPOINT;
    boolean roll = change.equals("roll");
    int[] expected = roll ? new int[] {s.rollPods(), s.rollPods()} : null;
    int emptyBefore = fleet.envoys().stream().mapToInt(SimulatedEnvoy::emptyWatched).sum();
    double cpu0 = plane.cpuSeconds();
    double jit0 = plane.compilerCpuSeconds();
    double toolCpu0 = toolCpuSeconds();
    long t0 = System.nanoTime();
    fleet.beginPhase(t0, expected);
    long lastT0 = t0;
    int steps = 0;
    switch (change) {
      case "vs" -> gen.changeVirtualService();
      case "endpoint" -> gen.changeEndpoint();
      default -> {
        while (true) {
          long stepT0 = System.nanoTime();
          if (!gen.rollStep()) {
            break;
          }
          lastT0 = stepT0;
          steps++;
          Thread.sleep(s.rollStep().toMillis());
        }
      }
    }
    boolean quiet =
        fleet.awaitQuiet(
            lastT0, s.quiet(), s.idle(), s.timeout(), plane::cpuSeconds, s.idleCores());
    if (roll && !fleet.awaitWatched(s.quiet())) {
      out.println("load: not every proxy saw the final endpoints of the rolled service");
    }
    double cpu = plane.cpuSeconds() - cpu0;
    double jit = Math.max(0, plane.compilerCpuSeconds() - jit0);
    double toolCpu = toolCpuSeconds() - toolCpu0;
    int n = fleet.envoys().size();
    long[] responses = new long[SimulatedEnvoy.TYPES];
    long[] proxiesPushed = new long[SimulatedEnvoy.TYPES];
    long[] bytes = new long[n];
    List<Long> convergence = new ArrayList<>();
    int notConverged = 0;
    long lastResponse = t0;
    int minWatched = Integer.MAX_VALUE;
    for (SimulatedEnvoy e : fleet.envoys()) {
      SimulatedEnvoy.PhaseSample p = e.sample();
      for (int t = 0; t < SimulatedEnvoy.TYPES; t++) {
        responses[t] += p.responses()[t];
        proxiesPushed[t] += p.responses()[t] > 0 ? 1 : 0;
      }
      bytes[e.index] = p.bytes();
      if (p.lastResponse() != 0 && p.lastResponse() - lastResponse > 0) {
        lastResponse = p.lastResponse();
      }
      minWatched = Math.min(minWatched, p.minWatched());
      if (roll) {
        if (p.finalAck() != 0) {
          convergence.add(p.finalAck() - lastT0);
        } else {
          notConverged++;
        }
      } else if (p.firstAck()[affected.ordinal()] != 0) {
        convergence.add(p.firstAck()[affected.ordinal()] - t0);
      }
    }
    int empties =
        fleet.envoys().stream().mapToInt(SimulatedEnvoy::emptyWatched).sum() - emptyBefore;
    long[] conv = convergence.stream().mapToLong(Long::longValue).sorted().toArray();
    long heap = s.measureHeap() ? plane.heapAfterGcBytes() : 0;
    ChangeReport r =
        new ChangeReport(
            scenario,
            s.proxies(),
            s.services(),
            affected,
            conv,
            notConverged,
            responses,
            proxiesPushed,
            bytes,
            lastResponse - t0,
            cpu,
            toolCpu,
            jit,
            heap,
            empties,
            minWatched == Integer.MAX_VALUE ? -1 : minWatched,
            !quiet,
            plane.debounce());
    out.printf(
        Locale.ROOT,
        "load: %s: %s; %d proxies converged (%s), first %.1f ms, p50 %.1f ms, p99 %.1f ms,"
            + " max %.1f ms; responses per type (responses/proxies) %s; %.2f MB; jpilot cpu %.2f s"
            + " (JIT %.2f s), load tool cpu %.2f s%s%n",
        scenario,
        describe(change, steps),
        r.pushed(),
        affected.shortName(),
        r.percentileMs(0),
        r.percentileMs(50),
        r.percentileMs(99),
        r.percentileMs(100),
        r.types(),
        r.totalBytes() / 1048576.0,
        cpu,
        jit,
        toolCpu,
        roll
            ? String.format(
                Locale.ROOT,
                "; rolled cluster: empty ClusterLoadAssignments received %d, fewest endpoints %d,"
                    + " proxies without the final endpoints %d",
                empties,
                r.minWatched(),
                notConverged)
            : "");
    if (!quiet) {
      out.println("load: " + scenario + ": responses still arriving at the timeout");
    }
    return r;
  }

  private static String describe(String change, int steps) {
    return switch (change) {
      case "vs" -> "VirtualService svc-0 (ns-0) weights changed";
      case "endpoint" -> "one endpoint address of svc-0 (ns-0) changed in its EndpointSlice";
      default -> "rollout of the roll service in " + steps + " steps (maxSurge 25%)";
    };
  }

  /** CPU time used so far by this process (the simulated proxies and the driver). */
  private static double toolCpuSeconds() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime() / 1e9;
    }
    return Double.NaN;
  }

  private static long clientHeapBytes() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Command-line flags. */
  static final class Flags {
    static final String USAGE =
        """
        usage: bin/jpilot-load [flags]
          --scenario s1|s2        s1: Sidecar-scoped mesh (default); s2: unscoped, one full push
          --proxies N             simulated sidecars (default: 10000 for s1, 1000 for s2)
          --services N            services outside the shared namespace (default 1000)
          --changes LIST          s1 changes, in order: vs,endpoint,roll (default: all three)
          --curve                 s1 at 1k/2k/5k/10k proxies (1,000 services), then 1,000 proxies
                                  at 100 and 5,000 services (changes default to vs,endpoint)
          --pods N                pods per service (default 3)
          --roll-pods N           pods of the rolled service (default 500)
          --roll-step-ms N        pause between rollout steps (default 500)
          --heap SIZE             jpilot -Xmx (default 2g)
          --jvm-arg ARG           another JVM option for jpilot (repeatable)
          --jar PATH              jpilot jar (default control-plane/target/jpilot.jar)
          --debounce-after D      jpilot --debounce-after (default 100ms, istiod's; 0 for s2,
                                  whose full push is compared with the network floor)
          --per-connection N      ADS streams per TCP connection (default 1, as Envoy)
          --event-loops N         client Netty event loop threads (default 2)
          --max-syncing N         streams still syncing at a time while connecting (default 200)
          --quiet-ms N            a change is done after N ms without responses (default 2000)
          --idle-cores X          ... and jpilot using < X cores over the last second (default 0.2)
          --timeout-s N           per-phase timeout (default 900)
          --no-heap               skip jcmd GC.run heap measurements
          --warmups N             unmeasured rounds of changes (vs, endpoint) before the
                                  measured ones, so the JIT has compiled the push paths
                                  (default 1; 40 for s2)
          --max-warmups N         after --warmups, more rounds until in 3 of the last 5 changes
                                  jpilot's JIT compiler threads used < 5% of its CPU, up to N
                                  rounds in all (default: --warmups; 150 for s2, whose settled
                                  push is compared with the network floor)
          --repeats N             measure each change N times; its RESULT is the repeat with
                                  the median push time, and lists all (default 1; 5 for s2)
          --keep                  keep the generated config directory
        """;

    String scenario = "s1";
    int proxies = -1;
    int services = 1000;
    List<String> changes;
    boolean curve;
    int pods = 3;
    int rollPods = 500;
    long rollStepMs = 500;
    String heap = "2g";
    List<String> jvmArgs = new ArrayList<>();
    Path jar = Path.of("control-plane/target/jpilot.jar");
    /** Null: the scenario's default, see {@link #debounce}. */
    Duration debounceAfter;
    int perConnection = 1;
    int eventLoops = 2;
    int maxSyncing = 200;
    long quietMs = 2000;
    long timeoutS = 900;
    boolean heapOn = true;
    double idleCores = 0.2;
    /** -1: the scenario's default, see {@link #warmups}. */
    int warmups = -1;
    /** -1: the scenario's default, see {@link #maxWarmups}. */
    int maxWarmups = -1;
    /** 0: the scenario's default (5 for s2, else 1). */
    int repeats;
    boolean keep;
    boolean help;

    static Flags parse(String[] argv) {
      Flags f = new Flags();
      for (int i = 0; i < argv.length; i++) {
        String a = argv[i];
        switch (a) {
          case "--help", "-h" -> f.help = true;
          case "--curve" -> f.curve = true;
          case "--keep" -> f.keep = true;
          case "--no-heap" -> f.heapOn = false;
          default -> {
            if (!a.startsWith("--") || i + 1 >= argv.length) {
              throw new IllegalArgumentException("unknown or incomplete flag: " + a);
            }
            String v = argv[++i];
            switch (a) {
              case "--scenario" -> f.scenario = v;
              case "--proxies" -> f.proxies = positive(a, v);
              case "--services" -> f.services = positive(a, v);
              case "--changes" -> f.changes = Arrays.asList(v.split(","));
              case "--pods" -> f.pods = positive(a, v);
              case "--roll-pods" -> f.rollPods = positive(a, v);
              case "--roll-step-ms" -> f.rollStepMs = positive(a, v);
              case "--heap" -> f.heap = v;
              case "--jvm-arg" -> f.jvmArgs.add(v);
              case "--jar" -> f.jar = Path.of(v);
              case "--debounce-after" -> f.debounceAfter = io.jpilot.model.Durations.parse(v);
              case "--per-connection" -> f.perConnection = positive(a, v);
              case "--event-loops" -> f.eventLoops = positive(a, v);
              case "--max-syncing" -> f.maxSyncing = positive(a, v);
              case "--quiet-ms" -> f.quietMs = positive(a, v);
              case "--timeout-s" -> f.timeoutS = positive(a, v);
              case "--idle-cores" -> f.idleCores = Double.parseDouble(v);
              case "--warmups" -> f.warmups = Integer.parseInt(v);
              case "--max-warmups" -> f.maxWarmups = Integer.parseInt(v);
              case "--repeats" -> f.repeats = positive(a, v);
              default -> throw new IllegalArgumentException("unknown flag: " + a);
            }
          }
        }
      }
      return f;
    }

    /**
     * jpilot's debounce: as given, else istiod's 100 ms, except for s2. s2 measures one full push
     * against the time to write its bytes, so like the JMH push-latency benchmarks it runs without
     * the debounce's deliberate wait (its clock still starts at the config file write).
     */
    int warmups(String scenario) {
      if (warmups >= 0) {
        return warmups;
      }
      return scenario.equals("s2") ? 40 : 1;
    }

    int maxWarmups(String scenario) {
      int min = warmups(scenario);
      if (maxWarmups >= 0) {
        return Math.max(min, maxWarmups);
      }
      return scenario.equals("s2") ? Math.max(min, 150) : min;
    }

    Duration debounce() {
      if (debounceAfter != null) {
        return debounceAfter;
      }
      return scenario.equals("s2") && !curve ? Duration.ZERO : Duration.ofMillis(100);
    }

    private static int positive(String flag, String v) {
      int n;
      try {
        n = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + " " + v + " (expected: a number)");
      }
      if (n < 1) {
        throw new IllegalArgumentException(flag + " " + v + " (expected: >= 1)");
      }
      return n;
    }

    Settings settings(String scenario, int proxiesOrDefault, int services) {
      int p = proxies > 0 && !curve ? proxies : proxiesOrDefault;
      if (p < 0) {
        p = scenario.equals("s2") ? 1000 : 10000;
      }
      List<String> ch =
          changes != null
              ? changes
              : curve ? List.of("vs", "endpoint") : List.of("vs", "endpoint", "roll");
      return new Settings(
          scenario,
          p,
          services,
          pods,
          rollPods,
          ch,
          perConnection,
          eventLoops,
          maxSyncing,
          Duration.ofMillis(quietMs),
          Duration.ofSeconds(10),
          Duration.ofSeconds(timeoutS),
          Duration.ofMillis(rollStepMs),
          heapOn,
          idleCores,
          warmups(scenario),
          maxWarmups(scenario),
          repeats > 0 ? repeats : scenario.equals("s2") ? 5 : 1);
    }
  }
}
