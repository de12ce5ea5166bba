package io.jpilot.translate;

import com.google.common.net.InetAddresses;

/** Names istiod gives to generated resources and filters (translation-notes, section 1). */
final class IstioNames {
  static final String BLACK_HOLE_CLUSTER = "BlackHoleCluster";
  static final String PASSTHROUGH_CLUSTER = "PassthroughCluster";
  static final String VIRTUAL_OUTBOUND = "virtualOutbound";
  static final int VIRTUAL_OUTBOUND_PORT = 15001;
  static final String VIRTUAL_OUTBOUND_CATCH_ALL_TCP = "virtualOutbound-catchall-tcp";
  static final String VIRTUAL_OUTBOUND_BLACK_HOLE = "virtualOutbound-blackhole";
  static final String ALLOW_ANY = "allow_any";
  static final String DEFAULT_ROUTE = "default";
  static final String WILDCARD_ADDRESS = "0.0.0.0";
  static final String MESH_GATEWAY = "mesh";

  /** istiod's StatPrefixDelimiter, appended to stat prefixes and alt_stat_name. */
  static final String STAT_PREFIX_DELIMITER = ";";

  static final String HTTP_CONNECTION_MANAGER = "envoy.filters.network.http_connection_manager";
  static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  static final String ROUTER_FILTER = "envoy.filters.http.router";
  static final String FAULT_FILTER = "envoy.filters.http.fault";
  static final String CORS_FILTER = "envoy.filters.http.cors";
  static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  static final String PREVIOUS_HOSTS_PREDICATE = "envoy.retry_host_predicates.previous_hosts";
  static final String TRANSPORT_SOCKET_MATCH = "envoy.transport_socket_match";

  /** Label on pods whose sidecar accepts Istio mTLS. */
  static final String TLS_MODE_LABEL = "security.istio.io/tlsMode";

  /** Proxyless gRPC server listeners carry this prefix; they are not generated yet. */
  static final String GRPC_INBOUND_LISTENER_PREFIX = "xds.istio.io/grpc/lds/inbound/";

  private IstioNames() {}

  /** {@code <bind>_<port>}, istiod's getListenerName. */
  static String listenerName(String bind, int port) {
    return bind + "_" + port;
  }

  /** Go's net.JoinHostPort, as util.DomainName: IPv6 literals are bracketed. */
  static String joinHostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** util.IPv6Compliant: brackets a bare IPv6 literal. */
  static String ipv6Compliant(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /** The {@code metadata.filter_metadata.istio.config} path of an Istio config object. */
  static String configPath(String kind, String namespace, String name) {
    return "/apis/networking.istio.io/v1/namespaces/" + namespace + "/" + kind + "/" + name;
  }

  /** True for an IP literal (never resolves a name). */
  static boolean isIpLiteral(String s) {
    if (isDottedQuad(s)) {
      return true;
    }
    // an IP literal holds only hex digits, dots and colons before an optional %scope
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        break;
      }
      if (Character.digit(c, 16) < 0 && c != '.' && c != ':') {
        return false;
      }
    }
    return InetAddresses.isInetAddress(s);
  }

  /**
   * A canonical IPv4 literal: four decimal parts of 0..255 without leading zeros. Every such string
   * is an IP literal; the cheap check spares the general parser for the common case.
   */
  private static boolean isDottedQuad(String s) {
    int n = s.length();
    if (n < 7 || n > 15) {
      return false;
    }
    int parts = 0;
    int i = 0;
    while (i < n) {
      int start = i;
      int value = 0;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        value = value * 10 + (s.charAt(i) - '0');
        i++;
        if (i - start > 3) {
          return false;
        }
      }
      int len = i - start;
      if (len == 0 || value > 255 || (len > 1 && s.charAt(start) == '0')) {
        return false;
      }
      parts++;
      if (i < n) {
        if (s.charAt(i) != '.' || parts == 4) {
          return false;
        }
        i++;
        if (i == n) {
          return false;
        }
      }
    }
    return parts == 4;
  }
}
