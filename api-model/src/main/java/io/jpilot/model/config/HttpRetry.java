package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * Istio's HTTPRetry. {@code attempts} 0 (or less) disables retries. The boolean wrappers are empty
 * when unset, which differs from false for {@code retryIgnorePreviousHosts}.
 */
public record HttpRetry(
    int attempts,
    Optional<Duration> perTryTimeout,
    String retryOn,
    Optional<Boolean> retryRemoteLocalities,
    Optional<Boolean> retryIgnorePreviousHosts,
    Optional<Duration> backoff) {
  public HttpRetry {
    requireNonNull(perTryTimeout, "perTryTimeout");
    requireNonNull(retryOn, "retryOn");
    requireNonNull(retryRemoteLocalities, "retryRemoteLocalities");
    requireNonNull(retryIgnorePreviousHosts, "retryIgnorePreviousHosts");
    requireNonNull(backoff, "backoff");
  }

  /** {@code attempts} retries on the given conditions; everything else unset. */
  public static HttpRetry of(int attempts, String retryOn) {
    return new HttpRetry(
        attempts, Optional.empty(), retryOn, Optional.empty(), Optional.empty(), Optional.empty());
  }
}
