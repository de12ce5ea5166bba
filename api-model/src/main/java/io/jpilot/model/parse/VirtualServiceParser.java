package io.jpilot.model.parse;

import static io.jpilot.model.parse.IstioValidator.bool;
import static io.jpilot.model.parse.IstioValidator.dbl;
import static io.jpilot.model.parse.IstioValidator.get;
import static io.jpilot.model.parse.IstioValidator.has;
import static io.jpilot.model.parse.IstioValidator.list;
import static io.jpilot.model.parse.IstioValidator.lng;
import static io.jpilot.model.parse.IstioValidator.str;
import static io.jpilot.model.parse.IstioValidator.stringMap;
import static io.jpilot.model.parse.IstioValidator.strings;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpilot.model.config.CorsPolicy;
import io.jpilot.model.config.Delegate;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.FaultAbort;
import io.jpilot.model.config.FaultDelay;
import io.jpilot.model.config.HeaderOperations;
import io.jpilot.model.config.Headers;
import io.jpilot.model.config.HttpBody;
import io.jpilot.model.config.HttpDirectResponse;
import io.jpilot.model.config.HttpFault;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpMirror;
import io.jpilot.model.config.HttpRedirect;
import io.jpilot.model.config.HttpRetry;
import io.jpilot.model.config.HttpRewrite;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.Percent;
import io.jpilot.model.config.RegexRewrite;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.StringMatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads the {@code http} section of a VirtualService spec into model records. The document has
 * already passed {@link SchemaChecker} and {@link IstioValidator}, so shapes are right; this only
 * maps fields, keeping "unset" distinct where istiod's translation tells them apart.
 */
final class VirtualServiceParser {
  private VirtualServiceParser() {}

  static List<HttpRoute> httpRoutes(JsonNode spec) {
    List<HttpRoute> out = new ArrayList<>();
    for (JsonNode r : list(spec, "http")) {
      out.add(httpRoute(r));
    }
    return out;
  }

  static HttpRoute httpRoute(JsonNode r) {
    List<HttpMatch> matches = new ArrayList<>();
    for (JsonNode m : list(r, "match")) {
      matches.add(httpMatch(m));
    }
    List<RouteDestination> route = new ArrayList<>();
    for (JsonNode rd : list(r, "route")) {
      route.add(
          new RouteDestination(
              destination(get(rd, "destination")),
              (int) lng(rd, "weight"),
              headers(get(rd, "headers"))));
    }
    List<HttpMirror> mirrors = new ArrayList<>();
    for (JsonNode m : list(r, "mirrors")) {
      mirrors.add(
          new HttpMirror(destination(get(m, "destination")), percent(get(m, "percentage"))));
    }
    return HttpRoute.builder()
        .name(str(r, "name"))
        .match(matches)
        .route(route)
        .timeout(duration(r, "timeout"))
        .redirect(redirect(get(r, "redirect")))
        .directResponse(directResponse(get(r, "directResponse")))
        .delegate(delegate(get(r, "delegate")))
        .rewrite(rewrite(get(r, "rewrite")))
        .retries(retries(get(r, "retries")))
        .fault(fault(get(r, "fault")))
        .mirror(has(r, "mirror") ? Optional.of(destination(get(r, "mirror"))) : Optional.empty())
        .mirrors(mirrors)
        .mirrorPercent(
            has(r, "mirrorPercent") ? Optional.of((int) lng(r, "mirrorPercent")) : Optional.empty())
        .mirrorPercentage(percent(get(r, "mirrorPercentage")))
        .corsPolicy(corsPolicy(get(r, "corsPolicy")))
        .headers(headers(get(r, "headers")))
        .build();
  }

