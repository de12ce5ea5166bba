package io.jpilot.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.config.ConfigKey;
import io.jpilot.push.PushRequest.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DebouncerTest {
  private final FakeScheduler scheduler = new FakeScheduler();
  private final List<Push> pushes = new ArrayList<>();
  private final List<Runnable> heldDone = new ArrayList<>();
  private boolean holdPushes;

  private record Push(long atMillis, PushRequest request) {}

  private Debouncer debouncer(Duration after, Duration max) {
    return new Debouncer(
        after,
        max,
        scheduler.clock(),
        scheduler,
        (request, done) -> {
          pushes.add(new Push(scheduler.elapsedMillis(), request));
          if (holdPushes) {
            heldDone.add(done);
          } else {
            done.run();
          }
        });
  }

  private PushRequest request(boolean full, String name, Reason reason) {
    return new PushRequest(
        full, Set.of(new ConfigKey("Service", "default", name)), Set.of(reason), scheduler.now());
  }

  @Test
  void pushesOnceTheQuietPeriodHasPassed() {
    Debouncer d = debouncer(Duration.ofMillis(100), Duration.ofSeconds(10));
    d.submit(request(true, "a", Reason.CONFIG));
    scheduler.advanceMillis(99);
    assertThat(pushes).isEmpty();
    scheduler.advanceMillis(1);
    assertThat(pushes).extracting(Push::atMillis).containsExactly(100L);
    scheduler.advanceMillis(1000);
    assertThat(pushes).hasSize(1);
  }

  @Test
  void eachEventRestartsTheQuietPeriod() {
    Debouncer d = debouncer(Duration.ofMillis(100), Duration.ofSeconds(10));
    d.submit(request(true, "a", Reason.CONFIG)); // t=0
    scheduler.advanceMillis(50);
    d.submit(request(true, "b", Reason.CONFIG)); // t=50
    scheduler.advanceMillis(70);
    d.submit(request(true, "c", Reason.CONFIG)); // t=120
    assertThat(d.debouncedEvents()).isEqualTo(3);
    scheduler.advanceMillis(99); // t=219
    assertThat(pushes).isEmpty();
    scheduler.advanceMillis(1); // t=220: 100ms after the last event
    assertThat(pushes).hasSize(1);
    assertThat(pushes.get(0).atMillis()).isEqualTo(220);
    assertThat(pushes.get(0).request().changed())
        .extracting(ConfigKey::name)
        .containsExactly("a", "b", "c");
    assertThat(d.debouncedEvents()).isZero();
  }

  @Test
  void aSteadyStreamIsPushedEveryDebounceMax() {
    Debouncer d = debouncer(Duration.ofMillis(100), Duration.ofSeconds(1));
    for (int i = 0; i < 60; i++) { // an event every 50ms for 3s: never 100ms of quiet
      d.submit(request(false, "e" + i, Reason.ENDPOINT));
      scheduler.advanceMillis(50);
    }
    assertThat(pushes).extracting(Push::atMillis).containsExactly(1000L, 2000L, 3000L);
    assertThat(pushes).allSatisfy(p -> assertThat(p.request().changed()).hasSize(20));
    assertThat(pushes.get(0).request().changed())
        .extracting(ConfigKey::name)
        .contains("e0", "e19")
        .doesNotContain("e20");
  }

  @Test
  void mergesFullReasonsKeysAndTheEarliestStart() {
    Debouncer d = debouncer(Duration.ofMillis(100), Duration.ofSeconds(10));
    PushRequest first = request(false, "ep", Reason.ENDPOINT);
    scheduler.advanceMillis(10);
    PushRequest second = request(true, "vs", Reason.CONFIG);
    d.submit(second);
    d.submit(first);
    d.submit(request(false, "ep", Reason.ENDPOINT));
    scheduler.advanceMillis(100);
    assertThat(pushes).hasSize(1);
    PushRequest merged = pushes.get(0).request();
    assertThat(merged.full()).isTrue();
    assertThat(merged.reasons()).containsExactly(Reason.CONFIG, Reason.ENDPOINT);
    assertThat(merged.changed()).extracting(ConfigKey::name).containsExactly("ep", "vs");
    assertThat(merged.startNanos()).isEqualTo(first.startNanos());
  }

  @Test
  void endpointOnlyRequestsStayEndpointOnly() {
    Debouncer d = debouncer(Duration.ofMillis(100), Duration.ofSeconds(10));
    d.submit(request(false, "a", Reason.ENDPOINT));
    d.submit(request(false, "b", Reason.ENDPOINT));
    scheduler.advanceMillis(100);
    assertThat(pushes).singleElement().satisfies(p -> assertThat(p.request().full()).isFalse());
  }

  @Test
  void aPushInFlightDefersTheNextOne() {
    holdPushes = true;
    Debouncer d = debouncer(Duration.ofMillis(100), Duration.ofSeconds(10));
    d.submit(request(true, "a", Reason.CONFIG)); // t=0
    scheduler.advanceMillis(100); // push #1 starts and does not finish
    assertThat(pushes).hasSize(1);
    assertThat(d.isFree()).isFalse();

    scheduler.advanceMillis(50);
    d.submit(request(true, "b", Reason.CONFIG)); // t=150
    scheduler.advanceMillis(50);
    d.submit(request(false, "c", Reason.ENDPOINT)); // t=200
    scheduler.advanceMillis(500); // t=700: long quiet, but push #1 is still running
    assertThat(pushes).hasSize(1);

    heldDone.remove(0).run(); // push #1 finishes; the merged request is due at once
    scheduler.runDue();
    assertThat(pushes).hasSize(2);
    assertThat(pushes.get(1).atMillis()).isEqualTo(700);
    assertThat(pushes.get(1).request().changed())
        .extracting(ConfigKey::name)
        .containsExactly("b", "c");
    assertThat(pushes.get(1).request().full()).isTrue();
  }

  @Test
  void aPushFinishingBeforeTheQuietPeriodWaitsForIt() {
    holdPushes = true;
    Debouncer d = debouncer(Duration.ofMillis(100), Duration.ofSeconds(10));
    d.submit(request(true, "a", Reason.CONFIG));
    scheduler.advanceMillis(100); // push #1 running
    scheduler.advanceMillis(20);
    d.submit(request(true, "b", Reason.CONFIG)); // t=120
    scheduler.advanceMillis(30); // t=150
    heldDone.remove(0).run(); // only 30ms of quiet: re-armed for the remaining 70ms
    scheduler.runDue();
    assertThat(pushes).hasSize(1);
    scheduler.advanceMillis(69);
    assertThat(pushes).hasSize(1);
    scheduler.advanceMillis(1);
    assertThat(pushes).extracting(Push::atMillis).containsExactly(100L, 220L);
  }

  @Test
  void zeroDebouncePushesImmediately() {
    Debouncer d = debouncer(Duration.ZERO, Duration.ofSeconds(10));
    d.submit(request(true, "a", Reason.CONFIG));
    scheduler.runDue();
    assertThat(pushes).extracting(Push::atMillis).containsExactly(0L);
    d.submit(request(true, "b", Reason.CONFIG));
    d.submit(request(true, "c", Reason.CONFIG));
    scheduler.runDue();
    assertThat(pushes).hasSize(2);
    assertThat(pushes.get(1).atMillis()).isZero();
    assertThat(pushes.get(1).request().changed())
        .extracting(ConfigKey::name)
        .containsExactly("b", "c");
  }

  @Test
  void zeroDebounceStillRunsOnePushAtATime() {
    holdPushes = true;
    Debouncer d = debouncer(Duration.ZERO, Duration.ofSeconds(10));
    d.submit(request(true, "a", Reason.CONFIG));
    scheduler.runDue();
    d.submit(request(true, "b", Reason.CONFIG));
    scheduler.advanceMillis(5);
    assertThat(pushes).hasSize(1);
    heldDone.remove(0).run();
    scheduler.runDue();
    assertThat(pushes).extracting(Push::atMillis).containsExactly(0L, 5L);
  }

  @Test
  void everyRequestIsPushedWithARealScheduler() throws Exception {
    java.util.concurrent.ScheduledExecutorService executor =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    java.util.concurrent.Semaphore pushed = new java.util.concurrent.Semaphore(0);
    try {
      Debouncer d =
          new Debouncer(
              Duration.ZERO,
              Duration.ofSeconds(10),
              System::nanoTime,
              Scheduler.of(executor),
              (request, done) -> {
                done.run();
                pushed.release();
              });
      for (int i = 0; i < 300; i++) {
        d.submit(request(true, "k" + i, Reason.CONFIG));
        assertThat(pushed.tryAcquire(10, java.util.concurrent.TimeUnit.SECONDS))
            .as("push %d", i)
            .isTrue();
      }
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void closeDropsWhatIsPending() {
    Debouncer d = debouncer(Duration.ofMillis(100), Duration.ofSeconds(10));
    d.submit(request(true, "a", Reason.CONFIG));
    d.close();
    scheduler.advanceMillis(1000);
    d.submit(request(true, "b", Reason.CONFIG));
    scheduler.advanceMillis(1000);
    assertThat(pushes).isEmpty();
    assertThat(scheduler.live()).isZero();
  }

  @Test
  void aThrowingPushFunctionFreesTheDebouncer() {
    Debouncer d =
        new Debouncer(
            Duration.ofMillis(10),
            Duration.ofSeconds(1),
            scheduler.clock(),
            scheduler,
            (request, done) -> {
              pushes.add(new Push(scheduler.elapsedMillis(), request));
              if (pushes.size() == 1) {
                throw new IllegalStateException("boom");
              }
              done.run();
            });
    d.submit(request(true, "a", Reason.CONFIG));
    try {
      scheduler.advanceMillis(10);
    } catch (IllegalStateException expected) {
      // the scheduler's thread would log it
    }
    assertThat(d.isFree()).isTrue();
    d.submit(request(true, "b", Reason.CONFIG));
    scheduler.advanceMillis(10);
    assertThat(pushes).hasSize(2);
  }
}
