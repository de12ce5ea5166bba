package io.jpilot.server;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.analysis.ConfigAnalyzer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the cross-object checks ({@link ConfigAnalyzer}) over the served config whenever it changes
 * and logs what is new: one WARNING line per new finding, one INFO line per finding that went away.
 * A change that leaves the findings as they were logs nothing. The current number of findings is
 * the gauge {@code jpilot_config_reference_warnings}. Checks requested while one is pending are
 * merged, so a burst of changes costs one analysis. A check waits while pushes are in progress (up
 * to {@value #MAX_DEFER_MILLIS} ms): the findings are only logged, and the push needs the cores.
 */
final class ConfigAnalysisLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigAnalysisLog.class);
  static final String WARNINGS_METRIC = "jpilot.config.reference.warnings";

  /** How long a requested check waits for more changes to arrive. */
  private static final long MERGE_MILLIS = 100;

  /** How long a check defers to pushes in progress, at most. */
  static final long MAX_DEFER_MILLIS = 2000;

  /** How often a deferred check looks again. */
  private static final long RETRY_MILLIS = 50;

  /** True when no push is in progress. */
  private final BooleanSupplier quiet;

  private final String domainSuffix;
  private final AtomicInteger current = new AtomicInteger();
  private Set<Diagnostic> last = Set.of();
  private final AtomicBoolean pending = new AtomicBoolean();
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "jpilot-config-analysis");
            t.setDaemon(true);
            return t;
          });

  ConfigAnalysisLog(String domainSuffix, MeterRegistry meters) {
    this(domainSuffix, meters, () -> true);
  }

  /** @param quiet true when no push is in progress (checks wait for it, within limits) */
  ConfigAnalysisLog(String domainSuffix, MeterRegistry meters, BooleanSupplier quiet) {
    this.domainSuffix = requireNonNull(domainSuffix, "domainSuffix");
    this.quiet = requireNonNull(quiet, "quiet");
    Gauge.builder(WARNINGS_METRIC, current, AtomicInteger::get)
        .description(
            "Findings of the cross-object config checks (unresolved references, shadowed"
                + " VirtualServices)")
        .register(meters);
  }

  /**
   * Checks the objects {@code objects} supplies soon, on another thread; requests made before that
   * check starts are merged into it.
   */
  void requestCheck(Supplier<? extends Collection<? extends MeshObject>> objects) {
    if (!pending.compareAndSet(false, true)) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_DEFER_MILLIS);
    schedule(objects, deadline, MERGE_MILLIS);
  }

  private void schedule(
      Supplier<? extends Collection<? extends MeshObject>> objects, long deadline, long delay) {
    try {
      executor.schedule(
          () -> {
            if (!quiet.getAsBoolean() && System.nanoTime() - deadline < 0) {
              schedule(objects, deadline, RETRY_MILLIS); // a push is running: later
              return;
            }
            pending.set(false);
            try {
              check(objects.get());
            } catch (RuntimeException e) {
              log.warn("config analysis failed", e);
            }
          },
          delay,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      pending.set(false); // closed
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** What one {@link #check} logged. */
  record Change(List<Diagnostic> added, List<Diagnostic> resolved) {
    Change {
      added = List.copyOf(added);
      resolved = List.copyOf(resolved);
    }
  }

  /** Analyzes {@code objects} and logs the difference to the previous call. */
  synchronized Change check(Collection<? extends MeshObject> objects) {
    Set<Diagnostic> now = new LinkedHashSet<>();
    for (Diagnostic d : ConfigAnalyzer.analyze(objects, domainSuffix)) {
      if (d.severity() != Severity.INFO) {
        now.add(d);
      }
    }
    List<Diagnostic> added = new ArrayList<>();
    for (Diagnostic d : now) {
      if (!last.contains(d)) {
        log.warn("{}", d);
        added.add(d);
      }
    }
    List<Diagnostic> resolved = new ArrayList<>();
    for (Diagnostic d : last) {
      if (!now.contains(d)) {
        log.info("resolved: {}", d);
        resolved.add(d);
      }
    }
    last = now;
    current.set(now.size());
    return new Change(added, resolved);
  }
}
