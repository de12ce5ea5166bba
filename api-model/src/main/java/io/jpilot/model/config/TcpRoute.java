package io.jpilot.model.config;

import java.util.List;

/**
 * One VirtualService tcp[] entry: its matches (empty means "match everything") and destinations.
 */
public record TcpRoute(List<L4Match> match, List<RouteDestination> route) {
  public TcpRoute {
    match = List.copyOf(match);
    route = List.copyOf(route);
  }
}
