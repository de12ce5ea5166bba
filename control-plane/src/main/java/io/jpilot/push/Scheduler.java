package io.jpilot.push;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** Runs tasks after a delay. Tests substitute a scheduler whose time they advance by hand. */
interface Scheduler {

  /** A scheduled task that may still be cancelled. */
  interface Cancellable {
    void cancel();
  }

  /** Runs {@code task} once, {@code delayNanos} from now (zero: as soon as possible). */
  Cancellable schedule(Runnable task, long delayNanos);

  /** A scheduler over an executor; tasks run on the executor's threads. */
  static Scheduler of(ScheduledExecutorService executor) {
    return (task, delayNanos) -> {
      Runnable logged =
          () -> {
            try {
              task.run();
            } catch (RuntimeException | Error e) {
              LoggerFactory.getLogger(Scheduler.class).error("scheduled task failed", e);
              throw e;
            }
          };
      var future = executor.schedule(logged, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    };
  }
}
