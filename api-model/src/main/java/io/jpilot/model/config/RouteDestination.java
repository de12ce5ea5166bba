package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A weighted destination of an HTTP route; {@code weight} is 0 when unset. {@code headers} are
 * applied only when traffic goes to this destination.
 */
public record RouteDestination(Destination destination, int weight, Optional<Headers> headers) {
  public RouteDestination {
    requireNonNull(destination, "destination");
    headers = headers == null ? Optional.empty() : headers;
  }

  public RouteDestination(Destination destination, int weight) {
    this(destination, weight, Optional.empty());
  }
}
