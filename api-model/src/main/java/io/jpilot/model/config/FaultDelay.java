package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * Istio's HTTPFaultInjection.Delay: a fixed (or, unsupported, exponential) delay applied to a share
 * of requests. {@code percent} is the deprecated integer share, used when {@code percentage} is
 * absent.
 */
public record FaultDelay(
    Optional<Duration> fixedDelay,
    Optional<Duration> exponentialDelay,
    Optional<Percent> percentage,
    int percent) {
  public FaultDelay {
    requireNonNull(fixedDelay, "fixedDelay");
    requireNonNull(exponentialDelay, "exponentialDelay");
    requireNonNull(percentage, "percentage");
  }

  public static FaultDelay fixed(Duration delay, double percentage) {
    return new FaultDelay(
        Optional.of(delay), Optional.empty(), Optional.of(new Percent(percentage)), 0);
  }
}
