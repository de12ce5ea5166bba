package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/** A weighted destination of an HTTP route; {@code weight} is 0 when unset. */
public record RouteDestination(Destination destination, int weight) {
  public RouteDestination {
    requireNonNull(destination, "destination");
  }
}
