package io.jpilot.sim;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where the {@link TrafficSimulator} sent a call: the listener, filter chain, route configuration,
 * virtual host and route it went through (empty strings for stages not reached or not applicable)
 * and the upstream cluster(s), or why it stopped.
 *
 * @param error empty when the call was forwarded to a cluster (or answered by a non-forwarding
 *     route)
 * @param detail a human-readable explanation of the error (the redirect location, the direct
 *     response status, which route config is missing, ...); empty without an error
 * @param cluster the single upstream cluster; empty for weighted routes (see {@link #weights()})
 * @param weights the weighted clusters of the route (or tcp_proxy) and their weights; empty for a
 *     single cluster
 * @param status the HTTP status Envoy answers itself with (redirects, direct responses), else 0
 * @param undefinedClusters named upstream clusters that are not among the simulated clusters (Envoy
 *     answers 503 for those)
 */
public record Result(
    Optional<Failure> error,
    String detail,
    String listener,
    String filterChain,
    String routeConfig,
    String virtualHost,
    String route,
    String cluster,
    SortedMap<String, Integer> weights,
    int status,
    SortedSet<String> undefinedClusters) {

  /** Why a call was not forwarded. The texts are those of istiod's simulation package. */
  public enum Failure {
    INVALID_CALL("invalid call"),
    NO_LISTENER("no listener matched"),
    NO_FILTER_CHAIN("no filter chains matched"),
    MULTIPLE_FILTER_CHAINS("multiple filter chains matched"),
    /** Plaintext sent to a filter chain that terminates TLS. */
    TLS_ERROR("invalid TLS"),
    /** No client certificate sent to a filter chain that requires one. */
    MTLS_ERROR("invalid mTLS"),
    /** TLS or raw TCP bytes sent to an HTTP connection manager that expects plaintext HTTP. */
    PROTOCOL_ERROR("protocol error"),
    /** The filter chain ends in a network filter the simulator does not model. */
    UNSUPPORTED_FILTER("unsupported network filter"),
    NO_ROUTE_CONFIG("route configuration not found"),
    NO_VIRTUAL_HOST("no virtual host matched"),
    /** The virtual host requires TLS and the request is plaintext: Envoy redirects to https. */
    TLS_REDIRECT("tls required, sending 301"),
    NO_ROUTE("no route matched"),
    /** The route answers with a redirect ({@link Result#status()}, location in the detail). */
    REDIRECT("redirect"),
    /** The route answers directly ({@link Result#status()}). */
    DIRECT_RESPONSE("direct response"),
    /** The route takes its cluster from a header the request does not carry. */
    NO_CLUSTER("no cluster for the request");

    private final String text;

    Failure(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  public Result {
    requireNonNull(error, "error");
    requireNonNull(detail, "detail");
    requireNonNull(listener, "listener");
    requireNonNull(filterChain, "filterChain");
    requireNonNull(routeConfig, "routeConfig");
    requireNonNull(virtualHost, "virtualHost");
    requireNonNull(route, "route");
    requireNonNull(cluster, "cluster");
    weights = Collections.unmodifiableSortedMap(new TreeMap<>(weights));
    undefinedClusters = Collections.unmodifiableSortedSet(new TreeSet<>(undefinedClusters));
  }

  /** True when the call was forwarded (or handled by a non-forwarding route) without error. */
  public boolean ok() {
    return error.isEmpty();
  }

  /** The upstream clusters: the single cluster, or the weighted ones; empty when none. */
  public SortedSet<String> clusters() {
    SortedSet<String> out = new TreeSet<>(weights.keySet());
    if (!cluster.isEmpty()) {
      out.add(cluster);
    }
    return Collections.unmodifiableSortedSet(out);
  }

  /** True when the call failed with {@code f}. */
  public boolean failed(Failure f) {
    return error.isPresent() && error.get() == f;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    error.ifPresent(e -> sb.append("error=").append(e).append(" (").append(e.text()).append(")"));
    if (!detail.isEmpty()) {
      sb.append(", detail=").append(detail);
    }
    field(sb, "listener", listener);
    field(sb, "filterChain", filterChain);
    field(sb, "routeConfig", routeConfig);
    field(sb, "virtualHost", virtualHost);
    field(sb, "route", route);
    field(sb, "cluster", cluster);
    if (!weights.isEmpty()) {
      sb.append(", weights=").append(weights);
    }
    if (status != 0) {
      sb.append(", status=").append(status);
    }
    if (!undefinedClusters.isEmpty()) {
      sb.append(", undefinedClusters=").append(undefinedClusters);
    }
    return sb.append('}').toString().replace("{, ", "{");
  }

  private static void field(StringBuilder sb, String name, String value) {
    if (!value.isEmpty()) {
      sb.append(", ").append(name).append('=').append(value);
    }
  }
}
