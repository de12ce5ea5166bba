package io.jpilot.push;

import java.time.Duration;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * A scheduler whose clock moves only when the test advances it; due tasks run on the test thread.
 */
final class FakeScheduler implements Scheduler {
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(
          (a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
  private long now = 1_000_000_000L; // arbitrary non-zero origin
  private long seq;

  private static final class Task implements Cancellable {
    final long due;
    final long seq;
    final Runnable runnable;
    boolean cancelled;

    Task(long due, long seq, Runnable runnable) {
      this.due = due;
      this.seq = seq;
      this.runnable = runnable;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    Task t = new Task(now + Math.max(0, delayNanos), seq++, task);
    tasks.add(t);
    return t;
  }

  LongSupplier clock() {
    return this::now;
  }

  synchronized long now() {
    return now;
  }

  /** Milliseconds since the origin. */
  long elapsedMillis() {
    return Duration.ofNanos(now() - 1_000_000_000L).toMillis();
  }

  /** Runs every task due now (including zero-delay tasks scheduled while running). */
  void runDue() {
    advance(Duration.ZERO);
  }

  /** Moves time forward, running each task at its due time, in order. */
  void advance(Duration d) {
    long target;
    synchronized (this) {
      target = now + d.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due > target) {
          now = target;
          return;
        }
        tasks.poll();
        now = Math.max(now, next.due);
      }
      if (!next.cancelled) {
        next.runnable.run();
      }
    }
  }

  void advanceMillis(long ms) {
    advance(Duration.ofMillis(ms));
  }

  /** Tasks scheduled and neither run nor cancelled. */
  synchronized long live() {
    return tasks.stream().filter(t -> !t.cancelled).count();
  }
}
