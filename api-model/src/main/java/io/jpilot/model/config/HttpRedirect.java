package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/**
 * Istio's HTTPRedirect. Empty strings and 0 mean "not set".
 *
 * @param port the redirect port; 0 when unset
 * @param derivePort how to pick the port when {@code port} is not given
 * @param redirectCode the HTTP status; 0 means 301
 */
public record HttpRedirect(
    String uri,
    String authority,
    int port,
    DerivePort derivePort,
    String scheme,
    int redirectCode,
    String prefixRewrite) {

  /** RedirectPortSelection; UNSET when the field is absent. */
  public enum DerivePort {
    UNSET,
    FROM_PROTOCOL_DEFAULT,
    FROM_REQUEST_PORT
  }

  public HttpRedirect {
    requireNonNull(uri, "uri");
    requireNonNull(authority, "authority");
    requireNonNull(derivePort, "derivePort");
    requireNonNull(scheme, "scheme");
    requireNonNull(prefixRewrite, "prefixRewrite");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
  }

  /** True when a port or a port selection was given (the API's redirect_port oneof is set). */
  public boolean hasRedirectPort() {
    return port != 0 || derivePort != DerivePort.UNSET;
  }
}
