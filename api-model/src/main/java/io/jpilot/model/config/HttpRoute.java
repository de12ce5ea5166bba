package io.jpilot.model.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One VirtualService HTTPRoute: its matches (empty means "match everything") and its weighted
 * destinations.
 */
public record HttpRoute(
    String name, List<HttpMatch> match, List<RouteDestination> route, Optional<Duration> timeout) {
  public HttpRoute {
    name = name == null ? "" : name;
    match = List.copyOf(match);
    route = List.copyOf(route);
    timeout = timeout == null ? Optional.empty() : timeout;
  }
}
