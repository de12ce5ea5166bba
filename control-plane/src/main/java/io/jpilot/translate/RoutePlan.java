package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.StringMatch;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One Envoy route before it becomes protobuf: its match (absent means prefix "/"), where it sends
 * traffic, its timeout, the VirtualService it came from (absent for istiod's default route) and the
 * tracing operation, and the hash policies of consistent-hash destinations.
 *
 * @param weighted true when the route lists several destinations (weighted_clusters), even if only
 *     one is left after dropping weight-0 entries
 */
record RoutePlan(
    String name,
    Optional<HttpMatch> match,
    List<Target> targets,
    boolean weighted,
    Duration timeout,
    Optional<ConfigKey> virtualService,
    String operation,
    List<RouteAction.HashPolicy> hashPolicies) {

  /** A destination cluster and its weight (0 when the route has a single destination). */
  record Target(String cluster, int weight) {
    Target {
      requireNonNull(cluster, "cluster");
    }
  }

  RoutePlan {
    requireNonNull(name, "name");
    requireNonNull(match, "match");
    targets = List.copyOf(targets);
    requireNonNull(timeout, "timeout");
    requireNonNull(virtualService, "virtualService");
    requireNonNull(operation, "operation");
    hashPolicies = List.copyOf(hashPolicies);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets: empty (expected: at least one)");
    }
  }

  RoutePlan(
      String name,
      Optional<HttpMatch> match,
      List<Target> targets,
      boolean weighted,
      Duration timeout,
      Optional<ConfigKey> virtualService,
      String operation) {
    this(name, match, targets, weighted, timeout, virtualService, operation, List.of());
  }

  /** The same route with the consistent-hash policies of its destinations. */
  RoutePlan withHashPolicies(List<RouteAction.HashPolicy> policies) {
    return new RoutePlan(
        name, match, targets, weighted, timeout, virtualService, operation, policies);
  }

  /**
   * istiod's IsCatchAllRoute: prefix "/" or regex ".*" and no header matches. Later routes can
   * never match after one of these.
   */
  boolean isCatchAll() {
    if (match.isEmpty()) {
      return true;
    }
    HttpMatch m = match.get();
    if (!m.headers().isEmpty()) {
      return false;
    }
    if (m.uri().isEmpty()) {
      return true;
    }
    StringMatch uri = m.uri().get();
    switch (uri.kind()) {
      case PREFIX:
        return uri.value().equals("/");
      case REGEX:
        return uri.value().equals(".*");
      case PRESENT:
        return true;
      default:
        return false;
    }
  }

  /** The path part of the decorator operation: "/*" for prefix "/", the path, or the regex. */
  static String operationPath(Optional<HttpMatch> match) {
    Optional<StringMatch> uri = match.flatMap(HttpMatch::uri);
    if (uri.isEmpty()) {
      return "/*";
    }
    switch (uri.get().kind()) {
      case EXACT:
      case REGEX:
        return uri.get().value();
      case PREFIX:
        return uri.get().value() + "*";
      default:
        return "/*";
    }
  }
}
