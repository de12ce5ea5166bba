package io.jpilot.push;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One finished push round, as logged: the debounced request that started it and what it did.
 *
 * @param id the push number (also the version of the snapshot it built)
 * @param proxies proxies queued for this push
 * @param changed proxies that were sent at least one response
 * @param duration from the debounce flush until every queued proxy was pushed (sent, found
 *     unchanged, deferred by flow control, or disconnected)
 */
public record PushSummary(
    long id,
    Set<PushRequest.Reason> reasons,
    boolean full,
    int proxies,
    int changed,
    Duration duration,
    long version) {

  public PushSummary {
    requireNonNull(reasons, "reasons");
    reasons = reasons.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(reasons));
    requireNonNull(duration, "duration");
  }

  /** Reason labels joined by commas ({@code unknown} when none was given). */
  public String reasonLabels() {
    return reasons.isEmpty()
        ? "unknown"
        : reasons.stream().map(PushRequest.Reason::label).collect(Collectors.joining(","));
  }

  /**
   * {@code push #12 reason=config,endpoint full=true proxies=3 changed=2 duration=4ms version=12}
   */
  public String logLine() {
    return String.format(
        "push #%d reason=%s full=%b proxies=%d changed=%d duration=%dms version=%d",
        id, reasonLabels(), full, proxies, changed, duration.toMillis(), version);
  }
}
