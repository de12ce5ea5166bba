package io.jpilot.translate;

import java.util.List;

/**
 * istiod's names and constants for the inbound side of sidecars and for outbound filter chains
 * (translation-notes, section 1; pilot/pkg/model/listener.go, networking/util/util.go).
 */
final class SidecarNames {
  static final String VIRTUAL_INBOUND = "virtualInbound";
  static final int VIRTUAL_INBOUND_PORT = 15006;
  static final String VIRTUAL_INBOUND_BLACK_HOLE = "virtualInbound-blackhole";
  static final String VIRTUAL_INBOUND_CATCH_ALL_HTTP = "virtualInbound-catchall-http";
  static final String INBOUND_PASSTHROUGH_CLUSTER = "InboundPassthroughCluster";
  static final String PASSTHROUGH_FILTER_CHAIN = "PassthroughFilterChain";
  static final String BLOCK_ALL = "block_all";

  /** The source address inbound clusters bind to, so iptables does not redirect them again. */
  static final String INBOUND_PASSTHROUGH_BIND_IPV4 = "127.0.0.6";

  static final String LOCALHOST = "127.0.0.1";
  static final String LOCALHOST_IPV6 = "::1";

  /** istiod's maxSecondsValue: inbound ORIGINAL_DST clusters never clean up their hosts. */
  static final long MAX_CLEANUP_SECONDS = 315576000000L;

  /** The ALPN values Envoy's http_inspector reports for plaintext HTTP. */
  static final List<String> PLAINTEXT_HTTP_ALPNS = List.of("http/1.0", "http/1.1", "h2c");

  static final String RAW_BUFFER = "raw_buffer";
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
  static final String HTTP_INSPECTOR = "envoy.filters.listener.http_inspector";
  static final String ORIGINAL_DST = "envoy.filters.listener.original_dst";

  /** The inbound default route's retry condition (retry.ConvertInboundPolicy). */
  static final String INBOUND_RETRY_ON = "reset-before-request";

  static final String INBOUND_VHOST_PREFIX = "inbound|http|";

  private SidecarNames() {}

  /** {@code inbound|<port>||}: istiod's BuildInboundSubsetKey. */
  static String inboundCluster(int port) {
    return "inbound|" + port + "||";
  }
}
