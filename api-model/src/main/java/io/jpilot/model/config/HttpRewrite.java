package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** Istio's HTTPRewrite. Empty strings mean "not set". */
public record HttpRewrite(String uri, Optional<RegexRewrite> uriRegexRewrite, String authority) {
  public HttpRewrite {
    requireNonNull(uri, "uri");
    requireNonNull(uriRegexRewrite, "uriRegexRewrite");
    requireNonNull(authority, "authority");
  }
}
