package io.jpilot.model.registry;

import java.util.Locale;

/** Istio's application protocols, as selected from a port name prefix or appProtocol. */
public enum Protocol {
  HTTP,
  HTTP2,
  GRPC,
  GRPC_WEB,
  HTTPS,
  TLS,
  TCP,
  MONGO,
  REDIS,
  MYSQL,
  UDP,
  UNSUPPORTED;

  /**
   * Resolves a Kubernetes service port the way istiod does: appProtocol wins, then the port name
   * prefix before the first '-', then the L4 protocol. An unknown name is UNSUPPORTED, which istiod
   * treats as auto-detected (sniffed) on sidecars.
   */
  public static Protocol forServicePort(String name, String appProtocol, String l4Protocol) {
    if (l4Protocol != null && l4Protocol.equalsIgnoreCase("UDP")) {
      return UDP;
    }
    if (appProtocol != null && !appProtocol.isEmpty()) {
      Protocol p = parse(appProtocol);
      if (p != UNSUPPORTED) {
        return p;
      }
    }
    if (name != null && !name.isEmpty()) {
      String prefix = name.contains("-") ? name.substring(0, name.indexOf('-')) : name;
      return parse(prefix);
    }
    return UNSUPPORTED;
  }

  /** Parses a protocol name as written in Istio config (case-insensitive). */
  public static Protocol parse(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "http":
      case "kubernetes.io/h2c":
        return s.equalsIgnoreCase("kubernetes.io/h2c") ? HTTP2 : HTTP;
      case "http2":
        return HTTP2;
      case "grpc":
        return GRPC;
      case "grpc-web":
        return GRPC_WEB;
      case "https":
        return HTTPS;
      case "tls":
        return TLS;
      case "tcp":
        return TCP;
      case "mongo":
        return MONGO;
      case "redis":
        return REDIS;
      case "mysql":
        return MYSQL;
      case "udp":
        return UDP;
      default:
        return UNSUPPORTED;
    }
  }

  public boolean isHttp() {
    return this == HTTP || this == HTTP2 || this == GRPC || this == GRPC_WEB;
  }

  /** True for protocols whose upstream connections are HTTP/2. */
  public boolean isHttp2() {
    return this == HTTP2 || this == GRPC || this == GRPC_WEB;
  }
}
