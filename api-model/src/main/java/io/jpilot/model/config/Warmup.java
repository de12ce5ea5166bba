package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * DestinationRule {@code loadBalancer.warmup}: new endpoints get a growing share of traffic for
 * {@code duration} (Envoy's slow start).
 */
public record Warmup(
    Duration duration, Optional<Double> minimumPercent, Optional<Double> aggression) {
  public Warmup {
    requireNonNull(duration, "duration");
    requireNonNull(minimumPercent, "minimumPercent");
    requireNonNull(aggression, "aggression");
  }
}
