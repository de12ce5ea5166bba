package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** Istio's HTTPDirectResponse: a fixed status and an optional body. */
public record HttpDirectResponse(int status, Optional<HttpBody> body) {
  public HttpDirectResponse {
    requireNonNull(body, "body");
  }
}
