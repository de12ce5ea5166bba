package io.jpilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.ConfigStore;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import io.jpilot.push.PushRequest.Reason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PushEngineTest {
  private final FakeScheduler scheduler = new FakeScheduler();
  private final ConfigStore store = new ConfigStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final BlockingQueue<PushSummary> summaries = new LinkedBlockingQueue<>();
  private PushEngine engine;

  /** A proxy that records what it was pushed and answers with a preset result. */
  private static class RecordingTarget implements PushTarget {
    final String name;
    final List<Pushed> pushed = new CopyOnWriteArrayList<>();
    volatile Result result = Result.SENT;

    record Pushed(long version, boolean full, Set<String> services) {}

    RecordingTarget(String name) {
      this.name = name;
    }

    @Override
    public Result push(MeshSnapshot snapshot, PushRequest request) {
      pushed.add(new Pushed(snapshot.version(), request.full(), snapshot.services().keySet()));
      return result;
    }

    @Override
    public String id() {
      return name;
    }
  }

  private PushEngine start(int throttle) {
    engine =
        new PushEngine(
            store,
            "cluster.local",
            new PushSettings(Duration.ofMillis(100), Duration.ofSeconds(10), throttle),
            (snapshot, proxy, type, names) -> new java.util.TreeMap<>(),
            meters,
            scheduler.clock(),
            scheduler);
    engine.addListener(summaries::add);
    engine.start();
    return engine;
  }

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  private static Service service(String name) {
    return new Service(
        name + ".default.svc.cluster.local",
        name,
        "default",
        "10.0.0.1",
        List.of(new ServicePort("http", 80, 8080, "", Protocol.HTTP)),
        Map.of("app", name),
        Map.of());
  }

  private PushRequest request(boolean full, Reason... reasons) {
    return new PushRequest(full, Set.of(), Set.of(reasons), scheduler.now());
  }

  private PushSummary nextSummary() throws InterruptedException {
    PushSummary s = summaries.poll(10, TimeUnit.SECONDS);
    assertThat(s).as("a push summary").isNotNull();
    return s;
  }

  @Test
  void startServesTheStoreAsVersionZero() {
    store.put(service("a"));
    start(2);
    assertThat(engine.snapshot().version()).isZero();
    assertThat(engine.snapshot().services()).containsKey("a.default.svc.cluster.local");
  }

  @Test
  void idleOnlyWithNoPushDebouncingQueuedOrJustHandedOut() throws Exception {
    start(2);
    engine.register(new RecordingTarget("a"));
    assertThat(engine.idle()).isTrue();

    store.put(service("reviews"));
    engine.request(request(true, Reason.CONFIG));
    assertThat(engine.idle()).as("debouncing").isFalse();
    scheduler.advanceMillis(100);
    nextSummary();
    assertThat(engine.idle()).as("just handed to the streams").isFalse();
    scheduler.advanceMillis(499);
    assertThat(engine.idle()).isFalse();
    scheduler.advanceMillis(1);
    assertThat(engine.idle()).isTrue();
  }

  @Test
  void aFullPushBuildsANewSnapshotAndPushesEveryProxy() throws Exception {
    start(2);
    RecordingTarget a = new RecordingTarget("a");
    RecordingTarget b = new RecordingTarget("b");
    RecordingTarget c = new RecordingTarget("c");
    c.result = PushTarget.Result.UNCHANGED;
    engine.register(a);
    engine.register(b);
    engine.register(c);
    assertThat(meters.get("pilot_xds").gauge().value()).isEqualTo(3.0);

    store.put(service("reviews"));
    engine.request(request(true, Reason.CONFIG));
    engine.request(request(true, Reason.SERVICE));
    scheduler.advanceMillis(100);

    PushSummary s = nextSummary();
    assertThat(s.id()).isEqualTo(1);
    assertThat(s.version()).isEqualTo(1);
    assertThat(s.full()).isTrue();
    assertThat(s.proxies()).isEqualTo(3);
    assertThat(s.changed()).isEqualTo(2);
    assertThat(s.reasons()).containsExactly(Reason.CONFIG, Reason.SERVICE);
    assertThat(s.logLine())
        .matches(
            "push #1 reason=config,service full=true proxies=3 changed=2 duration=\\d+ms"
                + " version=1");
    assertThat(engine.snapshot().version()).isEqualTo(1);
    for (RecordingTarget t : List.of(a, b, c)) {
      assertThat(t.pushed)
          .containsExactly(
              new RecordingTarget.Pushed(1, true, Set.of("reviews.default.svc.cluster.local")));
    }
    assertThat(meters.get("pilot_push_triggers").tag("type", "config").counter().count())
        .isEqualTo(3);
    assertThat(meters.get("pilot_push_triggers").tag("type", "service").counter().count())
        .isEqualTo(3);
    assertThat(meters.get("pilot_debounce_time").summary().count()).isEqualTo(1);
    assertThat(meters.get("pilot_proxy_convergence_time").summary().count()).isEqualTo(3);
  }

  @Test
  void anEndpointOnlyPushStaysEndpointOnlyButSeesTheNewStore() throws Exception {
    start(2);
    RecordingTarget a = new RecordingTarget("a");
    engine.register(a);
    store.put(service("ratings"));
    engine.request(request(false, Reason.ENDPOINT));
    scheduler.advanceMillis(100);
    PushSummary s = nextSummary();
    assertThat(s.full()).isFalse();
    assertThat(s.logLine()).startsWith("push #1 reason=endpoint full=false proxies=1 changed=1");
    assertThat(a.pushed)
        .containsExactly(
            new RecordingTarget.Pushed(1, false, Set.of("ratings.default.svc.cluster.local")));
  }

  /** A target that watches the endpoints of the given hosts only. */
  private static final class WatchingTarget extends RecordingTarget {
    final Set<String> hosts;

    WatchingTarget(String name, Set<String> hosts) {
      super(name);
      this.hosts = hosts;
    }

    @Override
    public boolean watchesAny(Set<String> hostnames) {
      return hostnames.stream().anyMatch(hosts::contains);
    }
  }

  private static EndpointSlice slice(String service, String ip) {
    return new EndpointSlice(
        service + "-abc",
        "default",
        service,
        List.of(new EndpointSlice.Port("http", 8080)),
        List.of(new EndpointSlice.Entry(List.of(ip), true, "", "", "")));
  }

  @Test
  void aSliceChangeUpdatesOnlyItsHostAndPushesOnlyTheProxiesWatchingIt() throws Exception {
    store.put(service("a"));
    store.put(service("b"));
    store.put(slice("a", "10.1.0.1"));
    store.put(slice("b", "10.1.0.2"));
    start(2);
    MeshSnapshot before = engine.snapshot();
    WatchingTarget watchesA = new WatchingTarget("wa", Set.of("a.default.svc.cluster.local"));
    WatchingTarget watchesB = new WatchingTarget("wb", Set.of("b.default.svc.cluster.local"));
    engine.register(watchesA);
    engine.register(watchesB);

    EndpointSlice moved = slice("a", "10.1.0.9");
    store.put(moved);
    engine.request(new PushRequest(false, Set.of(moved.key()), Set.of(Reason.ENDPOINT), 0));
    scheduler.advanceMillis(100);

    PushSummary s = nextSummary();
    assertThat(s.full()).isFalse();
    assertThat(s.proxies()).isEqualTo(1);
    assertThat(watchesA.pushed).extracting(RecordingTarget.Pushed::version).containsExactly(1L);
    assertThat(watchesB.pushed).isEmpty();
    MeshSnapshot after = engine.snapshot();
    assertThat(after.endpoints("a.default.svc.cluster.local"))
        .extracting(e -> e.address())
        .containsExactly("10.1.0.9");
    assertThat(after.endpoints("b.default.svc.cluster.local"))
        .isSameAs(before.endpoints("b.default.svc.cluster.local"));
    assertThat(after.virtualServices()).isSameAs(before.virtualServices());
  }

  @Test
  void aPodChangeIsPushedAsEndpointsToTheProxiesWatchingItsService() throws Exception {
    store.put(service("a"));
    store.put(service("b"));
    Pod pod = new Pod("a-0", "default", Map.of("app", "a"), List.of("10.1.0.1"), "n", Locality.NONE);
    store.put(pod);
    store.put(
        new EndpointSlice(
            "a-abc",
            "default",
            "a",
            List.of(new EndpointSlice.Port("http", 8080)),
            List.of(new EndpointSlice.Entry(List.of("10.1.0.1"), true, "", "", "a-0"))));
    start(2);
    WatchingTarget watchesA = new WatchingTarget("wa", Set.of("a.default.svc.cluster.local"));
    WatchingTarget watchesB = new WatchingTarget("wb", Set.of("b.default.svc.cluster.local"));
    engine.register(watchesA);
    engine.register(watchesB);

    Pod relabelled =
        new Pod("a-0", "default", Map.of("app", "a", "v", "2"), List.of("10.1.0.1"), "n",
            Locality.NONE);
    store.put(relabelled);
    // Sources ask for a full push on Pod changes; the engine finds it touches endpoints only.
    engine.request(new PushRequest(true, Set.of(relabelled.key()), Set.of(Reason.ENDPOINT), 0));
    scheduler.advanceMillis(100);

    PushSummary s = nextSummary();
    assertThat(s.full()).isFalse();
    assertThat(s.proxies()).isEqualTo(1);
    assertThat(watchesA.pushed).extracting(RecordingTarget.Pushed::full).containsExactly(false);
    assertThat(watchesB.pushed).isEmpty();
    assertThat(engine.snapshot().endpoints("a.default.svc.cluster.local"))
        .singleElement()
        .satisfies(e -> assertThat(e.labels()).containsEntry("v", "2"));
  }

  @Test
  void anEndpointRequestNamingMoreThanSlicesPushesEveryProxy() throws Exception {
    store.put(service("a"));
    store.put(slice("a", "10.1.0.1"));
    start(2);
    WatchingTarget watchesB = new WatchingTarget("wb", Set.of("b.default.svc.cluster.local"));
    engine.register(watchesB);

    EndpointSlice moved = slice("a", "10.1.0.9");
    store.put(moved);
    engine.request(
        new PushRequest(
            false,
            Set.of(moved.key(), service("a").key()),
            Set.of(Reason.ENDPOINT),
            0));
    scheduler.advanceMillis(100);

    assertThat(nextSummary().proxies()).isEqualTo(1);
    assertThat(watchesB.pushed).extracting(RecordingTarget.Pushed::full).containsExactly(false);
  }

  /** What a push filter was asked: the base snapshot and the changed keys. */
  private record Asked(MeshSnapshot before, Set<io.jpilot.model.config.ConfigKey> changed) {}

  private PushEngine startWithFilter(List<Asked> asked) {
    engine =
        new PushEngine(
            store,
            "cluster.local",
            new PushSettings(Duration.ofMillis(100), Duration.ofSeconds(10), 2),
            (snapshot, proxy, type, names) -> new java.util.TreeMap<>(),
            ProxyKeyer.WHOLE_VIEW,
            (before, after, changed) -> {
              asked.add(new Asked(before, Set.copyOf(changed)));
              return proxy -> java.util.EnumSet.allOf(io.jpilot.translate.XdsType.class);
            },
            meters,
            scheduler.clock(),
            scheduler);
    engine.addListener(summaries::add);
    engine.start();
    return engine;
  }

  @Test
  void aFullPushComparesEveryObjectThatChangedNotOnlyTheOnesItsRequestNames() throws Exception {
    List<Asked> asked = new CopyOnWriteArrayList<>();
    store.put(service("a"));
    startWithFilter(asked);
    MeshSnapshot first = engine.snapshot();

    // "b" reaches the store, but its request has not come yet; "c"'s request comes first.
    store.put(service("b"));
    store.put(service("c"));
    engine.request(
        new PushRequest(true, Set.of(service("c").key()), Set.of(Reason.SERVICE), 0));
    scheduler.advanceMillis(100);
    nextSummary();

    assertThat(asked).hasSize(1);
    assertThat(asked.get(0).before()).isSameAs(first);
    assertThat(asked.get(0).changed())
        .containsExactlyInAnyOrder(service("b").key(), service("c").key());
  }

  @Test
  void anEndpointOnlyPushDoesNotBecomeTheBaseOfTheNextFullOne() throws Exception {
    List<Asked> asked = new CopyOnWriteArrayList<>();
    store.put(service("a"));
    store.put(slice("a", "10.1.0.1"));
    startWithFilter(asked);
    MeshSnapshot first = engine.snapshot();

    // The new service is in the store when the endpoint-only push builds its snapshot.
    store.put(service("b"));
    EndpointSlice moved = slice("a", "10.1.0.9");
    store.put(moved);
    engine.request(new PushRequest(false, Set.of(moved.key()), Set.of(Reason.ENDPOINT), 0));
    scheduler.advanceMillis(100);
    nextSummary();
    engine.request(
        new PushRequest(true, Set.of(service("b").key()), Set.of(Reason.SERVICE), 0));
    scheduler.advanceMillis(100);
    nextSummary();

    assertThat(asked).hasSize(1);
    assertThat(asked.get(0).before()).as("the last full push's snapshot").isSameAs(first);
    assertThat(asked.get(0).changed())
        .as("the slice went out as EDS with its own push; the service is compared")
        .containsExactly(service("b").key());
  }

  @Test
  void endpointsOfAHeadlessServiceArePushedAsAFullPush() throws Exception {
    Service headless =
        new Service(
            "h.default.svc.cluster.local",
            "h",
            "default",
            "None",
            List.of(new ServicePort("http", 80, 8080, "", Protocol.HTTP)),
            Map.of("app", "h"),
            Map.of());
    store.put(headless);
    store.put(slice("h", "10.1.0.1"));
    start(2);
    WatchingTarget other = new WatchingTarget("other", Set.of("b.default.svc.cluster.local"));
    engine.register(other);

    EndpointSlice moved = slice("h", "10.1.0.2");
    store.put(moved);
    engine.request(new PushRequest(false, Set.of(moved.key()), Set.of(Reason.ENDPOINT), 0));
    scheduler.advanceMillis(100);

    PushSummary s = nextSummary();
    assertThat(s.full()).as("headless endpoints become listeners").isTrue();
    assertThat(other.pushed).extracting(RecordingTarget.Pushed::full).containsExactly(true);
  }

  @Test
  void withoutProxiesTheRoundEndsAtOnce() throws Exception {
    start(1);
    engine.request(request(true));
    scheduler.advanceMillis(100);
    PushSummary s = nextSummary();
    assertThat(s.proxies()).isZero();
    assertThat(s.reasonLabels()).isEqualTo("unknown");
  }

  @Test
  void theRoundEndsWhenTheLastProxyIsPushed() throws Exception {
    start(2);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingTarget fast = new RecordingTarget("fast");
    RecordingTarget slow =
        new RecordingTarget("slow") {
          @Override
          public Result push(MeshSnapshot snapshot, PushRequest request) {
            entered.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.push(snapshot, request);
          }
        };
    engine.register(fast);
    engine.register(slow);
    engine.request(request(true, Reason.CONFIG));
    scheduler.advanceMillis(100);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    while (fast.pushed.isEmpty()) {
      Thread.sleep(5);
    }
    assertThat(summaries).isEmpty(); // the slow proxy is still being pushed
    release.countDown();
    assertThat(nextSummary().proxies()).isEqualTo(2);
  }

  @Test
  void aProxyThatLeavesNoLongerHoldsTheRound() throws Exception {
    start(1);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingTarget blocker =
        new RecordingTarget("blocker") {
          @Override
          public Result push(MeshSnapshot snapshot, PushRequest request) {
            entered.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.push(snapshot, request);
          }
        };
    RecordingTarget leaver = new RecordingTarget("leaver");
    engine.register(blocker);
    engine.register(leaver);
    engine.request(request(true, Reason.CONFIG));
    scheduler.advanceMillis(100);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    // The only worker is busy with whichever came first; remove the other one.
    engine.unregister(leaver);
    release.countDown();
    PushSummary s = nextSummary();
    assertThat(s.proxies()).isEqualTo(2);
    assertThat(engine.connectedProxies()).isEqualTo(1);
  }

  @Test
  void theThrottleBoundsConcurrentPushes() throws Exception {
    start(2);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    CountDownLatch twoIn = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    for (int i = 0; i < 6; i++) {
      engine.register(
          new RecordingTarget("p" + i) {
            @Override
            public Result push(MeshSnapshot snapshot, PushRequest request) {
              maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
              twoIn.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              inFlight.decrementAndGet();
              return super.push(snapshot, request);
            }
          });
    }
    engine.request(request(true, Reason.CONFIG));
    scheduler.advanceMillis(100);
    assertThat(twoIn.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(inFlight.get()).isEqualTo(2);
    release.countDown();
    PushSummary s = nextSummary();
    assertThat(s.proxies()).isEqualTo(6);
    assertThat(maxInFlight.get()).isEqualTo(2);
  }

  @Test
  void aDeferredProxyIsPushedAgainWhenRequeued() throws Exception {
    start(1);
    RecordingTarget a = new RecordingTarget("a");
    a.result = PushTarget.Result.DEFERRED;
    engine.register(a);
    engine.request(request(true, Reason.CONFIG));
    scheduler.advanceMillis(100);
    PushSummary s = nextSummary();
    assertThat(s.changed()).isZero();
    assertThat(meters.get("pilot_proxy_convergence_time").summary().count()).isZero();

    a.result = PushTarget.Result.SENT;
    engine.requeue(a, request(true, Reason.CONFIG));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (a.pushed.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(a.pushed).hasSize(2);
  }

  @Test
  void successivePushesGetIncreasingVersions() throws Exception {
    start(2);
    RecordingTarget a = new RecordingTarget("a");
    engine.register(a);
    for (int i = 1; i <= 3; i++) {
      store.put(service("s" + i));
      engine.request(request(true, Reason.CONFIG));
      scheduler.advanceMillis(100);
      PushSummary s = nextSummary();
      assertThat(s.version()).isEqualTo(i);
    }
    assertThat(a.pushed).extracting(RecordingTarget.Pushed::version).containsExactly(1L, 2L, 3L);
    assertThat(a.pushed.get(2).services()).hasSize(3);
  }
}
