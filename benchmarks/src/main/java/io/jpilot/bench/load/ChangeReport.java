package io.jpilot.bench.load;

import io.jpilot.translate.XdsType;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * What one measured change did.
 *
 * <p>Convergence of a proxy: from T0 (taken right before the config file is replaced; for a rollout,
 * right before its last step) to the moment the proxy ACKs the first response of the affected type
 * it received after T0 (for a rollout: the first EDS response carrying the final endpoints of the
 * rolled service). Only proxies that received a response of the affected type count.
 *
 * <p>Push time: from the first T0 of the change to the arrival of the last response of any type in
 * the phase. Floor ratio: push time divided by the time to write the same bytes (per proxy, all it
 * received in the phase) to as many loopback TCP sockets ({@link LoopbackFloor}).
 *
 * @param convergenceNanos sorted convergence of the proxies that converged
 * @param notConverged proxies pushed (or, for a rollout, all proxies) that never converged
 * @param responses per {@link XdsType} ordinal, responses received in the phase
 * @param proxiesPushed per type, proxies that received at least one response of that type
 * @param bytesPerProxy serialized bytes each proxy received in the phase
 * @param cpuSeconds the control plane's CPU time over the phase
 * @param toolCpuSeconds the load tool's own CPU time over the phase (its simulated proxies share
 *     the machine with the control plane)
 * @param compilerCpuSeconds of {@code cpuSeconds}, what the control plane's JIT compiler threads
 *     used: near zero once the push paths are compiled
 * @param emptyWatched responses carrying the watched cluster with zero endpoints (rollout only)
 * @param minWatched fewest endpoints of the watched cluster any proxy received (-1: none seen)
 * @param debounce the debounce jpilot ran with (part of every convergence time)
 */
record ChangeReport(
    String scenario,
    int proxies,
    int services,
    XdsType affected,
    long[] convergenceNanos,
    int notConverged,
    long[] responses,
    long[] proxiesPushed,
    long[] bytesPerProxy,
    long pushNanos,
    double cpuSeconds,
    double toolCpuSeconds,
    double compilerCpuSeconds,
    long heapBytes,
    int emptyWatched,
    int minWatched,
    boolean timedOut,
    Duration debounce) {

  int pushed() {
    return convergenceNanos.length;
  }

  long totalResponses() {
    return Arrays.stream(responses).sum();
  }

  long totalBytes() {
    return Arrays.stream(bytesPerProxy).sum();
  }

  /** Nearest-rank percentile in ms, NaN when nothing converged. */
  double percentileMs(double p) {
    if (convergenceNanos.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * convergenceNanos.length);
    return convergenceNanos[Math.max(0, rank - 1)] / 1e6;
  }

  String types() {
    StringBuilder b = new StringBuilder();
    for (XdsType t : XdsType.values()) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(t.shortName()).append(':').append(responses[t.ordinal()]).append('/')
          .append(proxiesPushed[t.ordinal()]);
    }
    return b.toString();
  }

  /** The one-line summary; {@code floorNanos} from {@link LoopbackFloor#measure}. */
  String resultLine(long floorNanos) {
    double ratio = floorNanos > 0 ? (double) pushNanos / floorNanos : Double.NaN;
    return String.format(
        Locale.ROOT,
        "RESULT scenario=%s proxies=%d services=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f"
            + " heap_mb=%.1f floor_ratio=%.1f pushed=%d not_converged=%d pushes=%d bytes=%d"
            + " push_ms=%.1f floor_ms=%.2f cpu_s=%.2f tool_cpu_s=%.2f types=%s empty_cla=%d"
            + " jit_cpu_s=%.2f timed_out=%b debounce_ms=%d",
        scenario,
        proxies,
        services,
        percentileMs(50),
        percentileMs(99),
        percentileMs(100),
        heapBytes / 1048576.0,
        ratio,
        pushed(),
        notConverged,
        totalResponses(),
        totalBytes(),
        pushNanos / 1e6,
        floorNanos / 1e6,
        cpuSeconds,
        toolCpuSeconds,
        types(),
        emptyWatched,
        compilerCpuSeconds,
        timedOut,
        debounce.toMillis());
  }
}
