package io.jpilot.sim;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One connection (and, for HTTP, one request) fed to the {@link TrafficSimulator}.
 *
 * @param address the destination IP the client dialed (the original destination for captured
 *     traffic, the local address a gateway accepted it on)
 * @param port the destination port
 * @param protocol what the client speaks inside the (optional) TLS layer
 * @param tls plaintext, TLS, or TLS with a client certificate
 * @param sni the TLS server name; empty for plaintext
 * @param alpn the ALPN protocols the client offers; empty for plaintext
 * @param authority the HTTP {@code :authority} / {@code Host}, possibly with a port
 * @param path the HTTP {@code :path}, with query string
 * @param method the HTTP method
 * @param headers other request headers, names lower-cased, values in order
 * @param mode how the connection reaches the proxy
 * @param sourceAddress the client's IP
 * @param sourcePort the client's port
 */
public record Call(
    String address,
    int port,
    Protocol protocol,
    Tls tls,
    String sni,
    List<String> alpn,
    String authority,
    String path,
    String method,
    Map<String, List<String>> headers,
    Mode mode,
    String sourceAddress,
    int sourcePort) {

  /** What the client speaks inside the optional TLS layer. */
  public enum Protocol {
    HTTP,
    HTTP2,
    TCP;

    boolean isHttp() {
      return this != TCP;
    }
  }

  /** The transport security of the connection. */
  public enum Tls {
    PLAINTEXT,
    TLS,
    /** TLS presenting a client certificate (Istio mTLS or a gateway's MUTUAL mode). */
    MTLS
  }

  /** How the connection reaches the proxy. */
  public enum Mode {
    /** Redirected by iptables to the sidecar's outbound capture listener (15001). */
    OUTBOUND,
    /** No interception: the client connects to a port the proxy listens on (gateways). */
    GATEWAY,
    /** Redirected by iptables to the sidecar's inbound capture listener (15006). */
    INBOUND
  }

  public Call {
    requireNonNull(address, "address");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    requireNonNull(protocol, "protocol");
    requireNonNull(tls, "tls");
    requireNonNull(sni, "sni");
    alpn = List.copyOf(alpn);
    requireNonNull(authority, "authority");
    requireNonNull(path, "path");
    requireNonNull(method, "method");
    Map<String, List<String>> h = new LinkedHashMap<>();
    headers.forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
    headers = Collections.unmodifiableMap(h);
    requireNonNull(mode, "mode");
    requireNonNull(sourceAddress, "sourceAddress");
  }

  /** An HTTP/1.1 request to {@code host:port} (plaintext, path "/", GET, outbound). */
  public static Builder http(String host, int port) {
    return new Builder().port(port).authority(host).protocol(Protocol.HTTP);
  }

  /** A raw TCP connection to {@code address:port} (plaintext, outbound). */
  public static Builder tcp(String address, int port) {
    return new Builder().address(address).port(port).protocol(Protocol.TCP);
  }

  /** A TLS connection carrying opaque bytes, with SNI {@code sni} (outbound). */
  public static Builder tls(String sni, int port) {
    return new Builder().port(port).protocol(Protocol.TCP).tls(Tls.TLS).sni(sni);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The authority without a port (and without IPv6 brackets' port), lower-cased. */
  String hostWithoutPort() {
    return stripPort(authority).toLowerCase(Locale.ROOT);
  }

  static String stripPort(String host) {
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return close > 0 ? host.substring(0, close + 1) : host;
    }
    int colon = host.lastIndexOf(':');
    if (colon > 0 && host.indexOf(':') == colon) {
      String port = host.substring(colon + 1);
      if (!port.isEmpty() && port.chars().allMatch(Character::isDigit)) {
        return host.substring(0, colon);
      }
    }
    return host;
  }

  /** The value Envoy matches a header against: values joined with ",", or null when absent. */
  String header(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    switch (n) {
      case ":authority":
      case "host":
        return authority.isEmpty() ? null : authority;
      case ":path":
        return path;
      case ":method":
        return method;
      case ":scheme":
        return tls == Tls.PLAINTEXT ? "http" : "https";
      default:
        List<String> v = headers.get(n);
        return v == null || v.isEmpty() ? null : String.join(",", v);
    }
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.address = address;
    b.port = port;
    b.protocol = protocol;
    b.tls = tls;
    b.sni = sni;
    b.alpn = new ArrayList<>(alpn);
    b.authority = authority;
    b.path = path;
    b.method = method;
    b.headers = new LinkedHashMap<>(headers);
    b.mode = mode;
    b.sourceAddress = sourceAddress;
    b.sourcePort = sourcePort;
    return b;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(mode.name().toLowerCase(Locale.ROOT)).append(' ');
    sb.append(protocol.name().toLowerCase(Locale.ROOT));
    if (tls != Tls.PLAINTEXT) {
      sb.append('+').append(tls.name().toLowerCase(Locale.ROOT));
      if (!sni.isEmpty()) {
        sb.append(" sni=").append(sni);
      }
    }
    sb.append(' ').append(address).append(':').append(port);
    if (protocol.isHttp()) {
      sb.append(' ').append(method).append(' ').append(authority).append(path);
      if (!headers.isEmpty()) {
        sb.append(' ').append(headers);
      }
    }
    return sb.toString();
  }

  /**
   * Builds a call with the simulator's defaults: address 1.3.3.7, HTTP/1.1 GET "/", plaintext,
   * outbound. For TLS the SNI defaults to the authority's host, and the ALPN to what an HTTP client
   * offers ({@code http/1.1} or {@code h2}; with a client certificate Istio's {@code
   * istio-http/1.1}, {@code istio-h2} or {@code istio}).
   */
  public static final class Builder {
    private String address = "1.3.3.7";
    private int port;
    private Protocol protocol = Protocol.HTTP;
    private Tls tls = Tls.PLAINTEXT;
    private String sni;
    private List<String> alpn;
    private String authority = "";
    private String path = "/";
    private String method = "GET";
    private Map<String, List<String>> headers = new LinkedHashMap<>();
    private Mode mode = Mode.OUTBOUND;
    private String sourceAddress = "10.1.1.1";
    private int sourcePort = 50000;

    private Builder() {}

    public Builder address(String address) {
      this.address = address;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder protocol(Protocol protocol) {
      this.protocol = protocol;
      return this;
    }

    public Builder tls(Tls tls) {
      this.tls = tls;
      return this;
    }

    public Builder sni(String sni) {
      this.sni = sni;
      return this;
    }

    public Builder alpn(String... alpn) {
      this.alpn = List.of(alpn);
      return this;
    }

    public Builder authority(String authority) {
      this.authority = authority;
      return this;
    }

    public Builder path(String path) {
      this.path = path;
      return this;
    }

    public Builder method(String method) {
      this.method = method;
      return this;
    }

    /** Adds a header value (names are case-insensitive). */
    public Builder header(String name, String value) {
      headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
      return this;
    }

    public Builder mode(Mode mode) {
      this.mode = mode;
      return this;
    }

    public Builder sourceAddress(String sourceAddress) {
      this.sourceAddress = sourceAddress;
      return this;
    }

    public Builder sourcePort(int sourcePort) {
      this.sourcePort = sourcePort;
      return this;
    }

    public Call build() {
      String s = sni;
      if (s == null) {
        s = tls == Tls.PLAINTEXT ? "" : stripPort(authority);
      }
      List<String> a = alpn;
      if (a == null) {
        a = tls == Tls.PLAINTEXT ? List.of() : defaultAlpn(protocol, tls);
      }
      return new Call(
          address,
          port,
          protocol,
          tls,
          s,
          a,
          authority,
          path,
          method,
          headers,
          mode,
          sourceAddress,
          sourcePort);
    }

    private static List<String> defaultAlpn(Protocol protocol, Tls tls) {
      if (tls == Tls.MTLS) {
        switch (protocol) {
          case HTTP:
            return List.of("istio-http/1.1");
          case HTTP2:
            return List.of("istio-h2");
          default:
            return List.of("istio");
        }
      }
      switch (protocol) {
        case HTTP:
          return List.of("http/1.1");
        case HTTP2:
          return List.of("h2");
        default:
          return List.of();
      }
    }
  }
}
