package io.jpilot.push;

import io.jpilot.model.Durations;
import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;

/**
 * How pushes are paced, with istiod's knobs and defaults.
 *
 * @param debounceAfter PILOT_DEBOUNCE_AFTER: the quiet period after the last change before a push
 *     (default 100ms); zero pushes at once
 * @param debounceMax PILOT_DEBOUNCE_MAX: the longest a change waits while changes keep coming
 *     (default 10s)
 * @param pushThrottle PILOT_PUSH_THROTTLE: how many proxies are generated for and sent to at once
 *     (default {@code min(15 + 5 × cores, 100)})
 * @param sendBudgetBytes JPILOT_PUSH_SEND_BUDGET (jpilot's own): the response bytes, over all
 *     streams, that may wait to be written before workers pause (default 16 MiB; 0: never pause).
 *     See {@link SendBudget}
 */
public record PushSettings(
    Duration debounceAfter, Duration debounceMax, int pushThrottle, long sendBudgetBytes) {
  public static final String DEBOUNCE_AFTER = "PILOT_DEBOUNCE_AFTER";
  public static final String DEBOUNCE_MAX = "PILOT_DEBOUNCE_MAX";
  public static final String PUSH_THROTTLE = "PILOT_PUSH_THROTTLE";
  public static final String SEND_BUDGET = "JPILOT_PUSH_SEND_BUDGET";

  public static final Duration DEFAULT_DEBOUNCE_AFTER = Duration.ofMillis(100);
  public static final Duration DEFAULT_DEBOUNCE_MAX = Duration.ofSeconds(10);

  public PushSettings {
    requireNonNull(debounceAfter, "debounceAfter");
    requireNonNull(debounceMax, "debounceMax");
    if (debounceAfter.isNegative()) {
      throw new IllegalArgumentException(
          "debounceAfter: " + Durations.format(debounceAfter) + " (expected: >= 0)");
    }
    if (debounceMax.isNegative()) {
      throw new IllegalArgumentException(
          "debounceMax: " + Durations.format(debounceMax) + " (expected: >= 0)");
    }
    if (pushThrottle < 1) {
      throw new IllegalArgumentException("pushThrottle: " + pushThrottle + " (expected: >= 1)");
    }
    if (sendBudgetBytes < 0) {
      throw new IllegalArgumentException(
          "sendBudgetBytes: " + sendBudgetBytes + " (expected: >= 0)");
    }
  }

  /** istiod's three knobs, with the default send budget. */
  public PushSettings(Duration debounceAfter, Duration debounceMax, int pushThrottle) {
    this(debounceAfter, debounceMax, pushThrottle, SendBudget.DEFAULT_LIMIT_BYTES);
  }

  /** istiod's default throttle for this machine: {@code min(15 + 5 × cores, 100)}. */
  public static int defaultPushThrottle() {
    return defaultPushThrottle(Runtime.getRuntime().availableProcessors());
  }

  static int defaultPushThrottle(int cores) {
    return Math.min(15 + 5 * cores, 100);
  }

  /** istiod's defaults: 100ms, 10s, {@link #defaultPushThrottle()}. */
  public static PushSettings defaults() {
    return new PushSettings(DEFAULT_DEBOUNCE_AFTER, DEFAULT_DEBOUNCE_MAX, defaultPushThrottle());
  }

  /**
   * Reads PILOT_DEBOUNCE_AFTER, PILOT_DEBOUNCE_MAX (Go durations), PILOT_PUSH_THROTTLE (an
   * integer) and JPILOT_PUSH_SEND_BUDGET (bytes); an unset or blank variable keeps the default.
   *
   * @throws IllegalArgumentException naming the variable and its bad value
   */
  public static PushSettings fromEnvironment(Map<String, String> env) {
    requireNonNull(env, "env");
    Duration after = duration(env, DEBOUNCE_AFTER, DEFAULT_DEBOUNCE_AFTER);
    Duration max = duration(env, DEBOUNCE_MAX, DEFAULT_DEBOUNCE_MAX);
    int throttle =
        (int) number(env, PUSH_THROTTLE, defaultPushThrottle(), 1, Integer.MAX_VALUE, "an integer");
    long budget =
        number(env, SEND_BUDGET, SendBudget.DEFAULT_LIMIT_BYTES, 0, Long.MAX_VALUE, "a number of bytes");
    return new PushSettings(after, max, throttle, budget);
  }

  /** An integer variable in [min, max]; {@code what} names the kind in errors ("an integer"). */
  private static long number(
      Map<String, String> env, String name, long fallback, long min, long max, String what) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    String expected = "(expected: " + what + " >= " + min + ")";
    long n;
    try {
      n = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": '" + raw + "' " + expected, e);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(name + ": " + n + " " + expected);
    }
    return n;
  }

  private static Duration duration(Map<String, String> env, String name, Duration fallback) {
    String raw = env.get(name);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    Duration d;
    try {
      d = Durations.parse(raw.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + ": '" + raw + "' (expected: >= 0)");
    }
    return d;
  }
}
