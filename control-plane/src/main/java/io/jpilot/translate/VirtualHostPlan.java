package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** One virtual host before it becomes protobuf: {@code <host>:<port>}, its domains, its routes. */
record VirtualHostPlan(String name, List<String> domains, List<RoutePlan> routes) {
  VirtualHostPlan {
    requireNonNull(name, "name");
    domains = List.copyOf(domains);
    routes = List.copyOf(routes);
  }
}