  static HttpMatch httpMatch(JsonNode m) {
    Optional<StringMatch> uri = optionalStringMatch(get(m, "uri"));
    if (uri.isPresent() && uri.get().kind() == StringMatch.Kind.PRESENT) {
      uri = Optional.empty(); // an empty uri match leaves istiod's default prefix "/"
    }
    return HttpMatch.builder()
        .name(str(m, "name"))
        .uri(uri)
        .headers(stringMatches(m, "headers"))
        .port((int) lng(m, "port"))
        .sourceLabels(stringMap(m, "sourceLabels"))
        .ignoreUriCase(bool(m, "ignoreUriCase"))
        .scheme(optionalStringMatch(get(m, "scheme")))
        .method(optionalStringMatch(get(m, "method")))
        .authority(optionalStringMatch(get(m, "authority")))
        .queryParams(stringMatches(m, "queryParams"))
        .withoutHeaders(stringMatches(m, "withoutHeaders"))
        .sourceNamespace(str(m, "sourceNamespace"))
        .gateways(strings(m, "gateways"))
        .statPrefix(str(m, "statPrefix"))
        .build();
  }

  private static SortedMap<String, StringMatch> stringMatches(JsonNode n, String field) {
    SortedMap<String, StringMatch> out = new TreeMap<>();
    IstioValidator.map(n, field).forEach((k, v) -> out.put(k, stringMatch(v)));
    return out;
  }

  private static Optional<StringMatch> optionalStringMatch(JsonNode sm) {
    return sm == null ? Optional.empty() : Optional.of(stringMatch(sm));
  }

  /**
   * exact, prefix or regex; an empty (or null) StringMatch is {@link StringMatch#PRESENT_MATCH}.
   */
  static StringMatch stringMatch(JsonNode sm) {
    if (has(sm, "exact")) {
      return StringMatch.exact(str(sm, "exact"));
    }
    if (has(sm, "prefix")) {
      return StringMatch.prefix(str(sm, "prefix"));
    }
    if (has(sm, "regex")) {
      return StringMatch.regex(str(sm, "regex"));
    }
    return StringMatch.PRESENT_MATCH;
  }

  static Destination destination(JsonNode d) {
    return new Destination(str(d, "host"), str(d, "subset"), (int) lng(get(d, "port"), "number"));
  }

  private static Optional<Duration> duration(JsonNode n, String field) {
    return has(n, field) ? Optional.of(IstioValidator.dur(n, field)) : Optional.empty();
  }

  private static Optional<Boolean> optionalBool(JsonNode n, String field) {
    return has(n, field) ? Optional.of(bool(n, field)) : Optional.empty();
  }

  private static Optional<Percent> percent(JsonNode p) {
    return p == null ? Optional.empty() : Optional.of(new Percent(dbl(p, "value")));
  }

  static Optional<Headers> headers(JsonNode h) {
    if (h == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Headers(headerOperations(get(h, "request")), headerOperations(get(h, "response"))));
  }

  private static HeaderOperations headerOperations(JsonNode ops) {
    if (ops == null) {
      return HeaderOperations.EMPTY;
    }
    return new HeaderOperations(
        stringMap(ops, "set"), stringMap(ops, "add"), strings(ops, "remove"));
  }

  private static Optional<HttpRedirect> redirect(JsonNode r) {
    if (r == null) {
      return Optional.empty();
    }
    HttpRedirect.DerivePort derive = HttpRedirect.DerivePort.UNSET;
    if (has(r, "derivePort")) {
      derive =
          HttpRedirect.DerivePort.valueOf(
              IstioValidator.enumName(
                  get(r, "derivePort"), "FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"));
    }
    return Optional.of(
        new HttpRedirect(
            str(r, "uri"),
            str(r, "authority"),
            (int) lng(r, "port"),
            derive,
            str(r, "scheme"),
            (int) lng(r, "redirectCode"),
            str(r, "prefixRewrite")));
  }

