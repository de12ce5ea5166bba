package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * DestinationRule {@code retryBudget}: the share of active requests that may be retries.
 *
 * @param minRetryConcurrency 0 when unset
 */
public record RetryBudget(
    Optional<Double> percent, int minRetryConcurrency, Optional<Duration> budgetInterval) {
  public RetryBudget {
    requireNonNull(percent, "percent");
    requireNonNull(budgetInterval, "budgetInterval");
  }
}
