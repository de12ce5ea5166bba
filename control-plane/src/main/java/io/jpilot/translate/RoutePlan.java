package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.Headers;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpRetry;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.StringMatch;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One Envoy route before it becomes protobuf: its match (absent means prefix "/"), where it sends
 * traffic, its timeout, the VirtualService it came from (absent for istiod's default route), the
 * tracing operation, and the VirtualService http route whose redirect, direct response, rewrite,
 * fault, CORS and header operations apply.
 *
 * @param weighted true when the route lists several destinations (weighted_clusters), even if only
 *     one is left after dropping weight-0 entries
 * @param http the VirtualService http route; empty for istiod's default route
 * @param listenerPort the port the route is built for (redirect {@code FROM_REQUEST_PORT})
 * @param tls whether the listener terminates TLS (the default redirect scheme)
 * @param mirrors request mirror policies, clusters resolved
 * @param retryPolicy the VirtualService's retries, else the mesh default; empty means istiod's
 *     built-in default policy
 * @param consistentHash true when the single destination hashes consistently (no previous_hosts
 *     retry predicate then)
 * @param hashPolicies the route's hash_policy entries (from DestinationRule consistentHash)
 * @param metadata the {@code istio.config} metadata of {@code virtualService} when the planner has
 *     it at hand; empty means it is built from the key
 */
record RoutePlan(
    String name,
    Optional<HttpMatch> match,
    List<Target> targets,
    boolean weighted,
    Duration timeout,
    Optional<ConfigKey> virtualService,
    String operation,
    Optional<HttpRoute> http,
    int listenerPort,
    boolean tls,
    List<Mirror> mirrors,
    Optional<HttpRetry> retryPolicy,
    boolean consistentHash,
    List<RouteAction.HashPolicy> hashPolicies,
    Optional<Metadata> metadata) {

  /** What the route does with a matching request. */
  enum Action {
    ROUTE,
    REDIRECT,
    DIRECT_RESPONSE
  }

  /**
   * A destination cluster, its weight (0 when the route has a single destination) and the header
   * operations applied when traffic goes there.
   */
  record Target(String cluster, int weight, Optional<Headers> headers) {
    Target {
      requireNonNull(cluster, "cluster");
      requireNonNull(headers, "headers");
    }

    Target(String cluster, int weight) {
      this(cluster, weight, Optional.empty());
    }
  }

  /**
   * A mirror cluster and the share of requests mirrored: {@code numerator} per hundred, or per
   * million when {@code perMillion}.
   */
  record Mirror(String cluster, long numerator, boolean perMillion) {
    Mirror {
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
    requireNonNull(http, "http");
    mirrors = List.copyOf(mirrors);
    requireNonNull(retryPolicy, "retryPolicy");
    hashPolicies = List.copyOf(hashPolicies);
    requireNonNull(metadata, "metadata");
    if (targets.isEmpty() && action(http) == Action.ROUTE) {
      throw new IllegalArgumentException("targets: empty (expected: at least one)");
    }
  }

  /** A plain route to clusters, as the walking skeleton built them. */
  RoutePlan(
      String name,
      Optional<HttpMatch> match,
      List<Target> targets,
      boolean weighted,
      Duration timeout,
      Optional<ConfigKey> virtualService,
      String operation) {
    this(
        name,
        match,
        targets,
        weighted,
        timeout,
        virtualService,
        operation,
        Optional.empty(),
        0,
        false,
        List.of(),
        Optional.empty(),
        false,
        List.of(),
        Optional.empty());
  }

  /**
   * Value equality, as a record's, but with a shortcut wherever both plans hold the same object:
   * plans of one VirtualService in consecutive snapshots share its model objects (matches, routes,
   * retries), which a record's equality would compare field by field.
   */
  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    if (!(o instanceof RoutePlan p)) {
      return false;
    }
    return weighted == p.weighted
        && listenerPort == p.listenerPort
        && tls == p.tls
        && consistentHash == p.consistentHash
        && name.equals(p.name)
        && same(match, p.match)
        && sameElements(targets, p.targets)
        && timeout.equals(p.timeout)
        && same(virtualService, p.virtualService)
        && operation.equals(p.operation)
        && same(http, p.http)
        && sameElements(mirrors, p.mirrors)
        && same(retryPolicy, p.retryPolicy)
        && sameElements(hashPolicies, p.hashPolicies)
        && same(metadata, p.metadata);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(
        name,
        match,
        targets,
        weighted,
        timeout,
        virtualService,
        operation,
        http,
        listenerPort,
        tls,
        mirrors,
        retryPolicy,
        consistentHash,
        hashPolicies,
        metadata);
  }

  private static boolean same(Optional<?> a, Optional<?> b) {
    if (a == b) {
      return true;
    }
    if (a.isEmpty() || b.isEmpty()) {
      return a.isEmpty() && b.isEmpty();
    }
    Object x = a.get();
    Object y = b.get();
    return x == y || x.equals(y);
  }

  /** Equal lists, checking each pair of elements for identity before equality. */
  static boolean sameElements(List<?> a, List<?> b) {
    if (a == b) {
      return true;
    }
    int n = a.size();
    if (b.size() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      if (x != y && !x.equals(y)) {
        return false;
      }
    }
    return true;
  }

  Action action() {
    return action(http);
  }

  /** istiod's precedence: redirect, then direct response, then route. */
  private static Action action(Optional<HttpRoute> http) {
    if (http.isPresent() && http.get().redirect().isPresent()) {
      return Action.REDIRECT;
    }
    if (http.isPresent() && http.get().directResponse().isPresent()) {
      return Action.DIRECT_RESPONSE;
    }
    return Action.ROUTE;
  }

  /**
   * istiod's IsCatchAllRoute on the translated match: prefix "/" or regex ".*", and no header,
   * query parameter or metadata condition. Later routes can never match after one of these.
   */
  boolean isCatchAll() {
    return isCatchAll(match);
  }

  static boolean isCatchAll(Optional<HttpMatch> match) {
    if (match.isEmpty()) {
      return true;
    }
    HttpMatch m = match.get();
    if (!m.headers().isEmpty()
        || !m.withoutHeaders().isEmpty()
        || !m.queryParams().isEmpty()
        || m.method().isPresent()
        || m.authority().isPresent()
        || m.scheme().isPresent()) {
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
