package io.jpilot.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A running jpilot: the file source, config store, push engine, ADS server and monitoring server
 * wired together. {@code bin/jpilot serve} and the end-to-end tests both start it through {@link
 * #start(Options)}.
 */
public final class JPilotServer implements AutoCloseable {

  /**
   * @param configDir directory read (recursively) and watched for *.yaml, *.yml and *.json
   * @param bind address every port binds to (tests use 127.0.0.1)
   * @param xdsPort ADS gRPC port; 0 picks a free one
   * @param monitoringPort /ready, /metrics and /debug/* port; 0 picks a free one
   * @param debounceAfter PILOT_DEBOUNCE_AFTER
   * @param debounceMax PILOT_DEBOUNCE_MAX
   * @param pushThrottle PILOT_PUSH_THROTTLE
   */
  public record Options(
      Path configDir,
      String bind,
      int xdsPort,
      int monitoringPort,
      Duration debounceAfter,
      Duration debounceMax,
      int pushThrottle,
      String domainSuffix) {

    /** Ephemeral ports on 127.0.0.1 and istiod's default push settings: what tests want. */
    public static Options forTest(Path configDir) {
      return new Options(
          configDir,
          "127.0.0.1",
          0,
          0,
          Duration.ofMillis(100),
          Duration.ofSeconds(10),
          Math.min(15 + 5 * Runtime.getRuntime().availableProcessors(), 100),
          "cluster.local");
    }
  }

  private JPilotServer() {}

  public static JPilotServer start(Options options) throws IOException {
    throw new UnsupportedOperationException("not yet written");
  }

  /** The bound ADS port. */
  public int xdsPort() {
    throw new UnsupportedOperationException("not yet written");
  }

  /** The bound monitoring port. */
  public int monitoringPort() {
    throw new UnsupportedOperationException("not yet written");
  }

  @Override
  public void close() {}
}
