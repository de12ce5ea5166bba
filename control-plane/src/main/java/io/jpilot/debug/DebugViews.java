package io.jpilot.debug;

import java.util.Optional;

/** What the monitoring server's /debug endpoints show; implemented by the server wiring. */
public interface DebugViews {
  /**
   * The ConfigDump JSON of what the proxy was sent. {@code proxyId} is a full node id or its
   * {@code pod.namespace} part. Empty when no such proxy is connected.
   */
  Optional<String> configDump(String proxyId);

  /** For each connected proxy and type: the version sent, the version acked, the last NACK. */
  String syncz();

  /**
   * The push engine's state: its settings, the snapshot version, connected and queued proxies, the
   * send budget, and the most recent push rounds, newest first.
   */
  String pushStatus();
}
