package io.jpilot.model.config;

import java.util.List;

/** One VirtualService tls[] entry: its SNI matches and destinations. */
public record TlsRoute(List<TlsMatch> match, List<RouteDestination> route) {
  public TlsRoute {
    match = List.copyOf(match);
    route = List.copyOf(route);
  }
}
