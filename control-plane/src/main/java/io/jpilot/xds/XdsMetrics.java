package io.jpilot.xds;

import io.jpilot.translate.XdsType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The ADS server's meters, with istiod's names and a {@code type} tag of {@code cds}, {@code eds},
 * {@code lds} or {@code rds}. (Prometheus exposition adds {@code _total} to counter names.)
 */
final class XdsMetrics {
  private static final double[] PUSH_TIME_BUCKETS = {.01, .1, 1, 3, 5, 10, 20, 30};

  private final Map<XdsType, Counter> pushes = new EnumMap<>(XdsType.class);
  private final Map<XdsType, Counter> sendErrors = new EnumMap<>(XdsType.class);
  private final Map<XdsType, Counter> rejects = new EnumMap<>(XdsType.class);
  private final Map<XdsType, Counter> expiredNonces = new EnumMap<>(XdsType.class);
  private final Map<XdsType, DistributionSummary> pushTime = new EnumMap<>(XdsType.class);
  private final Map<XdsType, DistributionSummary> configSize = new EnumMap<>(XdsType.class);
  private static final double[] SIZE_BUCKETS = {1, 10_000, 1_000_000, 4_000_000, 10_000_000, 40_000_000};

  XdsMetrics(MeterRegistry meters) {
    for (XdsType type : XdsType.values()) {
      String tag = label(type);
      pushes.put(
          type,
          Counter.builder("pilot_xds_pushes")
              .description("Pilot build and send errors for lds, rds, cds and eds.")
              .tag("type", tag)
              .register(meters));
      sendErrors.put(
          type,
          Counter.builder("pilot_xds_pushes")
              .description("Pilot build and send errors for lds, rds, cds and eds.")
              .tag("type", tag + "_senderr")
              .register(meters));
      rejects.put(
          type,
          Counter.builder("pilot_total_xds_rejects")
              .description("Total number of XDS responses from pilot rejected by proxy.")
              .tag("type", tag)
              .register(meters));
      expiredNonces.put(
          type,
          Counter.builder("pilot_xds_expired_nonce")
              .description("Total number of XDS requests with an expired nonce.")
              .tag("type", tag)
              .register(meters));
      pushTime.put(
          type,
          DistributionSummary.builder("pilot_xds_push_time")
              .description("Total time in seconds Pilot takes to push lds, rds, cds and eds.")
              .tag("type", tag)
              .serviceLevelObjectives(PUSH_TIME_BUCKETS)
              .register(meters));
      configSize.put(
          type,
          DistributionSummary.builder("pilot_xds_config_size_bytes")
              .description("Distribution of configuration sizes pushed to clients")
              .baseUnit("bytes")
              .tag("type", tag)
              .serviceLevelObjectives(SIZE_BUCKETS)
              .register(meters));
    }
  }

  static String label(XdsType type) {
    return type.shortName().toLowerCase(Locale.ROOT);
  }

  void sent(XdsType type, long nanos, int bytes) {
    pushes.get(type).increment();
    pushTime.get(type).record(Math.max(0, nanos) / 1e9);
    configSize.get(type).record(bytes);
  }

  void sendError(XdsType type) {
    sendErrors.get(type).increment();
  }

  void rejected(XdsType type) {
    rejects.get(type).increment();
  }

  void expiredNonce(XdsType type) {
    expiredNonces.get(type).increment();
  }
}
