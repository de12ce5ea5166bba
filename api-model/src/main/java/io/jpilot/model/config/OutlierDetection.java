package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * DestinationRule {@code outlierDetection}. The wrapped counters are absent when unset (istiod
 * tells unset from 0 for them); the plain integers are 0 when unset.
 *
 * @param consecutiveErrors the deprecated field: accepted with a warning and otherwise ignored, as
 *     istiod ignores it
 */
public record OutlierDetection(
    Optional<Integer> consecutive5xxErrors,
    Optional<Integer> consecutiveGatewayErrors,
    int consecutiveErrors,
    Optional<Duration> interval,
    Optional<Duration> baseEjectionTime,
    int maxEjectionPercent,
    int minHealthPercent,
    boolean splitExternalLocalOriginErrors,
    Optional<Integer> consecutiveLocalOriginFailures,
    List<Integer> httpErrorCodes) {
  public OutlierDetection {
    requireNonNull(consecutive5xxErrors, "consecutive5xxErrors");
    requireNonNull(consecutiveGatewayErrors, "consecutiveGatewayErrors");
    requireNonNull(interval, "interval");
    requireNonNull(baseEjectionTime, "baseEjectionTime");
    requireNonNull(consecutiveLocalOriginFailures, "consecutiveLocalOriginFailures");
    httpErrorCodes = List.copyOf(httpErrorCodes);
  }
}
