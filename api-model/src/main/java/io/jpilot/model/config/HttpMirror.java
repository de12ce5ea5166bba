package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** Istio's HTTPMirrorPolicy: one entry of {@code mirrors}; 100% when no percentage is given. */
public record HttpMirror(Destination destination, Optional<Percent> percentage) {
  public HttpMirror {
    requireNonNull(destination, "destination");
    requireNonNull(percentage, "percentage");
  }
}