  private static Optional<HttpDirectResponse> directResponse(JsonNode d) {
    if (d == null) {
      return Optional.empty();
    }
    JsonNode body = get(d, "body");
    Optional<HttpBody> b = Optional.empty();
    if (has(body, "string")) {
      b = Optional.of(HttpBody.ofString(str(body, "string")));
    } else if (has(body, "bytes")) {
      b = Optional.of(HttpBody.ofBytes(decodeBase64(str(body, "bytes"))));
    }
    return Optional.of(new HttpDirectResponse((int) lng(d, "status"), b));
  }

  private static byte[] decodeBase64(String s) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return Base64.getUrlDecoder().decode(s);
    }
  }

  private static Optional<Delegate> delegate(JsonNode d) {
    if (d == null) {
      return Optional.empty();
    }
    return Optional.of(new Delegate(str(d, "name"), str(d, "namespace")));
  }

  private static Optional<HttpRewrite> rewrite(JsonNode r) {
    if (r == null) {
      return Optional.empty();
    }
    JsonNode regex = get(r, "uriRegexRewrite");
    Optional<RegexRewrite> rr =
        regex == null
            ? Optional.empty()
            : Optional.of(new RegexRewrite(str(regex, "match"), str(regex, "rewrite")));
    return Optional.of(new HttpRewrite(str(r, "uri"), rr, str(r, "authority")));
  }

  private static Optional<HttpRetry> retries(JsonNode r) {
    if (r == null) {
      return Optional.empty();
    }
    return Optional.of(
        new HttpRetry(
            (int) lng(r, "attempts"),
            duration(r, "perTryTimeout"),
            str(r, "retryOn"),
            optionalBool(r, "retryRemoteLocalities"),
            optionalBool(r, "retryIgnorePreviousHosts"),
            duration(r, "backoff")));
  }

  private static Optional<HttpFault> fault(JsonNode f) {
    if (f == null) {
      return Optional.empty();
    }
    Optional<FaultDelay> delay = Optional.empty();
    JsonNode d = get(f, "delay");
    if (d != null) {
      delay =
          Optional.of(
              new FaultDelay(
                  duration(d, "fixedDelay"),
                  duration(d, "exponentialDelay"),
                  percent(get(d, "percentage")),
                  (int) lng(d, "percent")));
    }
    Optional<FaultAbort> abort = Optional.empty();
    JsonNode a = get(f, "abort");
    if (a != null) {
      FaultAbort.ErrorType type = FaultAbort.ErrorType.UNSET;
      if (has(a, "httpStatus")) {
        type = FaultAbort.ErrorType.HTTP_STATUS;
      } else if (has(a, "grpcStatus")) {
        type = FaultAbort.ErrorType.GRPC_STATUS;
      } else if (has(a, "http2Error")) {
        type = FaultAbort.ErrorType.HTTP2_ERROR;
      }
      abort =
          Optional.of(
              new FaultAbort(
                  type,
                  (int) lng(a, "httpStatus"),
                  str(a, "grpcStatus"),
                  str(a, "http2Error"),
                  percent(get(a, "percentage"))));
    }
    return Optional.of(new HttpFault(delay, abort));
  }

  private static Optional<CorsPolicy> corsPolicy(JsonNode c) {
    if (c == null) {
      return Optional.empty();
    }
    List<StringMatch> origins = new ArrayList<>();
    for (JsonNode o : list(c, "allowOrigins")) {
      origins.add(stringMatch(o));
    }
    CorsPolicy.UnmatchedPreflights unmatched =
        CorsPolicy.UnmatchedPreflights.valueOf(
            IstioValidator.enumName(
                get(c, "unmatchedPreflights"), "UNSPECIFIED", "FORWARD", "IGNORE"));
    return Optional.of(
        new CorsPolicy(
            origins,
            strings(c, "allowOrigin"),
            strings(c, "allowMethods"),
            strings(c, "allowHeaders"),
            strings(c, "exposeHeaders"),
            duration(c, "maxAge"),
            optionalBool(c, "allowCredentials"),
            unmatched));
  }
}
