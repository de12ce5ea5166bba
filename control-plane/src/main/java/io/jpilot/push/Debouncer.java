package io.jpilot.push;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Merges bursts of {@link PushRequest}s into one push, with istiod's debounce rules:
 *
 * <ul>
 *   <li>a push fires once no request has arrived for {@code debounceAfter} (the quiet period),
 *   <li>or once {@code debounceMax} has passed since the first request it merges, even if requests
 *       keep coming;
 *   <li>only one push runs at a time: a debounce that becomes due while a push is running waits for
 *       it to finish and then fires with everything merged meanwhile;
 *   <li>{@code debounceAfter == 0} pushes as soon as the previous push (if any) is done.
 * </ul>
 *
 * <p>The conditions are checked when a timer fires (and when a push finishes), so the maximum delay
 * is honoured to within one quiet period, as in istiod. Pushes run on the scheduler's thread; the
 * push function reports completion through the {@code done} callback it is given.
 */
final class Debouncer {

  /** Performs one push; must call {@code done} exactly once, when the push is complete. */
  @FunctionalInterface
  interface PushFunction {
    void push(PushRequest request, Runnable done);
  }

  private final long afterNanos;
  private final long maxNanos;
  private final LongSupplier nanoClock;
  private final Scheduler scheduler;
  private final PushFunction pushFunction;

  private final Object lock = new Object();
  private PushRequest merged;
  private int debouncedEvents;
  private long firstEventNanos;
  private long lastEventNanos;
  private boolean free = true;
  private boolean closed;
  private Scheduler.Cancellable timer;

  Debouncer(
      Duration debounceAfter,
      Duration debounceMax,
      LongSupplier nanoClock,
      Scheduler scheduler,
      PushFunction pushFunction) {
    this.afterNanos = requireNonNull(debounceAfter, "debounceAfter").toNanos();
    this.maxNanos = requireNonNull(debounceMax, "debounceMax").toNanos();
    this.nanoClock = requireNonNull(nanoClock, "nanoClock");
    this.scheduler = requireNonNull(scheduler, "scheduler");
    this.pushFunction = requireNonNull(pushFunction, "pushFunction");
    if (afterNanos < 0) {
      throw new IllegalArgumentException("debounceAfter: " + debounceAfter + " (expected: >= 0)");
    }
    if (maxNanos < 0) {
      throw new IllegalArgumentException("debounceMax: " + debounceMax + " (expected: >= 0)");
    }
  }

  /** Adds a request to the current debounce window, opening one if none is open. */
  void submit(PushRequest request) {
    requireNonNull(request, "request");
    synchronized (lock) {
      if (closed) {
        return;
      }
      long now = nanoClock.getAsLong();
      lastEventNanos = now;
      if (debouncedEvents == 0) {
        firstEventNanos = now;
        arm(afterNanos);
      }
      debouncedEvents++;
      merged = request.merge(merged);
    }
  }

  /** Requests merged and not yet pushed (for tests and debugging). */
  int debouncedEvents() {
    synchronized (lock) {
      return debouncedEvents;
    }
  }

  /** True while no push is running. */
  boolean isFree() {
    synchronized (lock) {
      return free;
    }
  }

  /** Stops: cancels the timer and drops anything not yet pushed. */
  void close() {
    synchronized (lock) {
      closed = true;
      merged = null;
      debouncedEvents = 0;
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
    }
  }

  private void arm(long delayNanos) {
    if (timer != null) {
      timer.cancel();
    }
    // onTimer reads self[0] under the lock, and arm() runs under the lock, so the task always
    // sees the assignment even when it starts before schedule() returns.
    Scheduler.Cancellable[] self = new Scheduler.Cancellable[1];
    self[0] = scheduler.schedule(() -> onTimer(self), delayNanos);
    timer = self[0];
  }

  private void onTimer(Scheduler.Cancellable[] which) {
    PushRequest toPush;
    synchronized (lock) {
      if (timer != which[0]) {
        return; // superseded by a newer timer
      }
      timer = null;
      if (!free || closed) {
        return; // the running push's completion re-checks
      }
      toPush = takeIfDue();
    }
    run(toPush);
  }

  private void onPushDone() {
    PushRequest toPush;
    synchronized (lock) {
      free = true;
      if (closed) {
        return;
      }
      toPush = takeIfDue();
    }
    if (toPush != null) {
      // Not inline: done() may be called from inside the push function, and a steady stream of
      // requests must not grow the stack.
      scheduler.schedule(() -> run(toPush), 0);
    }
  }

  /** istiod's pushWorker: returns the merged request if it is due, else re-arms the timer. */
  private PushRequest takeIfDue() {
    if (merged == null) {
      return null;
    }
    long now = nanoClock.getAsLong();
    long eventDelay = now - firstEventNanos;
    long quiet = now - lastEventNanos;
    if (eventDelay >= maxNanos || quiet >= afterNanos) {
      PushRequest request = merged;
      merged = null;
      debouncedEvents = 0;
      free = false;
      return request;
    }
    arm(afterNanos - quiet);
    return null;
  }

  private void run(PushRequest request) {
    if (request == null) {
      return;
    }
    synchronized (lock) {
      if (closed) {
        return;
      }
    }
    boolean[] once = new boolean[1];
    Runnable done =
        () -> {
          synchronized (once) {
            if (once[0]) {
              return;
            }
            once[0] = true;
          }
          onPushDone();
        };
    try {
      pushFunction.push(request, done);
    } catch (RuntimeException | Error e) {
      done.run();
      throw e;
    }
  }
}
