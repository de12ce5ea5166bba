package io.jpilot.model.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One VirtualService HTTPRoute: its matches (empty means "match everything"), its action (weighted
 * destinations, a redirect, a direct response, or a delegate VirtualService) and what is applied on
 * the way (rewrite, timeout, retries, fault, mirrors, CORS, header operations).
 *
 * @param mirrorPercent the deprecated integer mirror share; empty when unset
 */
public record HttpRoute(
    String name,
    List<HttpMatch> match,
    List<RouteDestination> route,
    Optional<Duration> timeout,
    Optional<HttpRedirect> redirect,
    Optional<HttpDirectResponse> directResponse,
    Optional<Delegate> delegate,
    Optional<HttpRewrite> rewrite,
    Optional<HttpRetry> retries,
    Optional<HttpFault> fault,
    Optional<Destination> mirror,
    List<HttpMirror> mirrors,
    Optional<Integer> mirrorPercent,
    Optional<Percent> mirrorPercentage,
    Optional<CorsPolicy> corsPolicy,
    Optional<Headers> headers) {
  public HttpRoute {
    name = name == null ? "" : name;
    match = List.copyOf(match);
    route = List.copyOf(route);
    timeout = orEmpty(timeout);
    redirect = orEmpty(redirect);
    directResponse = orEmpty(directResponse);
    delegate = orEmpty(delegate);
    rewrite = orEmpty(rewrite);
    retries = orEmpty(retries);
    fault = orEmpty(fault);
    mirror = orEmpty(mirror);
    mirrors = mirrors == null ? List.of() : List.copyOf(mirrors);
    mirrorPercent = orEmpty(mirrorPercent);
    mirrorPercentage = orEmpty(mirrorPercentage);
    corsPolicy = orEmpty(corsPolicy);
    headers = orEmpty(headers);
  }

  /** Matches, destinations and timeout; nothing else set. */
  public HttpRoute(
      String name,
      List<HttpMatch> match,
      List<RouteDestination> route,
      Optional<Duration> timeout) {
    this(
        name, match, route, timeout, null, null, null, null, null, null, null, null, null, null,
        null, null);
  }

  private static <T> Optional<T> orEmpty(Optional<T> o) {
    return o == null ? Optional.empty() : o;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.match = new ArrayList<>(match);
    b.route = new ArrayList<>(route);
    b.timeout = timeout;
    b.redirect = redirect;
    b.directResponse = directResponse;
    b.delegate = delegate;
    b.rewrite = rewrite;
    b.retries = retries;
    b.fault = fault;
    b.mirror = mirror;
    b.mirrors = new ArrayList<>(mirrors);
    b.mirrorPercent = mirrorPercent;
    b.mirrorPercentage = mirrorPercentage;
    b.corsPolicy = corsPolicy;
    b.headers = headers;
    return b;
  }

  /** Builds an HttpRoute field by field; unset fields are unset in the API sense. */
  public static final class Builder {
    private String name = "";
    private List<HttpMatch> match = new ArrayList<>();
    private List<RouteDestination> route = new ArrayList<>();
    private Optional<Duration> timeout = Optional.empty();
    private Optional<HttpRedirect> redirect = Optional.empty();
    private Optional<HttpDirectResponse> directResponse = Optional.empty();
    private Optional<Delegate> delegate = Optional.empty();
    private Optional<HttpRewrite> rewrite = Optional.empty();
    private Optional<HttpRetry> retries = Optional.empty();
    private Optional<HttpFault> fault = Optional.empty();
    private Optional<Destination> mirror = Optional.empty();
    private List<HttpMirror> mirrors = new ArrayList<>();
    private Optional<Integer> mirrorPercent = Optional.empty();
    private Optional<Percent> mirrorPercentage = Optional.empty();
    private Optional<CorsPolicy> corsPolicy = Optional.empty();
    private Optional<Headers> headers = Optional.empty();

    private Builder() {}

    public Builder name(String v) {
      name = v;
      return this;
    }

    public Builder match(List<HttpMatch> v) {
      match = new ArrayList<>(v);
      return this;
    }

    public Builder addMatch(HttpMatch v) {
      match.add(v);
      return this;
    }

    public Builder route(List<RouteDestination> v) {
      route = new ArrayList<>(v);
      return this;
    }

    public Builder addRoute(RouteDestination v) {
      route.add(v);
      return this;
    }

    public Builder timeout(Optional<Duration> v) {
      timeout = v;
      return this;
    }

    public Builder timeout(Duration v) {
      return timeout(Optional.of(v));
    }

    public Builder redirect(Optional<HttpRedirect> v) {
      redirect = v;
      return this;
    }

    public Builder redirect(HttpRedirect v) {
      return redirect(Optional.of(v));
    }

    public Builder directResponse(Optional<HttpDirectResponse> v) {
      directResponse = v;
      return this;
    }

    public Builder directResponse(HttpDirectResponse v) {
      return directResponse(Optional.of(v));
    }

    public Builder delegate(Optional<Delegate> v) {
      delegate = v;
      return this;
    }

    public Builder delegate(Delegate v) {
      return delegate(Optional.of(v));
    }

    public Builder rewrite(Optional<HttpRewrite> v) {
      rewrite = v;
      return this;
    }

    public Builder rewrite(HttpRewrite v) {
      return rewrite(Optional.of(v));
    }

    public Builder retries(Optional<HttpRetry> v) {
      retries = v;
      return this;
    }

    public Builder retries(HttpRetry v) {
      return retries(Optional.of(v));
    }

    public Builder fault(Optional<HttpFault> v) {
      fault = v;
      return this;
    }

    public Builder fault(HttpFault v) {
      return fault(Optional.of(v));
    }

    public Builder mirror(Optional<Destination> v) {
      mirror = v;
      return this;
    }

    public Builder mirror(Destination v) {
      return mirror(Optional.of(v));
    }

    public Builder mirrors(List<HttpMirror> v) {
      mirrors = new ArrayList<>(v);
      return this;
    }

    public Builder mirrorPercent(Optional<Integer> v) {
      mirrorPercent = v;
      return this;
    }

    public Builder mirrorPercentage(Optional<Percent> v) {
      mirrorPercentage = v;
      return this;
    }

    public Builder corsPolicy(Optional<CorsPolicy> v) {
      corsPolicy = v;
      return this;
    }

    public Builder corsPolicy(CorsPolicy v) {
      return corsPolicy(Optional.of(v));
    }

    public Builder headers(Optional<Headers> v) {
      headers = v;
      return this;
    }

    public Builder headers(Headers v) {
      return headers(Optional.of(v));
    }

    public HttpRoute build() {
      return new HttpRoute(
          name,
          match,
          route,
          timeout,
          redirect,
          directResponse,
          delegate,
          rewrite,
          retries,
          fault,
          mirror,
          mirrors,
          mirrorPercent,
          mirrorPercentage,
          corsPolicy,
          headers);
    }
  }
}
