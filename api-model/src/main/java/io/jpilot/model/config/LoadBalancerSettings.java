package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * DestinationRule {@code loadBalancer}. {@code simple} and {@code consistentHash} are a oneof:
 * {@code simple} is UNSPECIFIED when a consistent hash is configured (or nothing is).
 *
 * @param warmupDurationSecs the deprecated {@code warmupDurationSecs}; {@code warmup} wins
 */
public record LoadBalancerSettings(
    LoadBalancer simple,
    Optional<ConsistentHash> consistentHash,
    Optional<LocalityLbSetting> localityLbSetting,
    Optional<Warmup> warmup,
    Optional<Duration> warmupDurationSecs) {

  public LoadBalancerSettings {
    requireNonNull(simple, "simple");
    requireNonNull(consistentHash, "consistentHash");
    requireNonNull(localityLbSetting, "localityLbSetting");
    requireNonNull(warmup, "warmup");
    requireNonNull(warmupDurationSecs, "warmupDurationSecs");
  }

  /** Only {@code simple} set. */
  public static LoadBalancerSettings simple(LoadBalancer simple) {
    return new LoadBalancerSettings(
        simple, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Only {@code consistentHash} set. */
  public static LoadBalancerSettings consistentHash(ConsistentHash hash) {
    return new LoadBalancerSettings(
        LoadBalancer.UNSPECIFIED,
        Optional.of(hash),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }
}
