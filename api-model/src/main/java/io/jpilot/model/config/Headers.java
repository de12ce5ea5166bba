package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/** Istio's Headers: operations on the request (before forwarding) and on the response. */
public record Headers(HeaderOperations request, HeaderOperations response) {
  public static final Headers EMPTY = new Headers(HeaderOperations.EMPTY, HeaderOperations.EMPTY);

  public Headers {
    requireNonNull(request, "request");
    requireNonNull(response, "response");
  }
}
