package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Objects;

/**
 * One virtual host before it becomes protobuf: {@code <host>:<port>}, its domains, its routes.
 * Compared by value. A plan shared between proxy views also remembers the virtual host a {@link
 * VirtualHostCache} built for it, so views after the first find it without a lookup.
 */
final class VirtualHostPlan {
  private final String name;
  private final List<String> domains;
  private final List<RoutePlan> routes;

  /** The entry a cache holds for this plan, with the cache and flavour it was built for. */
  private volatile Built built;

  private record Built(Object cache, RouteTranslator.Flavour flavour, Object entry) {}

  VirtualHostPlan(String name, List<String> domains, List<RoutePlan> routes) {
    this.name = requireNonNull(name, "name");
    this.domains = List.copyOf(domains);
    this.routes = List.copyOf(routes);
  }

  String name() {
    return name;
  }

  List<String> domains() {
    return domains;
  }

  List<RoutePlan> routes() {
    return routes;
  }

  /** What {@link #remember} was given for {@code cache} and {@code flavour}, or null. */
  Object remembered(Object cache, RouteTranslator.Flavour flavour) {
    Built b = built;
    return b != null && b.cache() == cache && b.flavour() == flavour ? b.entry() : null;
  }

  /**
   * Remembers {@code entry}, which must be a pure function of this plan's value and {@code
   * flavour}, for {@code cache}.
   */
  void remember(Object cache, RouteTranslator.Flavour flavour, Object entry) {
    built = new Built(cache, flavour, entry);
  }

  @Override
  public boolean equals(Object o) {
    return o == this
        || (o instanceof VirtualHostPlan p
            && name.equals(p.name)
            && domains.equals(p.domains)
            && routes.equals(p.routes));
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, domains, routes);
  }

  @Override
  public String toString() {
    return "VirtualHostPlan[name=" + name + ", domains=" + domains + ", routes=" + routes + "]";
  }
}
