package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.registry.Protocol;
import java.util.List;
import java.util.Optional;

/**
 * One Gateway server: a port, the hosts it exposes (optionally {@code namespace/host}) and its TLS
 * settings.
 *
 * @param bind the IP (or {@code unix://} path) to listen on; empty for the proxy's wildcard
 * @param name the optional server name (istiod uses it as the HTTPS stat prefix); empty when unset
 */
public record GatewayServer(
    GatewayPort port, List<String> hosts, Optional<ServerTls> tls, String bind, String name) {
  public GatewayServer {
    requireNonNull(port, "port");
    hosts = List.copyOf(hosts);
    requireNonNull(tls, "tls");
    requireNonNull(bind, "bind");
    requireNonNull(name, "name");
  }

  /** istiod's IsPassThroughServer: TLS mode PASSTHROUGH or AUTO_PASSTHROUGH. */
  public boolean isPassthrough() {
    return tls.isPresent()
        && (tls.get().mode() == ServerTls.Mode.PASSTHROUGH
            || tls.get().mode() == ServerTls.Mode.AUTO_PASSTHROUGH);
  }

  /** istiod's IsHTTPServer: an HTTP protocol, or HTTPS terminated here. */
  public boolean isHttp() {
    if (port.protocol().isHttp()) {
      return true;
    }
    return port.protocol() == Protocol.HTTPS && tls.isPresent() && !isPassthrough();
  }

  /** istiod's IsTLSServer: TLS settings on a non-HTTP protocol (HTTPS, TLS, TCP, ...). */
  public boolean isTls() {
    return tls.isPresent() && !port.protocol().isHttp();
  }

  /** An HTTPS server that terminates TLS (SIMPLE, MUTUAL, ISTIO_MUTUAL, OPTIONAL_MUTUAL). */
  public boolean isHttpsWithTermination() {
    return port.protocol() == Protocol.HTTPS && tls.isPresent() && !isPassthrough();
  }

  /** True when plain HTTP requests must be redirected to https. */
  public boolean httpsRedirect() {
    return tls.isPresent() && tls.get().httpsRedirect();
  }
}
