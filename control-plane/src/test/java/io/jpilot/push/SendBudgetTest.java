package io.jpilot.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SendBudgetTest {
  private static final long STALE = TimeUnit.MILLISECONDS.toNanos(250);
  private final AtomicLong now = new AtomicLong(1_000_000);

  private SendBudget budget(long limit) {
    return new SendBudget(limit, STALE, now::get);
  }

  @Test
  void roomUntilTheLimitAndBackWhenAStreamDrains() {
    SendBudget b = budget(1000);
    SendBudget.Account a = b.open();
    SendBudget.Account c = b.open();
    b.charge(a, 600);
    assertThat(b.hasRoom()).isTrue();
    b.charge(c, 400);
    assertThat(b.inFlight()).isEqualTo(1000);
    assertThat(b.hasRoom()).isFalse();
    b.settle(c);
    assertThat(b.inFlight()).isEqualTo(600);
    assertThat(b.hasRoom()).isTrue();
    b.settle(c); // nothing owed any more: no change
    assertThat(b.inFlight()).isEqualTo(600);
    b.settle(a);
    assertThat(b.inFlight()).isZero();
  }

  @Test
  void aStreamOwesEverythingItWasSentSinceItLastDrained() {
    SendBudget b = budget(1000);
    SendBudget.Account a = b.open();
    b.charge(a, 300);
    b.charge(a, 300);
    b.charge(a, 400);
    assertThat(b.hasRoom()).isFalse();
    b.settle(a);
    assertThat(b.inFlight()).isZero();
    assertThat(b.hasRoom()).isTrue();
  }

  @Test
  void bytesOwedLongerThanTheStaleTimeStopCountingOldestFirst() {
    SendBudget b = budget(1000);
    SendBudget.Account stalled = b.open();
    SendBudget.Account later = b.open();
    b.charge(stalled, 800);
    now.addAndGet(STALE / 2);
    b.charge(later, 300);
    assertThat(b.hasRoom()).isFalse();
    now.addAndGet(STALE / 2 - 1);
    assertThat(b.hasRoom()).as("the stalled stream is not stale yet").isFalse();
    now.addAndGet(1);
    assertThat(b.hasRoom()).isTrue();
    assertThat(b.inFlight()).isEqualTo(300); // the later stream still counts
    assertThat(b.expired()).isEqualTo(1);
    // The stale stream drains later: nothing is subtracted twice.
    b.settle(stalled);
    assertThat(b.inFlight()).isEqualTo(300);
    // Charged again, it counts again, from the new send.
    b.charge(stalled, 100);
    assertThat(b.inFlight()).isEqualTo(400);
  }

  @Test
  void staleStreamsAreForgottenOnlyWhileTheBudgetIsFull() {
    SendBudget b = budget(1000);
    SendBudget.Account a = b.open();
    b.charge(a, 500);
    now.addAndGet(10 * STALE);
    assertThat(b.hasRoom()).isTrue();
    assertThat(b.inFlight()).isEqualTo(500);
    assertThat(b.expired()).isZero();
  }

  @Test
  void aZeroLimitNeverPausesAndCountsNothing() throws Exception {
    SendBudget b = budget(0);
    SendBudget.Account a = b.open();
    b.charge(a, 1L << 40);
    assertThat(b.inFlight()).isZero();
    assertThat(b.hasRoom()).isTrue();
    b.awaitRoom();
  }

  @Test
  void aWaitingWorkerResumesWhenAStreamDrains() throws Exception {
    SendBudget b = new SendBudget(1000, TimeUnit.HOURS.toNanos(1), System::nanoTime);
    SendBudget.Account a = b.open();
    b.charge(a, 1000);
    CountDownLatch resumed = new CountDownLatch(1);
    Thread worker =
        new Thread(
            () -> {
              try {
                b.awaitRoom();
                resumed.countDown();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    worker.start();
    assertThat(resumed.await(200, TimeUnit.MILLISECONDS)).as("waits while full").isFalse();
    b.settle(a);
    assertThat(resumed.await(10, TimeUnit.SECONDS)).isTrue();
    worker.join();
  }

  @Test
  void aWaitingWorkerResumesAfterTheStaleTimeWhenNothingDrains() throws Exception {
    SendBudget b = new SendBudget(1000, TimeUnit.MILLISECONDS.toNanos(50), System::nanoTime);
    b.charge(b.open(), 5000);
    b.awaitRoom(); // returns once the only stream's bytes went stale
    assertThat(b.inFlight()).isZero();
    assertThat(b.expired()).isEqualTo(1);
  }

  @Test
  void constructorChecks() {
    assertThatThrownBy(() -> new SendBudget(-1, STALE, now::get))
        .hasMessage("limitBytes: -1 (expected: >= 0)");
    assertThatThrownBy(() -> new SendBudget(1, 0, now::get))
        .hasMessage("staleNanos: 0 (expected: > 0)");
  }
}
