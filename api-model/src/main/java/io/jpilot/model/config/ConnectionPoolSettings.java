package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * DestinationRule {@code connectionPool}. Integer limits are 0 when unset (istiod applies only
 * values above 0).
 */
public record ConnectionPoolSettings(Optional<Tcp> tcp, Optional<Http> http) {

  /** {@code connectionPool.tcp}. */
  public record Tcp(
      int maxConnections,
      Optional<Duration> connectTimeout,
      Optional<TcpKeepalive> tcpKeepalive,
      Optional<Duration> maxConnectionDuration,
      Optional<Duration> idleTimeout) {
    public Tcp {
      requireNonNull(connectTimeout, "connectTimeout");
      requireNonNull(tcpKeepalive, "tcpKeepalive");
      requireNonNull(maxConnectionDuration, "maxConnectionDuration");
      requireNonNull(idleTimeout, "idleTimeout");
    }
  }

  /** {@code tcp.tcpKeepalive}; {@code probes} is 0 when unset. */
  public record TcpKeepalive(int probes, Optional<Duration> time, Optional<Duration> interval) {
    public TcpKeepalive {
      requireNonNull(time, "time");
      requireNonNull(interval, "interval");
    }
  }

  /** {@code http.h2UpgradePolicy}. */
  public enum H2UpgradePolicy {
    DEFAULT,
    DO_NOT_UPGRADE,
    UPGRADE
  }

  /** {@code connectionPool.http}. */
  public record Http(
      int http1MaxPendingRequests,
      int http2MaxRequests,
      int maxRequestsPerConnection,
      int maxRetries,
      Optional<Duration> idleTimeout,
      H2UpgradePolicy h2UpgradePolicy,
      boolean useClientProtocol,
      int maxConcurrentStreams,
      Optional<ConnectionKeepalive> http2KeepAlive) {
    public Http {
      requireNonNull(idleTimeout, "idleTimeout");
      requireNonNull(h2UpgradePolicy, "h2UpgradePolicy");
      requireNonNull(http2KeepAlive, "http2KeepAlive");
    }
  }

  /** {@code http.http2KeepAlive}: HTTP/2 PING interval and timeout. */
  public record ConnectionKeepalive(Optional<Duration> interval, Optional<Duration> timeout) {
    public ConnectionKeepalive {
      requireNonNull(interval, "interval");
      requireNonNull(timeout, "timeout");
    }
  }

  public ConnectionPoolSettings {
    requireNonNull(tcp, "tcp");
    requireNonNull(http, "http");
  }
}
