package io.jpilot.push;

import io.jpilot.model.Durations;
import static java.util.Objects.requireNonNull;

import io.jpilot.model.ConfigStore;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.translate.XdsType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns debounced {@link PushRequest}s into pushes to every connected proxy.
 *
 * <p>Each debounced request builds a new {@link MeshSnapshot} from the {@link ConfigStore} (version
 * = push number), publishes it as {@link #snapshot() current}, and queues every registered {@link
 * PushTarget} in a {@link PushQueue}. Requests whose changes are EndpointSlices and Pods only take
 * a shortcut when it gives what a rebuild gives ({@link MeshSnapshot#withEndpointSlices}), whatever
 * their {@code full} flag (sources mark Pod changes full; istiod pushes them as endpoints): the new snapshot
 * shares everything but the endpoints of the hosts those slices serve, and only the targets that
 * {@linkplain PushTarget#watchesAny watch} one of those hosts are queued. Other endpoint-only
 * requests build a whole snapshot and queue every target; either way targets regenerate only EDS.
 * {@code pushThrottle} worker threads take targets off the queue, so at most that many proxies are
 * generated for and sent to at once, and each takes the next target only when the {@link
 * SendBudget} has room: while the responses sent and not yet written to the sockets stay below its
 * limit. A target is always pushed from the newest snapshot, not the
 * one that queued it. Generated resources go through a {@link ResourceCache}, so proxies with the
 * same view share one generation and its serialized bytes.
 *
 * <p>One INFO line per push round, once every proxy queued by it has been pushed: {@code push #12
 * reason=config,endpoint full=true proxies=3 changed=2 duration=4ms version=12}, where {@code
 * duration} runs from the debounce flush until the last of those proxies was pushed, and {@code
 * changed} counts the proxies that were sent at least one response. A proxy that a later push
 * already covered (a newer snapshot, full when the round was full) counts as pushed, and so does one
 * whose stream holds the push until its client answers an earlier response (it is sent then, from
 * the newest snapshot, and counted in {@code pilot_proxy_convergence_time} at that point).
 *
 * <p>Metrics (istiod's names): {@code pilot_push_triggers{type=<reason>}} per proxy pushed, {@code
 * pilot_debounce_time}, {@code pilot_proxy_queue_time}, {@code pilot_proxy_convergence_time}
 * (seconds, histograms) and the gauge {@code pilot_xds} (connected proxies).
 */
public final class PushEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PushEngine.class);
  private static final double[] DEBOUNCE_BUCKETS = {.01, .1, 1, 3, 5, 10, 20, 30};
  private static final double[] CONVERGENCE_BUCKETS = {.1, .5, 1, 3, 5, 10, 20, 30};

  /** Bound on cached generations: one per distinct (proxy view, type, names) in a snapshot. */
  static final int CACHE_ENTRIES = 100_000;

  private final ConfigStore store;
  private final String domainSuffix;
  private final PushSettings settings;
  private final ResourceGenerator generator;
  private final ResourceCache cache;
  private final PushFilter filter;
  private final MeterRegistry meters;
  private final LongSupplier nanoClock;
  private final ScheduledExecutorService ownedScheduler;
  private final Debouncer debouncer;
  private final SendBudget sendBudget;
  private final PushQueue<PushTarget> queue = new PushQueue<>();
  private final Set<PushTarget> targets = ConcurrentHashMap.newKeySet();
  private final List<Round> rounds = new ArrayList<>();
  private final List<Consumer<PushSummary>> listeners = new CopyOnWriteArrayList<>();
  private final List<Thread> workers = new ArrayList<>();

  private final Map<PushRequest.Reason, Counter> triggers = new EnumMap<>(PushRequest.Reason.class);
  private final Counter unknownTrigger;
  private final DistributionSummary debounceTime;
  private final DistributionSummary queueTime;
  private final DistributionSummary convergenceTime;

  private volatile MeshSnapshot current;

  /**
   * The snapshot of the last full push, and the objects it was built from: every proxy has been
   * served all types from it or a later snapshot. A full push's dependency check compares against
   * it, and with every object that differs from these, not only the ones its request names: a
   * source writes the store before it asks for a push, so a snapshot may already hold a change
   * whose request comes later, and an endpoint-only push may have published it without pushing
   * anything but EDS. Written only by the debouncer's push function.
   */
  private MeshSnapshot fullBase;

  private Map<ConfigKey, MeshObject> fullObjects = Map.of();
  private long pushCount; // written only by the debouncer's push function, one push at a time
  private boolean started;
  private volatile boolean closed;

  /**
   * An engine whose generator sees each proxy's whole view (node id included), so resources are
   * shared only between connections of the same node.
   */
  public PushEngine(
      ConfigStore store,
      String domainSuffix,
      PushSettings settings,
      ResourceGenerator generator,
      MeterRegistry meters) {
    this(store, domainSuffix, settings, generator, ProxyKeyer.WHOLE_VIEW, PushFilter.ALL, meters,
        System::nanoTime, null);
  }

  /**
   * @param generator production passes {@code new Translator()::generate}
   * @param keyer what the generator may see of a proxy (production: {@code
   *     TranslationInputs::normalize}); proxies with equal keys share generated resources
   */
  public PushEngine(
      ConfigStore store,
      String domainSuffix,
      PushSettings settings,
      ResourceGenerator generator,
      ProxyKeyer keyer,
      MeterRegistry meters) {
    this(store, domainSuffix, settings, generator, keyer, PushFilter.ALL, meters);
  }

  /**
   * @param filter which proxies a full push must reach (production: {@code new
   *     ProxyDependencies(mesh)::affected})
   */
  public PushEngine(
      ConfigStore store,
      String domainSuffix,
      PushSettings settings,
      ResourceGenerator generator,
      ProxyKeyer keyer,
      PushFilter filter,
      MeterRegistry meters) {
    this(store, domainSuffix, settings, generator, keyer, filter, meters, System::nanoTime, null);
  }

  PushEngine(
      ConfigStore store,
      String domainSuffix,
      PushSettings settings,
      ResourceGenerator generator,
      MeterRegistry meters,
      LongSupplier nanoClock,
      Scheduler scheduler) {
    this(
        store,
        domainSuffix,
        settings,
        generator,
        ProxyKeyer.WHOLE_VIEW,
        PushFilter.ALL,
        meters,
        nanoClock,
        scheduler);
  }

  /** With an injected clock and scheduler (tests); a null scheduler means a private thread. */
  PushEngine(
      ConfigStore store,
      String domainSuffix,
      PushSettings settings,
      ResourceGenerator generator,
      ProxyKeyer keyer,
      PushFilter filter,
      MeterRegistry meters,
      LongSupplier nanoClock,
      Scheduler scheduler) {
    this.filter = requireNonNull(filter, "filter");
    this.store = requireNonNull(store, "store");
    this.domainSuffix = requireNonNull(domainSuffix, "domainSuffix");
    this.settings = requireNonNull(settings, "settings");
    this.generator = requireNonNull(generator, "generator");
    this.meters = requireNonNull(meters, "meters");
    this.cache = new ResourceCache(generator, keyer, CACHE_ENTRIES, meters);
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    this.lastRoundFinished = nanoClock.getAsLong() - IDLE_AFTER_NANOS;
    this.sendBudget =
        new SendBudget(settings.sendBudgetBytes(), SendBudget.DEFAULT_STALE_NANOS, nanoClock);
    if (scheduler == null) {
      ownedScheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "jpilot-debounce");
                t.setDaemon(true);
                return t;
              });
      scheduler = Scheduler.of(ownedScheduler);
    } else {
      ownedScheduler = null;
    }
    this.debouncer =
        new Debouncer(
            settings.debounceAfter(), settings.debounceMax(), nanoClock, scheduler, this::flush);
    this.current = MeshSnapshot.build(0, domainSuffix, List.of());

    for (PushRequest.Reason reason : PushRequest.Reason.values()) {
      triggers.put(reason, triggerCounter(reason.label()));
    }
    unknownTrigger = triggerCounter("unknown");
    debounceTime =
        DistributionSummary.builder("pilot_debounce_time")
            .description("Delay in seconds between the first config change and the debounce flush")
            .serviceLevelObjectives(DEBOUNCE_BUCKETS)
            .register(meters);
    queueTime =
        DistributionSummary.builder("pilot_proxy_queue_time")
            .description("Time in seconds a proxy waits in the push queue before being dequeued")
            .serviceLevelObjectives(CONVERGENCE_BUCKETS)
            .register(meters);
    convergenceTime =
        DistributionSummary.builder("pilot_proxy_convergence_time")
            .description(
                "Delay in seconds between a config change and a proxy receiving all required"
                    + " configuration")
            .serviceLevelObjectives(CONVERGENCE_BUCKETS)
            .register(meters);
    Gauge.builder("pilot_xds", targets, Set::size)
        .description("Number of endpoints connected to this pilot using XDS")
        .register(meters);
    Gauge.builder("jpilot_push_send_budget_bytes", sendBudget, SendBudget::inFlight)
        .description("Response bytes handed to streams and not yet written to their sockets")
        .register(meters);
    FunctionCounter.builder("jpilot_push_send_budget_stale", sendBudget, SendBudget::expired)
        .description(
            "Times a stream's unwritten bytes stopped counting against the send budget because"
                + " it did not drain within the stale time")
        .register(meters);
  }

  private Counter triggerCounter(String label) {
    return Counter.builder("pilot_push_triggers")
        .description("Total number of times a push was triggered, labeled by reason for the push")
        .tag("type", label)
        .register(meters);
  }

  /**
   * Builds the first snapshot (version 0) from the store's contents and starts the push workers.
   * Proxies that connect before the first push are served from it.
   */
  public synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    List<MeshObject> all = store.all();
    current = MeshSnapshot.build(0, domainSuffix, all);
    fullBase = current;
    fullObjects = byKey(all);
    for (int i = 0; i < settings.pushThrottle(); i++) {
      Thread t = new Thread(this::work, "jpilot-push-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    LOG.debug(
        "push engine started: debounceAfter={} debounceMax={} pushThrottle={} objects={}",
        Durations.format(settings.debounceAfter()),
        Durations.format(settings.debounceMax()),
        settings.pushThrottle(),
        store.size());
  }

  /** Asks for a push (istiod's ConfigUpdate): debounced and merged with other requests. */
  public void request(PushRequest request) {
    debouncer.submit(requireNonNull(request, "request"));
  }

  /** The newest snapshot; proxies are served from it. */
  public MeshSnapshot snapshot() {
    return current;
  }

  public ResourceGenerator generator() {
    return generator;
  }

  /**
   * The resources of {@code type} for {@code proxy} from {@code snapshot}, shared with every proxy
   * of the same view.
   *
   * @param names the subscribed names; empty means all (wildcard)
   */
  public GeneratedResources resources(
      MeshSnapshot snapshot, ProxyView proxy, XdsType type, Set<String> names) {
    return cache.get(snapshot, proxy, type, names);
  }

  public PushSettings settings() {
    return settings;
  }

  /** What streams charge their sends to; the workers wait for room in it before each proxy. */
  public SendBudget sendBudget() {
    return sendBudget;
  }

  public MeterRegistry meters() {
    return meters;
  }

  /** The engine's clock ({@link System#nanoTime()} in production). */
  public long nanoTime() {
    return nanoClock.getAsLong();
  }

  /** Adds a target to every later push. */
  public void register(PushTarget target) {
    targets.add(requireNonNull(target, "target"));
  }

  /** Removes a target from later pushes and from the rounds still waiting for it. */
  public void unregister(PushTarget target) {
    if (!targets.remove(requireNonNull(target, "target"))) {
      return;
    }
    List<Round> finished = new ArrayList<>();
    synchronized (rounds) {
      for (Round r : rounds) {
        if (r.pending.remove(target) && r.pending.isEmpty()) {
          finished.add(r);
        }
      }
      rounds.removeAll(finished);
    }
    finished.forEach(this::finish);
  }

  /** Queues one target alone, e.g. when a stream that deferred a push can take more again. */
  public void requeue(PushTarget target, PushRequest request) {
    if (targets.contains(target)) {
      queue.enqueue(target, request);
    }
  }

  /** How long after a round is handed to the streams the engine still counts as busy. */
  static final long IDLE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** Engine time the last round was handed to its streams. */
  private volatile long lastRoundFinished;

  /**
   * True when no push is being debounced, built, queued or handed to streams, and none was in the
   * last 500 ms (its bytes are then usually still being written): a moment for background work
   * that should not compete with a push for the cores.
   */
  public boolean idle() {
    synchronized (rounds) {
      if (!rounds.isEmpty()) {
        return false;
      }
    }
    return queue.pending() == 0
        && debouncer.isFree()
        && debouncer.debouncedEvents() == 0
        && nanoClock.getAsLong() - lastRoundFinished >= IDLE_AFTER_NANOS;
  }

  /** Registered targets (connected proxies). */
  public int connectedProxies() {
    return targets.size();
  }

  /** Proxies waiting in the push queue (not counting those being pushed). */
  public int queuedProxies() {
    return queue.pending();
  }

  /** Called with every finished push round, on the thread that finished it. */
  public void addListener(Consumer<PushSummary> listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** The debouncer's push function: build, publish, queue. Runs one at a time. */
  private void flush(PushRequest asked, Runnable done) {
    PushRequest request = asked;
    try {
      if (closed) {
        return;
      }
      long flushNanos = nanoClock.getAsLong();
      long id = ++pushCount;
      MeshSnapshot snapshot;
      Set<PushTarget> queued;
      Map<PushTarget, PushRequest> narrowed = Map.of();
      List<MeshObject> objects = store.all();
      // Changes of EndpointSlices and Pods only: endpoints of some hosts, EDS only (istiod pushes
      // pod churn as endpoint updates too), unless the shortcut declines.
      Optional<MeshSnapshot.EndpointUpdate> update =
          current.withEndpointSlices(id, request.changed(), objects);
      if (update.isPresent()) {
        request =
            new PushRequest(
                false,
                request.changed(),
                request.reasons(),
                request.startNanos(),
                EnumSet.of(XdsType.ENDPOINT));
        snapshot = update.get().snapshot();
        Set<String> hosts = update.get().hosts();
        queued = new HashSet<>();
        for (PushTarget t : targets) {
          if (t.watchesAny(hosts)) {
            queued.add(t);
          }
        }
      } else {
        MeshSnapshot previous = current;
        snapshot = MeshSnapshot.build(id, domainSuffix, objects);
        Set<ConfigKey> endpointKeys = new HashSet<>();
        Set<ConfigKey> configKeys = new HashSet<>();
        for (ConfigKey key : request.changed()) {
          (isEndpointKind(key) ? endpointKeys : configKeys).add(key);
        }
        // Endpoint changes shape more than EDS exactly when the shortcut declines them (headless
        // services, WorkloadEntries, ...): then every type of every proxy, as istiod's full push
        // for headless endpoints; otherwise they add EDS, and the config changes decide the rest.
        boolean endpointsOnlyEds =
            endpointKeys.isEmpty()
                || previous.withEndpointSlices(id, endpointKeys, objects).isPresent();
        if (!request.full() && !endpointsOnlyEds) {
          request =
              new PushRequest(
                  true,
                  request.changed(),
                  request.reasons(),
                  request.startNanos(),
                  EnumSet.allOf(XdsType.class));
        }
        if (request.full()) {
          Map<ConfigKey, MeshObject> latest = byKey(objects);
          // Every object that differs from the last full push's, not only those the request
          // names; endpoint objects among them were pushed as EDS when their own request came
          // (or will be), so they do not widen the push.
          Set<ConfigKey> compared = new HashSet<>(configKeys);
          for (ConfigKey key : differing(fullObjects, latest)) {
            if (!isEndpointKind(key)) {
              compared.add(key);
            }
          }
          if (!endpointsOnlyEds) {
            compared.addAll(endpointKeys);
          }
          Set<XdsType> everything = request.types();
          Function<ProxyView, Set<XdsType>> decide =
              request.changed().isEmpty()
                  ? proxy -> everything // a push that names nothing (debug, global) reaches all
                  : compared.isEmpty()
                      ? proxy -> EnumSet.noneOf(XdsType.class)
                      : filter.affected(fullBase, snapshot, compared);
          boolean withEds = !endpointKeys.isEmpty();
          Function<ProxyView, Set<XdsType>> affected =
              !withEds
                  ? decide
                  : proxy -> {
                    EnumSet<XdsType> types = EnumSet.of(XdsType.ENDPOINT);
                    types.addAll(decide.apply(proxy));
                    return types;
                  };
          fullBase = snapshot;
          fullObjects = latest;
          // Decided in parallel: a decision may compute two Sidecar scopes.
          Map<PushTarget, Set<XdsType>> decisions = new ConcurrentHashMap<>();
          Set<XdsType> all = request.types();
          targets.parallelStream()
              .forEach(
                  t -> {
                    Optional<ProxyView> proxy = t.proxy();
                    decisions.put(
                        t, proxy.isEmpty() ? all : affected.apply(proxy.get()));
                  });
          narrowed = new HashMap<>();
          queued = new HashSet<>();
          for (Map.Entry<PushTarget, Set<XdsType>> d : decisions.entrySet()) {
            Set<XdsType> types = d.getValue();
            if (types.isEmpty()) {
              continue;
            }
            queued.add(d.getKey());
            if (!types.containsAll(request.types())) {
              narrowed.put(d.getKey(), request.withoutChanges().onlyFor(types));
            }
          }
        } else {
          queued = new HashSet<>(targets);
        }
      }
      current = snapshot;
      Round round = new Round(id, snapshot.version(), request, flushNanos, queued);
      synchronized (rounds) {
        if (!queued.isEmpty()) {
          rounds.add(round);
        }
      }
      PushRequest forTargets = request.withoutChanges();
      for (PushTarget t : queued) {
        queue.enqueue(t, narrowed.getOrDefault(t, forTargets));
      }
      debounceTime.record(seconds(nanoClock.getAsLong() - request.startNanos()));
      if (queued.isEmpty()) {
        finish(round);
      }
    } catch (RuntimeException e) {
      LOG.error("push failed: reason={} full={}", asked.reasons(), asked.full(), e);
    } finally {
      done.run();
    }
  }

  private static boolean isEndpointKind(ConfigKey key) {
    return key.kind().equals(EndpointSlice.KIND) || key.kind().equals(Pod.KIND);
  }

  private static Map<ConfigKey, MeshObject> byKey(List<MeshObject> objects) {
    Map<ConfigKey, MeshObject> out = new HashMap<>(objects.size() * 2);
    for (MeshObject o : objects) {
      out.put(o.key(), o);
    }
    return out;
  }

  /** Keys whose object was added, removed or changed from {@code before} to {@code after}. */
  static Set<ConfigKey> differing(
      Map<ConfigKey, MeshObject> before, Map<ConfigKey, MeshObject> after) {
    Set<ConfigKey> out = new HashSet<>();
    int kept = 0; // keys of after that before has too
    for (Map.Entry<ConfigKey, MeshObject> e : after.entrySet()) {
      MeshObject was = before.get(e.getKey());
      if (was != null) {
        kept++;
      }
      if (was != e.getValue() && !e.getValue().equals(was)) {
        out.add(e.getKey());
      }
    }
    if (kept == before.size()) {
      return out; // every key of before is in after: none was removed
    }
    for (ConfigKey key : before.keySet()) {
      if (!after.containsKey(key)) {
        out.add(key);
      }
    }
    return out;
  }

  private void work() {
    while (true) {
      PushQueue.Item<PushTarget> item;
      try {
        sendBudget.awaitRoom();
        item = queue.dequeue();
      } catch (InterruptedException e) {
        return;
      }
      if (item == null) {
        return;
      }
      PushTarget target = item.connection();
      PushRequest request = item.request();
      try {
        pushOne(target, request);
      } catch (RuntimeException | Error e) {
        LOG.error("push to {} failed", target.id(), e);
      } finally {
        queue.markDone(target);
      }
    }
  }

  private void pushOne(PushTarget target, PushRequest request) {
    long dequeued = nanoClock.getAsLong();
    queueTime.record(seconds(dequeued - request.startNanos()));
    if (request.reasons().isEmpty()) {
      unknownTrigger.increment();
    } else {
      for (PushRequest.Reason reason : request.reasons()) {
        triggers.get(reason).increment();
      }
    }
    MeshSnapshot snapshot = current;
    PushTarget.Result result;
    try {
      result = target.push(snapshot, request);
    } catch (RuntimeException e) {
      LOG.error("push to {} failed", target.id(), e);
      result = PushTarget.Result.UNCHANGED;
    }
    if (result == PushTarget.Result.SENT || result == PushTarget.Result.UNCHANGED) {
      convergenceTime.record(seconds(nanoClock.getAsLong() - request.startNanos()));
    }
    complete(target, snapshot.version(), request.full(), result);
  }

  /**
   * Records the convergence of pushes a target held until its client answered an earlier response
   * ({@link PushTarget.Result#DEFERRED}), now that they were sent.
   *
   * @param startNanos the earliest start of the held pushes' requests (this engine's clock)
   */
  public void heldPushDelivered(long startNanos) {
    convergenceTime.record(seconds(nanoClock.getAsLong() - startNanos));
  }

  /** Marks {@code target} done in every round that a push of (version, full) covers. */
  private void complete(PushTarget target, long version, boolean full, PushTarget.Result result) {
    List<Round> finished = new ArrayList<>();
    synchronized (rounds) {
      for (Round r : rounds) {
        if (version >= r.version && (full || !r.request.full()) && r.pending.remove(target)) {
          if (result == PushTarget.Result.SENT) {
            r.changed++;
          }
          if (r.pending.isEmpty()) {
            finished.add(r);
          }
        }
      }
      rounds.removeAll(finished);
    }
    finished.forEach(this::finish);
  }

  private void finish(Round r) {
    lastRoundFinished = nanoClock.getAsLong();
    PushSummary summary =
        new PushSummary(
            r.id,
            r.request.reasons(),
            r.request.full(),
            r.proxies,
            r.changed,
            Duration.ofNanos(Math.max(0, nanoClock.getAsLong() - r.flushNanos)),
            r.version);
    LOG.info(summary.logLine());
    for (Consumer<PushSummary> listener : listeners) {
      try {
        listener.accept(summary);
      } catch (RuntimeException e) {
        LOG.warn("push listener failed", e);
      }
    }
  }

  private static double seconds(long nanos) {
    return Math.max(0, nanos) / 1e9;
  }

  /** Stops debouncing and the workers; pending pushes are dropped. */
  @Override
  public void close() {
    closed = true;
    debouncer.close();
    queue.shutDown();
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
    for (Thread t : workers) {
      t.interrupt();
    }
    for (Thread t : workers) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A push round in flight: the proxies it still waits for. */
  private static final class Round {
    final long id;
    final long version;
    final PushRequest request;
    final long flushNanos;
    final Set<PushTarget> pending;
    final int proxies;
    int changed;

    Round(long id, long version, PushRequest request, long flushNanos, Set<PushTarget> queued) {
      this.id = id;
      this.version = version;
      this.request = request;
      this.flushNanos = flushNanos;
      this.pending = new HashSet<>(queued);
      this.proxies = queued.size();
    }
  }
}
