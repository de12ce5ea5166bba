package io.jpilot.model.parse;

import io.jpilot.model.Durations;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.jpilot.model.parse.Schema.EnumType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * istiod's semantic checks of VirtualService and DestinationRule (its webhook validation), with
 * istiod's own message texts, each attached to the field path it is about. Runs on documents that
 * already passed the {@link SchemaChecker}, so every field has the right JSON shape.
 */
final class IstioValidator {
  private static final Duration MS = Duration.ofMillis(1);
  private static final int KB = 1024;
  private static final int MB = 1024 * KB;
  private static final String RE2_HINT =
      "; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)";
  private static final java.util.regex.Pattern HEADER_NAME =
      java.util.regex.Pattern.compile("[!#$%&'*+\\-.^_`|~A-Za-z0-9]+");
  private static final java.util.regex.Pattern HEADER_VALUE_CHARS =
      java.util.regex.Pattern.compile("[^\\x00-\\x08\\x0A-\\x1F\\x7F]*");
  private static final Set<String> PSEUDO_HEADERS =
      Set.of(":method", ":scheme", ":authority", ":path", ":status");
  private static final Set<String> CORS_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*");
  private static final Set<String> RETRY_ON =
      Set.of(
          "5xx",
          "gateway-error",
          "reset",
          "reset-before-request",
          "connect-failure",
          "retriable-4xx",
          "refused-stream",
          "retriable-status-codes",
          "retriable-headers",
          "envoy-ratelimited",
          "http3-post-connect-failure",
          "cancelled",
          "deadline-exceeded",
          "internal",
          "resource-exhausted",
          "unavailable");
  private static final Set<String> GRPC_STATUS =
      Set.of(
          "OK",
          "CANCELLED",
          "UNKNOWN",
          "INVALID_ARGUMENT",
          "DEADLINE_EXCEEDED",
          "NOT_FOUND",
          "ALREADY_EXISTS",
          "PERMISSION_DENIED",
          "RESOURCE_EXHAUSTED",
          "FAILED_PRECONDITION",
          "ABORTED",
          "OUT_OF_RANGE",
          "UNIMPLEMENTED",
          "INTERNAL",
          "UNAVAILABLE",
          "DATA_LOSS",
          "UNAUTHENTICATED");
  private static final Set<String> TOPOLOGY_LABELS =
      Set.of(
          "topology.kubernetes.io/region",
          "topology.kubernetes.io/zone",
          "topology.istio.io/subzone");
  private static final String JWT_CLAIM_PREFIX = "@request.auth.claims.";

  private final Problems problems;

  IstioValidator(Problems problems) {
    this.problems = problems;
  }

  // ======================================== VirtualService ===================================

  void validateVirtualService(JsonNode spec, String namespace) {
    String p = "spec";
    List<String> hosts = strings(spec, "hosts");
    List<String> gateways = strings(spec, "gateways");
    List<JsonNode> http = list(spec, "http");
    List<JsonNode> tls = list(spec, "tls");
    List<JsonNode> tcp = list(spec, "tcp");
    boolean delegate = hosts.isEmpty();
    if (delegate) {
      if (!gateways.isEmpty()) {
        error(
            FieldPath.field(p, "gateways"),
            "delegate virtual service must have no gateways specified");
      }
      if (!tls.isEmpty()) {
        error(
            FieldPath.field(p, "tls"), "delegate virtual service must have no tls route specified");
      }
      if (!tcp.isEmpty()) {
        error(
            FieldPath.field(p, "tcp"), "delegate virtual service must have no tcp route specified");
      }
    }
    boolean appliesToGateway = false;
    boolean appliesToMesh = true;
    if (!gateways.isEmpty()) {
      validateGatewayNames(gateways, FieldPath.field(p, "gateways"));
      appliesToGateway = gateways.stream().anyMatch(g -> !g.equals("mesh"));
      appliesToMesh = !appliesToGateway;
    }
    if (!appliesToGateway) {
      for (int i = 0; i < http.size(); i++) {
        List<JsonNode> matches = list(http.get(i), "match");
        for (int j = 0; j < matches.size(); j++) {
          String mp =
              FieldPath.index(
                  FieldPath.field(FieldPath.index(FieldPath.field(p, "http"), i), "match"), j);
          for (String field : List.of("headers", "withoutHeaders")) {
            for (String key : map(matches.get(j), field).keySet()) {
              if (key.startsWith(JWT_CLAIM_PREFIX)) {
                error(
                    FieldPath.key(FieldPath.field(mp, field), key),
                    "JWT claim based routing (key: "
                        + key
                        + ") is only supported for gateway, found no gateways: "
                        + goList(gateways));
              }
            }
          }
        }
      }
    }

    boolean allHostsValid = true;
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      String hp = FieldPath.index(FieldPath.field(p, "hosts"), i);
      String err = Names.validateWildcardDomain(host);
      if (err != null) {
        if (!Names.isIpAddress(host)) {
          error(hp, err);
          allHostsValid = false;
        }
      } else if (appliesToMesh && host.equals("*")) {
        error(hp, "wildcard host * is not allowed for virtual services bound to the mesh gateway");
        allHostsValid = false;
      }
    }
    if (allHostsValid) {
      for (int i = 0; i < hosts.size(); i++) {
        for (int j = i + 1; j < hosts.size(); j++) {
          if (hostsMatch(hosts.get(i), hosts.get(j))) {
            error(
                FieldPath.index(FieldPath.field(p, "hosts"), j),
                "duplicate hosts in virtual service: " + hosts.get(i) + " & " + hosts.get(j));
          }
        }
      }
    }

    if (http.isEmpty() && tcp.isEmpty() && tls.isEmpty()) {
      error(p, "http, tcp or tls must be provided in virtual service");
    }
    for (int i = 0; i < http.size(); i++) {
      validateHttpRoute(http.get(i), delegate, FieldPath.index(FieldPath.field(p, "http"), i));
    }
    for (int i = 0; i < tls.size(); i++) {
      validateTlsRoute(tls.get(i), hosts, FieldPath.index(FieldPath.field(p, "tls"), i));
    }
    for (int i = 0; i < tcp.size(); i++) {
      validateTcpRoute(tcp.get(i), FieldPath.index(FieldPath.field(p, "tcp"), i));
    }
    validateExportTo(namespace, strings(spec, "exportTo"), false, FieldPath.field(p, "exportTo"));
  }

  private void validateHttpRoute(JsonNode r, boolean delegate, String p) {
    boolean root = !delegate && has(r, "delegate");
    boolean hasRoute = !list(r, "route").isEmpty();
    if (root) {
      if (has(r, "redirect")) {
        error(p, "root HTTP route " + str(r, "name") + " must not specify redirect");
      }
      if (has(r, "route")) {
        error(p, "root HTTP route " + str(r, "name") + " must not specify route");
      }
    } else {
      if (delegate && has(r, "delegate")) {
        error(FieldPath.field(p, "delegate"), "delegate HTTP route cannot contain delegate");
      }
      if (has(r, "redirect")) {
        if (hasRoute) {
          error(p, "HTTP route cannot contain both route and redirect");
        }
        if (has(r, "fault")) {
          error(p, "HTTP route cannot contain both fault and redirect");
        }
        if (has(r, "rewrite")) {
          error(p, "HTTP route rule cannot contain both rewrite and redirect");
        }
        if (has(r, "directResponse")) {
          error(p, "HTTP route rule cannot contain both direct_response and redirect");
        }
      } else if (has(r, "directResponse")) {
        if (hasRoute) {
          error(p, "HTTP route cannot contain both route and direct_response");
        }
        if (has(r, "fault")) {
          error(p, "HTTP route cannot contain both fault and direct_response");
        }
        if (has(r, "rewrite")) {
          error(p, "HTTP route rule cannot contain both rewrite and direct_response");
        }
      } else if (!hasRoute) {
        error(p, "HTTP route, redirect or direct_response is required");
      }
      if (has(r, "mirror") && !list(r, "mirrors").isEmpty()) {
        error(p, "HTTP route cannot contain both mirror and mirrors");
      }
    }

    List<JsonNode> matches = list(r, "match");
    for (int j = 0; j < matches.size(); j++) {
      validateHttpMatch(matches.get(j), FieldPath.index(FieldPath.field(p, "match"), j));
    }
    validateHeaderOperations(get(r, "headers"), FieldPath.field(p, "headers"));
    validateCorsPolicy(get(r, "corsPolicy"), FieldPath.field(p, "corsPolicy"));
    validateFault(get(r, "fault"), FieldPath.field(p, "fault"));
    if (has(r, "mirrorPercent") && lng(r, "mirrorPercent") > 100) {
      error(
          FieldPath.field(p, "mirrorPercent"),
          "mirror_percent must have a max value of 100 (it has " + lng(r, "mirrorPercent") + ")");
    }
    JsonNode mirrorPercentage = get(r, "mirrorPercentage");
    if (mirrorPercentage != null) {
      double v = dbl(mirrorPercentage, "value");
      if (v > 100) {
        error(
            FieldPath.field(p, "mirrorPercentage"),
            String.format(
                Locale.ROOT, "mirror_percentage must have a max value of 100 (it has %f)", v));
      }
      if (v < 0) {
        error(
            FieldPath.field(p, "mirrorPercentage"),
            String.format(
                Locale.ROOT, "mirror_percentage must have a min value of 0 (it has %f)", v));
      }
    }
    validateDestination(get(r, "mirror"), FieldPath.field(p, "mirror"));
    validateMirrors(list(r, "mirrors"), FieldPath.field(p, "mirrors"));
    validateRedirect(get(r, "redirect"), matches, FieldPath.field(p, "redirect"));
    validateDirectResponse(get(r, "directResponse"), FieldPath.field(p, "directResponse"));
    validateRetries(get(r, "retries"), FieldPath.field(p, "retries"));
    validateRewrite(get(r, "rewrite"), FieldPath.field(p, "rewrite"));
    validateAuthorityRewrite(get(r, "rewrite"), get(r, "headers"), p);
    validateHttpRouteDestinations(list(r, "route"), FieldPath.field(p, "route"));
    if (has(r, "timeout")) {
      validateDuration(dur(r, "timeout"), FieldPath.field(p, "timeout"));
    }
  }

  private void validateHttpMatch(JsonNode m, String p) {
    map(m, "headers")
        .forEach(
            (name, sm) -> {
              String hp = FieldPath.key(FieldPath.field(p, "headers"), name);
              report(hp, validateHeaderNameOrJwtClaim(name));
              report(hp, validateStringMatch(sm, "headers"));
            });
    map(m, "withoutHeaders")
        .forEach(
            (name, sm) -> {
              String hp = FieldPath.key(FieldPath.field(p, "withoutHeaders"), name);
              report(hp, validateHeaderNameOrJwtClaim(name));
              if (!"*".equals(str(sm, "regex"))) {
                report(hp, validateStringMatch(sm, "withoutHeaders"));
              }
            });
    report(FieldPath.field(p, "uri"), validateStringMatchRegexp(get(m, "uri"), "uri"));
    for (String f : List.of("scheme", "method", "authority")) {
      report(FieldPath.field(p, f), validateStringMatch(get(m, f), f));
    }
    map(m, "queryParams")
        .forEach(
            (name, sm) ->
                report(
                    FieldPath.key(FieldPath.field(p, "queryParams"), name),
                    validateStringMatch(sm, "queryParams")));
    if (lng(m, "port") != 0) {
      report(FieldPath.field(p, "port"), validatePort(lng(m, "port")));
    }
    report(FieldPath.field(p, "sourceLabels"), Names.validateLabels(stringMap(m, "sourceLabels")));
    validateGatewayNames(strings(m, "gateways"), FieldPath.field(p, "gateways"));
    String sourceNamespace = str(m, "sourceNamespace");
    if (!sourceNamespace.isEmpty() && !Names.isDns1123Label(sourceNamespace)) {
      error(
          FieldPath.field(p, "sourceNamespace"),
          "sourceNamespace match " + sourceNamespace + " is invalid");
    }
  }

  private void validateHeaderOperations(JsonNode headers, String p) {
    if (headers == null) {
      return;
    }
    JsonNode request = get(headers, "request");
    String rp = FieldPath.field(p, "request");
    for (String op : List.of("add", "set")) {
      stringMap(request, op)
          .forEach(
              (name, value) -> {
                String hp = FieldPath.key(FieldPath.field(rp, op), name);
                report(hp, validateHeaderWithAuthorityOperationName(name));
                report(hp, validateHeaderValue(value));
                warnUnknownHeaderVariables(hp, value);
              });
    }
    List<String> removes = strings(request, "remove");
    for (int i = 0; i < removes.size(); i++) {
      report(
          FieldPath.index(FieldPath.field(rp, "remove"), i),
          validateHeaderOperationName(removes.get(i)));
    }
    JsonNode response = get(headers, "response");
    String sp = FieldPath.field(p, "response");
    for (String op : List.of("add", "set")) {
      stringMap(response, op)
          .forEach(
              (name, value) -> {
                String hp = FieldPath.key(FieldPath.field(sp, op), name);
                report(hp, validateHeaderOperationName(name));
                report(hp, validateHeaderValue(value));
                warnUnknownHeaderVariables(hp, value);
              });
    }
    removes = strings(response, "remove");
    for (int i = 0; i < removes.size(); i++) {
      report(
          FieldPath.index(FieldPath.field(sp, "remove"), i),
          validateHeaderOperationName(removes.get(i)));
    }
  }

  private void validateCorsPolicy(JsonNode cors, String p) {
    if (cors == null) {
      return;
    }
    List<JsonNode> origins = list(cors, "allowOrigins");
    for (int i = 0; i < origins.size(); i++) {
      String op = FieldPath.index(FieldPath.field(p, "allowOrigins"), i);
      JsonNode o = origins.get(i);
      String value =
          !str(o, "exact").isEmpty()
              ? str(o, "exact")
              : !str(o, "prefix").isEmpty() ? str(o, "prefix") : str(o, "regex");
      if (value.isEmpty()) {
        error(op, "'' is not a valid match type for CORS allow origins");
      } else {
        report(op, validateStringMatchRegexp(o, "corsPolicy.allowOrigins"));
      }
    }
    List<String> methods = strings(cors, "allowMethods");
    for (int i = 0; i < methods.size(); i++) {
      if (!CORS_METHODS.contains(methods.get(i))) {
        error(
            FieldPath.index(FieldPath.field(p, "allowMethods"), i),
            quote(methods.get(i)) + " is not a supported HTTP method");
      }
    }
    for (String f : List.of("allowHeaders", "exposeHeaders")) {
      List<String> names = strings(cors, f);
      for (int i = 0; i < names.size(); i++) {
        report(FieldPath.index(FieldPath.field(p, f), i), validateCorsHeaderName(names.get(i)));
      }
    }
    if (has(cors, "maxAge")) {
      Duration maxAge = dur(cors, "maxAge");
      validateDuration(maxAge, FieldPath.field(p, "maxAge"));
      if (maxAge.getNano() > 0) {
        error(
            FieldPath.field(p, "maxAge"), "max_age duration is accurate only to seconds precision");
      }
    }
  }

  private void validateFault(JsonNode fault, String p) {
    if (fault == null) {
      return;
    }
    JsonNode abort = get(fault, "abort");
    JsonNode delay = get(fault, "delay");
    if (abort == null && delay == null) {
      error(p, "HTTP fault injection must have an abort and/or a delay");
    }
    if (abort != null) {
      String ap = FieldPath.field(p, "abort");
      report(FieldPath.field(ap, "percentage"), validatePercentage(get(abort, "percentage")));
      if (has(abort, "grpcStatus")) {
        String status = str(abort, "grpcStatus");
        if (!GRPC_STATUS.contains(status)) {
          error(
              FieldPath.field(ap, "grpcStatus"),
              "gRPC status "
                  + quote(status)
                  + " is not supported. See"
                  + " https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of"
                  + " supported codes, for example 'NOT_FOUND'");
        }
      } else if (has(abort, "http2Error")) {
        error(FieldPath.field(ap, "http2Error"), "HTTP/2 abort fault injection not supported yet");
      } else if (has(abort, "httpStatus")) {
        report(FieldPath.field(ap, "httpStatus"), validateHttpStatus(lng(abort, "httpStatus")));
      } else {
        problems.warning(ap, "abort configured, but error type not set");
      }
    }
    if (delay != null) {
      String dp = FieldPath.field(p, "delay");
      report(FieldPath.field(dp, "percentage"), validatePercentage(get(delay, "percentage")));
      if (has(delay, "fixedDelay")) {
        validateDuration(dur(delay, "fixedDelay"), FieldPath.field(dp, "fixedDelay"));
      } else if (has(delay, "exponentialDelay")) {
        validateDuration(dur(delay, "exponentialDelay"), FieldPath.field(dp, "exponentialDelay"));
        error(FieldPath.field(dp, "exponentialDelay"), "exponentialDelay not supported yet");
      }
    }
  }

  private void validateMirrors(List<JsonNode> mirrors, String p) {
    for (int i = 0; i < mirrors.size(); i++) {
      JsonNode m = mirrors.get(i);
      String mp = FieldPath.index(p, i);
      if (!has(m, "destination")) {
        error(mp, "destination is required for mirrors");
        continue;
      }
      validateDestination(get(m, "destination"), FieldPath.field(mp, "destination"));
      JsonNode percentage = get(m, "percentage");
      if (percentage != null) {
        double v = dbl(percentage, "value");
        if (v > 100) {
          error(
              FieldPath.field(mp, "percentage"),
              String.format(
                  Locale.ROOT, "mirror percentage must have a max value of 100 (it has %f)", v));
        }
        if (v < 0) {
          error(
              FieldPath.field(mp, "percentage"),
              String.format(
                  Locale.ROOT, "mirror percentage must have a min value of 0 (it has %f)", v));
        }
      }
    }
  }

  private void validateRedirect(JsonNode redirect, List<JsonNode> matches, String p) {
    if (redirect == null) {
      return;
    }
    String uri = str(redirect, "uri");
    String prefixRewrite = str(redirect, "prefixRewrite");
    if (!uri.isEmpty() && !prefixRewrite.isEmpty()) {
      error(p, "redirect may only specify one of uri or prefix_rewrite");
      return;
    }
    if (!prefixRewrite.isEmpty()) {
      for (JsonNode m : matches) {
        JsonNode u = get(m, "uri");
        if (u != null && !has(u, "prefix")) {
          error(p, "redirect prefix_rewrite requires all URI matches to use prefix match type");
          return;
        }
      }
    }
    boolean hasPort = has(redirect, "port") || has(redirect, "derivePort");
    if (uri.isEmpty()
        && prefixRewrite.isEmpty()
        && str(redirect, "authority").isEmpty()
        && !hasPort
        && str(redirect, "scheme").isEmpty()) {
      error(p, "redirect must specify URI, authority, scheme, or port");
      return;
    }
    long code = lng(redirect, "redirectCode");
    if (code != 0 && (code < 300 || code > 399)) {
      error(
          FieldPath.field(p, "redirectCode"), code + " is not a valid redirect code, must be 3xx");
      return;
    }
    String scheme = str(redirect, "scheme");
    if (!scheme.isEmpty() && !scheme.equals("http") && !scheme.equals("https")) {
      error(FieldPath.field(p, "scheme"), "invalid redirect scheme, must be \"http\" or \"https\"");
      return;
    }
    if (lng(redirect, "port") > 0) {
      report(FieldPath.field(p, "port"), validatePort(lng(redirect, "port")));
    }
  }

  private void validateDirectResponse(JsonNode directResponse, String p) {
    if (directResponse == null) {
      return;
    }
    JsonNode body = get(directResponse, "body");
    if (body != null) {
      long size = 0;
      if (has(body, "string")) {
        size = str(body, "string").getBytes(StandardCharsets.UTF_8).length;
      } else if (has(body, "bytes")) {
        size = decodeBase64(str(body, "bytes")).length;
      }
      if (size > MB) {
        error(
            FieldPath.field(p, "body"),
            "large direct_responses may impact control plane performance, must be less than 1MB");
      } else if (size > 100 * KB) {
        problems.warning(
            FieldPath.field(p, "body"),
            "large direct_responses may impact control plane performance");
      }
    }
    report(FieldPath.field(p, "status"), validateHttpStatus(lng(directResponse, "status")));
  }

  private void validateRetries(JsonNode retries, String p) {
    if (retries == null) {
      return;
    }
    long attempts = lng(retries, "attempts");
    if (attempts < 0) {
      error(FieldPath.field(p, "attempts"), "attempts cannot be negative");
    }
    if (attempts == 0
        && (has(retries, "perTryTimeout")
            || !str(retries, "retryOn").isEmpty()
            || has(retries, "retryRemoteLocalities"))) {
      error(p, "http retry policy configured when attempts are set to 0 (disabled)");
    }
    if (has(retries, "perTryTimeout")) {
      validateDuration(dur(retries, "perTryTimeout"), FieldPath.field(p, "perTryTimeout"));
    }
    String retryOn = str(retries, "retryOn");
    if (!retryOn.isEmpty()) {
      for (String policy : retryOn.split(",", -1)) {
        if (!isHttpStatusWithText(policy) && !RETRY_ON.contains(policy)) {
          error(FieldPath.field(p, "retryOn"), quote(policy) + " is not a valid retryOn policy");
        }
      }
    }
    if (has(retries, "backoff")) {
      validateDuration(dur(retries, "backoff"), FieldPath.field(p, "backoff"));
    }
  }

  private void validateRewrite(JsonNode rewrite, String p) {
    if (rewrite == null) {
      return;
    }
    JsonNode regexRewrite = get(rewrite, "uriRegexRewrite");
    String uri = str(rewrite, "uri");
    if (!uri.isEmpty() && regexRewrite != null) {
      error(p, "rewrite may only contain one of URI or UriRegexRewrite");
      return;
    }
    if (uri.isEmpty() && regexRewrite == null && str(rewrite, "authority").isEmpty()) {
      error(
          p,
          "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI"
              + " or UriRegexRewrite may be specified");
      return;
    }
    if (regexRewrite != null) {
      String rp = FieldPath.field(p, "uriRegexRewrite");
      if (str(regexRewrite, "match").isEmpty() || str(regexRewrite, "rewrite").isEmpty()) {
        error(
            rp,
            "UriRegexRewrite has errors; UriRegexRewrite requires both Rewrite and Match fields to"
                + " be specified");
        return;
      }
      String err = validateRegexp(str(regexRewrite, "match"), "HTTPRewrite.UriRegexRewrite.Match");
      if (err != null) {
        error(FieldPath.field(rp, "match"), "UriRegexRewrite has errors; " + err);
      }
    }
  }

  private void validateAuthorityRewrite(JsonNode rewrite, JsonNode headers, String p) {
    String current = str(rewrite, "authority");
    JsonNode request = get(headers, "request");
    for (String op : List.of("set", "add")) {
      for (Map.Entry<String, String> e : stringMap(request, op).entrySet()) {
        if (!isAuthorityHeader(e.getKey())) {
          continue;
        }
        if (!current.isEmpty()) {
          error(
              FieldPath.key(
                  FieldPath.field(FieldPath.field(FieldPath.field(p, "headers"), "request"), op),
                  e.getKey()),
              "authority header cannot be set multiple times: have "
                  + quote(current)
                  + ", attempting to set "
                  + quote(e.getValue()));
          return;
        }
        current = e.getValue();
      }
    }
  }

  /** An HTTP route's destinations: as TCP/TLS ones, and each one's header operations. */
  private void validateHttpRouteDestinations(List<JsonNode> route, String p) {
    validateRouteDestinations(route, p, true);
  }

  private void validateRouteDestinations(List<JsonNode> route, String p) {
    validateRouteDestinations(route, p, false);
  }

  private void validateRouteDestinations(List<JsonNode> route, String p, boolean headers) {
    long total = 0;
    for (int i = 0; i < route.size(); i++) {
      JsonNode rd = route.get(i);
      String rp = FieldPath.index(p, i);
      if (!has(rd, "destination")) {
        error(rp, "destination is required");
      }
      if (headers) {
        validateHeaderOperations(get(rd, "headers"), FieldPath.field(rp, "headers"));
      }
      validateDestination(get(rd, "destination"), FieldPath.field(rp, "destination"));
      long weight = lng(rd, "weight");
      if (weight < 0) {
        error(FieldPath.field(rp, "weight"), "weight " + weight + " < 0");
      }
      total += weight;
    }
    if (route.size() > 1 && total == 0) {
      error(p, "total destination weight = 0");
    }
  }

  private void validateDestination(JsonNode d, String p) {
    if (d == null) {
      return;
    }
    String host = str(d, "host");
    if (host.equals("*")) {
      error(FieldPath.field(p, "host"), "invalid destination host *");
    } else {
      report(FieldPath.field(p, "host"), Names.validateWildcardDomain(host));
    }
    String subset = str(d, "subset");
    if (!subset.isEmpty()) {
      report(FieldPath.field(p, "subset"), validateSubsetName(subset));
    }
    JsonNode port = get(d, "port");
    if (port != null) {
      report(
          FieldPath.field(FieldPath.field(p, "port"), "number"), validatePort(lng(port, "number")));
    }
  }

  private void validateTlsRoute(JsonNode tls, List<String> hosts, String p) {
    List<JsonNode> matches = list(tls, "match");
    if (matches.isEmpty()) {
      error(p, "TLS route must have at least one match condition");
    }
    for (int i = 0; i < matches.size(); i++) {
      JsonNode m = matches.get(i);
      String mp = FieldPath.index(FieldPath.field(p, "match"), i);
      List<String> sniHosts = strings(m, "sniHosts");
      if (sniHosts.isEmpty()) {
        error(mp, "TLS match must have at least one SNI host");
      }
      for (int j = 0; j < sniHosts.size(); j++) {
        validateSniHost(
            sniHosts.get(j), hosts, FieldPath.index(FieldPath.field(mp, "sniHosts"), j));
      }
      validateL4Match(m, mp);
    }
    List<JsonNode> route = list(tls, "route");
    if (route.isEmpty()) {
      error(p, "TLS route is required");
    }
    validateRouteDestinations(route, FieldPath.field(p, "route"));
  }

  private void validateSniHost(String sniHost, List<String> hosts, String p) {
    String err = Names.validateWildcardDomain(sniHost);
    if (err != null) {
      if (Names.isIpAddress(sniHost)) {
        problems.warning(
            p,
            "using an IP address ("
                + quote(sniHost)
                + ") goes against SNI spec and most clients do not support this");
      } else {
        error(p, err);
      }
      return;
    }
    for (String h : hosts) {
      if (hostSubsetOf(sniHost, h)) {
        return;
      }
    }
    error(
        p,
        "SNI host "
            + quote(sniHost)
            + " is not a compatible subset of any of the virtual service"
            + " hosts: ["
            + String.join(", ", hosts)
            + "]");
  }

  private void validateTcpRoute(JsonNode tcp, String p) {
    List<JsonNode> matches = list(tcp, "match");
    for (int i = 0; i < matches.size(); i++) {
      validateL4Match(matches.get(i), FieldPath.index(FieldPath.field(p, "match"), i));
    }
    List<JsonNode> route = list(tcp, "route");
    if (route.isEmpty()) {
      error(p, "TCP route is required");
    }
    validateRouteDestinations(route, FieldPath.field(p, "route"));
  }

  /** The checks TCP and TLS matches share. */
  private void validateL4Match(JsonNode m, String p) {
    List<String> subnets = strings(m, "destinationSubnets");
    for (int i = 0; i < subnets.size(); i++) {
      report(
          FieldPath.index(FieldPath.field(p, "destinationSubnets"), i),
          Names.validateIpSubnet(subnets.get(i)));
    }
    if (lng(m, "port") != 0) {
      report(FieldPath.field(p, "port"), validatePort(lng(m, "port")));
    }
    report(FieldPath.field(p, "sourceLabels"), Names.validateLabels(stringMap(m, "sourceLabels")));
    validateGatewayNames(strings(m, "gateways"), FieldPath.field(p, "gateways"));
  }

  private void validateGatewayNames(List<String> names, String p) {
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      String gp = FieldPath.index(p, i);
      int slash = name.indexOf('/');
      if (slash < 0) {
        if (name.contains(".")) {
          String[] parts = name.split("\\.", -1);
          problems.warning(
              gp,
              "using legacy gatewayName format "
                  + quote(name)
                  + "; prefer the <namespace>/<name> format: "
                  + quote(parts[1] + "/" + parts[0]));
        }
        report(gp, Names.validateFqdn(name));
        continue;
      }
      String ns = name.substring(0, slash);
      String gw = name.substring(slash + 1);
      if (ns.isEmpty() || gw.isEmpty()) {
        error(gp, "config namespace and gateway name cannot be empty");
      }
      if (!Names.isDns1123Label(ns)) {
        error(gp, "invalid value for namespace: " + quote(ns));
      }
      if (!Names.isDns1123Label(gw)) {
        error(gp, "invalid value for gateway name: " + quote(gw));
      }
    }
  }

  // ======================================== DestinationRule ==================================

  void validateDestinationRule(JsonNode spec, String namespace) {
    String p = "spec";
    report(FieldPath.field(p, "host"), Names.validateWildcardDomain(str(spec, "host")));
    validateTrafficPolicy(get(spec, "trafficPolicy"), FieldPath.field(p, "trafficPolicy"));
    List<JsonNode> subsets = list(spec, "subsets");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < subsets.size(); i++) {
      JsonNode s = subsets.get(i);
      String sp = FieldPath.index(FieldPath.field(p, "subsets"), i);
      String name = str(s, "name");
      if (!names.add(name)) {
        error(FieldPath.field(sp, "name"), "duplicate subset names: " + name);
      }
      report(FieldPath.field(sp, "name"), validateSubsetName(name));
      report(FieldPath.field(sp, "labels"), Names.validateLabels(stringMap(s, "labels")));
      validateTrafficPolicy(get(s, "trafficPolicy"), FieldPath.field(sp, "trafficPolicy"));
    }
    JsonNode selector = get(spec, "workloadSelector");
    validateExportTo(
        namespace, strings(spec, "exportTo"), selector != null, FieldPath.field(p, "exportTo"));
    if (selector != null) {
      String wp = FieldPath.field(p, "workloadSelector");
      SortedMap<String, String> labels = stringMap(selector, "matchLabels");
      labels.forEach(
          (k, v) -> {
            if (k.isEmpty()) {
              error(wp, "empty key is not supported in selector: " + quote(k + "=" + v));
            }
            if (k.contains("*") || v.contains("*")) {
              error(wp, "wildcard is not supported in selector: " + quote(k + "=" + v));
            }
          });
      if (labels.isEmpty()) {
        problems.warning(wp, "workload selector specified without labels");
      }
    }
  }

  private void validateTrafficPolicy(JsonNode tp, String p) {
    if (tp == null) {
      return;
    }
    boolean any = false;
    for (String f :
        List.of(
            "outlierDetection",
            "connectionPool",
            "loadBalancer",
            "tls",
            "portLevelSettings",
            "tunnel",
            "proxyProtocol",
            "retryBudget")) {
      any |= has(tp, f);
    }
    if (!any) {
      error(p, "traffic policy must have at least one field");
      return;
    }
    if (has(tp, "tunnel") && has(tp, "proxyProtocol")) {
      error(p, "tunnel and proxyProtocol must not be set together");
      return;
    }
    validateOutlierDetection(get(tp, "outlierDetection"), FieldPath.field(p, "outlierDetection"));
    validateConnectionPool(get(tp, "connectionPool"), FieldPath.field(p, "connectionPool"));
    validateLoadBalancer(
        get(tp, "loadBalancer"), get(tp, "outlierDetection"), FieldPath.field(p, "loadBalancer"));
    validateClientTls(get(tp, "tls"), FieldPath.field(p, "tls"));
    List<JsonNode> pls = list(tp, "portLevelSettings");
    for (int i = 0; i < pls.size(); i++) {
      JsonNode pl = pls.get(i);
      String pp = FieldPath.index(FieldPath.field(p, "portLevelSettings"), i);
      if (!has(pl, "port")) {
        error(pp, "portTrafficPolicy must have valid port");
      }
      if (!has(pl, "outlierDetection")
          && !has(pl, "connectionPool")
          && !has(pl, "loadBalancer")
          && !has(pl, "tls")) {
        error(pp, "port traffic policy must have at least one field");
      } else {
        validateOutlierDetection(
            get(pl, "outlierDetection"), FieldPath.field(pp, "outlierDetection"));
        validateConnectionPool(get(pl, "connectionPool"), FieldPath.field(pp, "connectionPool"));
        validateLoadBalancer(
            get(pl, "loadBalancer"),
            get(pl, "outlierDetection"),
            FieldPath.field(pp, "loadBalancer"));
        validateClientTls(get(pl, "tls"), FieldPath.field(pp, "tls"));
      }
    }
    JsonNode tunnel = get(tp, "tunnel");
    if (tunnel != null) {
      String tunnelPath = FieldPath.field(p, "tunnel");
      String protocol = str(tunnel, "protocol");
      if (!protocol.isEmpty() && !protocol.equals("CONNECT") && !protocol.equals("POST")) {
        error(
            FieldPath.field(tunnelPath, "protocol"),
            "tunnel protocol must be \"CONNECT\" or \"POST\"");
      }
      String target = str(tunnel, "targetHost");
      String fqdnErr = Names.validateFqdn(target);
      if (fqdnErr != null && !Names.isIpAddress(target)) {
        error(
            FieldPath.field(tunnelPath, "targetHost"),
            "tunnel target host must be valid FQDN or IP address: "
                + fqdnErr
                + "; "
                + target
                + " is not a valid IP");
      }
      String portErr = validatePort(lng(tunnel, "targetPort"));
      if (portErr != null) {
        error(
            FieldPath.field(tunnelPath, "targetPort"), "tunnel target port is invalid: " + portErr);
      }
    }
  }

  private void validateOutlierDetection(JsonNode od, String p) {
    if (od == null) {
      return;
    }
    if (has(od, "baseEjectionTime")) {
      validateDuration(dur(od, "baseEjectionTime"), FieldPath.field(p, "baseEjectionTime"));
    }
    if (!bool(od, "splitExternalLocalOriginErrors")
        && lng(od, "consecutiveLocalOriginFailures") > 0) {
      error(
          FieldPath.field(p, "consecutiveLocalOriginFailures"),
          "outlier detection consecutive local origin failures is specified, but split external"
              + " local origin errors is set to false");
    }
    if (has(od, "interval")) {
      validateDuration(dur(od, "interval"), FieldPath.field(p, "interval"));
    }
    for (String f : List.of("maxEjectionPercent", "minHealthPercent")) {
      long v = lng(od, f);
      if (v < 0 || v > 100) {
        error(FieldPath.field(p, f), "percentage " + v + " is not in range 0..100");
      }
    }
  }

  private void validateConnectionPool(JsonNode cp, String p) {
    if (cp == null) {
      return;
    }
    JsonNode http = get(cp, "http");
    JsonNode tcp = get(cp, "tcp");
    if (http == null && tcp == null) {
      error(p, "connection pool must have at least one field");
      return;
    }
    if (http != null) {
      String hp = FieldPath.field(p, "http");
      nonNegative(
          http, "http1MaxPendingRequests", hp, "http1 max pending requests must be non-negative");
      nonNegative(http, "http2MaxRequests", hp, "http2 max requests must be non-negative");
      nonNegative(
          http, "maxRequestsPerConnection", hp, "max requests per connection must be non-negative");
      nonNegative(http, "maxRetries", hp, "max retries must be non-negative");
      if (has(http, "idleTimeout")) {
        validateDuration(dur(http, "idleTimeout"), FieldPath.field(hp, "idleTimeout"));
      }
      if ("UPGRADE"
              .equals(
                  enumName(get(http, "h2UpgradePolicy"), "DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"))
          && bool(http, "useClientProtocol")) {
        error(hp, "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
      }
      nonNegative(http, "maxConcurrentStreams", hp, "max concurrent streams must be non-negative");
      JsonNode keepalive = get(http, "http2KeepAlive");
      if (keepalive != null) {
        String kp = FieldPath.field(hp, "http2KeepAlive");
        if (!has(keepalive, "interval")) {
          error(kp, "http2 keepalive interval is required");
        } else {
          validateDuration(dur(keepalive, "interval"), FieldPath.field(kp, "interval"));
        }
        if (!has(keepalive, "timeout")) {
          error(kp, "http2 keepalive timeout is required");
        } else {
          validateDuration(dur(keepalive, "timeout"), FieldPath.field(kp, "timeout"));
        }
      }
    }
    if (tcp != null) {
      String tp = FieldPath.field(p, "tcp");
      nonNegative(tcp, "maxConnections", tp, "max connections must be non-negative");
      for (String f : List.of("connectTimeout", "maxConnectionDuration")) {
        if (has(tcp, f)) {
          validateDuration(dur(tcp, f), FieldPath.field(tp, f));
        }
      }
      if (has(tcp, "idleTimeout") && dur(tcp, "idleTimeout").toMillis() != 0) {
        validateDuration(dur(tcp, "idleTimeout"), FieldPath.field(tp, "idleTimeout"));
      }
      JsonNode ka = get(tcp, "tcpKeepalive");
      if (ka != null) {
        for (String f : List.of("time", "interval")) {
          if (has(ka, f)) {
            validateDuration(dur(ka, f), FieldPath.field(FieldPath.field(tp, "tcpKeepalive"), f));
          }
        }
      }
    }
  }

  private void nonNegative(JsonNode n, String field, String parent, String message) {
    if (lng(n, field) < 0) {
      error(FieldPath.field(parent, field), message);
    }
  }

  private void validateLoadBalancer(JsonNode lb, JsonNode outlier, String p) {
    if (lb == null) {
      return;
    }
    JsonNode ch = get(lb, "consistentHash");
    if (ch != null) {
      String cp = FieldPath.field(p, "consistentHash");
      JsonNode cookie = get(ch, "httpCookie");
      if (cookie != null) {
        String cookiePath = FieldPath.field(cp, "httpCookie");
        if (str(cookie, "name").isEmpty()) {
          error(cookiePath, "name required for HttpCookie");
        }
        Set<String> attributeNames = new HashSet<>();
        List<JsonNode> attributes = list(cookie, "attributes");
        for (int i = 0; i < attributes.size(); i++) {
          String name = str(attributes.get(i), "name");
          String ap = FieldPath.index(FieldPath.field(cookiePath, "attributes"), i);
          if (name.isEmpty()) {
            error(ap, "cookie attribute name cannot be empty");
          } else if (!attributeNames.add(name)) {
            error(ap, "duplicate cookie attribute name: " + name);
          }
        }
      }
      if (lng(ch, "minimumRingSize") != 0 && (has(ch, "ringHash") || has(ch, "maglev"))) {
        error(cp, "only one of MinimumRingSize or Maglev/Ringhash can be specified");
      }
      JsonNode maglev = get(ch, "maglev");
      if (maglev != null) {
        String mp = FieldPath.field(FieldPath.field(cp, "maglev"), "tableSize");
        long size = lng(maglev, "tableSize");
        if (size == 0) {
          error(mp, "tableSize must be set for maglev");
        }
        if (size >= 5000011) {
          error(mp, "tableSize must be less than 5000011 for maglev");
        }
        if (!isPrime(size)) {
          error(mp, "tableSize must be a prime number for maglev");
        }
      }
    }
    if (has(lb, "localityLbSetting") && has(lb, "zoneAwareLbSetting")) {
      error(p, "only one of localityLbSetting and zoneAwareLbSetting can be set");
    }
    validateLocalityLbSetting(
        get(lb, "localityLbSetting"), outlier, FieldPath.field(p, "localityLbSetting"));
    JsonNode zoneAware = get(lb, "zoneAwareLbSetting");
    if (zoneAware != null) {
      for (String label : strings(zoneAware, "failoverPriority")) {
        if (TOPOLOGY_LABELS.contains(label)) {
          error(
              FieldPath.field(FieldPath.field(p, "zoneAwareLbSetting"), "failoverPriority"),
              "'failover_priority' for zone aware lb must not use topology label '"
                  + label
                  + "'; region- and zone-level routing are handled automatically");
        }
      }
    }
    JsonNode warmup = get(lb, "warmup");
    if (warmup != null) {
      String wp = FieldPath.field(p, "warmup");
      if (!has(warmup, "duration")) {
        error(wp, "duration is required");
      } else {
        validateDuration(dur(warmup, "duration"), FieldPath.field(wp, "duration"));
      }
      if (dbl(warmup, "minimumPercent") > 100) {
        error(
            FieldPath.field(wp, "minimumPercent"),
            "minimumPercent value should be less than or equal to 100");
      }
      if (has(warmup, "aggression") && dbl(warmup, "aggression") <= 0) {
        error(FieldPath.field(wp, "aggression"), "aggression should be greater than 0");
      }
    }
  }

  private void validateLocalityLbSetting(JsonNode lb, JsonNode outlier, String p) {
    if (lb == null) {
      return;
    }
    List<JsonNode> distribute = list(lb, "distribute");
    List<JsonNode> failover = list(lb, "failover");
    List<String> failoverPriority = strings(lb, "failoverPriority");
    if (!distribute.isEmpty() && !failover.isEmpty()) {
      error(p, "can not simultaneously specify 'distribute' and 'failover'");
      return;
    }
    if (!failover.isEmpty()) {
      for (String label : failoverPriority) {
        if (TOPOLOGY_LABELS.contains(label)) {
          error(
              FieldPath.field(p, "failoverPriority"),
              "can not simultaneously set 'failover' and topology label '"
                  + label
                  + "' in 'failover_priority'");
          return;
        }
      }
    }
    List<String> sources = new ArrayList<>();
    for (int i = 0; i < distribute.size(); i++) {
      JsonNode d = distribute.get(i);
      String dp = FieldPath.index(FieldPath.field(p, "distribute"), i);
      sources.add(str(d, "from"));
      long total = 0;
      SortedMap<String, JsonNode> to = map(d, "to");
      for (JsonNode w : to.values()) {
        long weight = w.asLong();
        if (weight <= 0 || weight > 100) {
          error(FieldPath.field(dp, "to"), "locality weight must be in range [1, 100]");
          return;
        }
        total += weight;
      }
      if (total != 100) {
        error(FieldPath.field(dp, "to"), "total locality weight " + total + " != 100");
        return;
      }
      report(FieldPath.field(dp, "to"), validateLocalities(new ArrayList<>(to.keySet())));
    }
    report(FieldPath.field(p, "distribute"), validateLocalities(sources));
    if ((!failover.isEmpty() || !failoverPriority.isEmpty()) && outlier == null) {
      problems.warning(p, "outlier detection policy must be provided for failover");
    }
    for (int i = 0; i < failover.size(); i++) {
      JsonNode f = failover.get(i);
      String fp = FieldPath.index(FieldPath.field(p, "failover"), i);
      String from = str(f, "from");
      String to = str(f, "to");
      if (from.equals(to)) {
        error(fp, "locality lb failover settings must specify different regions");
      }
      if (from.contains("/") || to.contains("/")) {
        error(fp, "locality lb failover only specify region");
      }
      if (from.contains("*") || to.contains("*")) {
        error(fp, "locality lb failover region should not contain '*' wildcard");
      }
    }
  }

  /** Localities of one distribute list must be well-formed and must not cover each other. */
  private static String validateLocalities(List<String> localities) {
    List<String[]> seen = new ArrayList<>();
    for (String locality : localities) {
      long stars = locality.chars().filter(c -> c == '*').count();
      if (stars > 0 && (stars > 1 || !locality.endsWith("*"))) {
        return "locality "
            + locality
            + " wildcard '*' number can not exceed 1 and must be in the end";
      }
      String[] parts = locality.split("/", 3);
      for (String part : parts) {
        if (part.isEmpty()) {
          return "locality " + locality + " must not contain empty region/zone/subzone info";
        }
      }
      for (String[] previous : seen) {
        boolean overlap = true;
        for (int i = 0; i < Math.min(previous.length, parts.length); i++) {
          if (!previous[i].equals(parts[i]) && !previous[i].equals("*") && !parts[i].equals("*")) {
            overlap = false;
            break;
          }
        }
        if (overlap) {
          return "locality " + locality + " overlap with previous specified ones";
        }
      }
      seen.add(parts);
    }
    return null;
  }

  private void validateClientTls(JsonNode tls, String p) {
    if (tls == null) {
      return;
    }
    String mode = enumName(get(tls, "mode"), "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL");
    boolean simple = mode.equals("SIMPLE");
    boolean mutual = mode.equals("MUTUAL");
    String credentialName = str(tls, "credentialName");
    String caCertificates = str(tls, "caCertificates");
    boolean hasSans = has(tls, "subjectAltNames");
    if (bool(tls, "insecureSkipVerify")) {
      if (simple && (!caCertificates.isEmpty() || !credentialName.isEmpty() || hasSans)) {
        error(
            p,
            "cannot specify CaCertificates or CredentialName or SubjectAltNames when"
                + " InsecureSkipVerify is set true");
      }
      if (mutual && (!caCertificates.isEmpty() || hasSans)) {
        error(
            p,
            "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
      }
    }
    if ((simple || mutual) && !credentialName.isEmpty()) {
      if (!str(tls, "clientCertificate").isEmpty()
          || !caCertificates.isEmpty()
          || !str(tls, "privateKey").isEmpty()
          || !str(tls, "caCrl").isEmpty()) {
        error(
            p,
            "cannot specify client certificates or CA certificate or CA CRL If credentialName is"
                + " set");
      }
      return;
    }
    if (mutual) {
      if (str(tls, "clientCertificate").isEmpty()) {
        error(p, "client certificate required for mutual tls");
      }
      if (str(tls, "privateKey").isEmpty()) {
        error(p, "private key required for mutual tls");
      }
    }
  }

  // ======================================== shared ===========================================

  private void validateExportTo(
      String namespace, List<String> exportTo, boolean drWithSelector, String p) {
    if (exportTo.isEmpty()) {
      return;
    }
    Set<String> set = new LinkedHashSet<>();
    for (int i = 0; i < exportTo.size(); i++) {
      String e = exportTo.get(i);
      String ep = FieldPath.index(p, i);
      String key = e.equals(".") ? namespace : e;
      if (set.contains(key)) {
        error(
            ep,
            key.equals(e)
                ? "duplicate entries in exportTo for entry " + e
                : "duplicate entries in exportTo: . and current namespace " + namespace);
        continue;
      }
      if (key.equals("~")) {
        error(ep, "exportTo ~ (none) is not allowed for Istio configuration objects");
      } else if (!key.equals("*") && !key.equals(".") && !Names.isDns1123Label(key)) {
        error(ep, "only .,*, or a valid DNS 1123 label is allowed as exportTo entry");
      } else {
        set.add(key);
      }
    }
    if (drWithSelector && !set.isEmpty()) {
      if (set.contains(namespace)) {
        if (set.size() > 1) {
          error(
              p,
              "destination rule with workload selector cannot have multiple entries in exportTo");
        }
      } else {
        error(
            p,
            "destination rule with workload selector cannot have exportTo beyond current"
                + " namespace");
      }
    }
    if (set.contains("*") && exportTo.size() > 1) {
      error(p, "cannot have both public (*) and non-public exportTo values for a resource");
    }
  }

  private void validateDuration(Duration d, String p) {
    if (d.compareTo(MS) < 0) {
      error(p, "duration must be greater than 1ms");
    } else if (d.toNanos() % MS.toNanos() != 0) {
      error(p, "only durations to ms precision are supported");
    }
  }

  private static String validatePort(long port) {
    return port >= 1 && port <= 65535
        ? null
        : "port number " + port + " must be in the range 1..65535";
  }

  private static String validateSubsetName(String name) {
    if (name.isEmpty()) {
      return "subset name cannot be empty";
    }
    return Names.isDns1123Label(name) ? null : "subset name is invalid: " + name;
  }

  private static String validateHttpStatus(long status) {
    return status < 200 || status > 600
        ? "HTTP status " + status + " is not in range 200-599"
        : null;
  }

  private static String validatePercentage(JsonNode percentage) {
    if (percentage == null) {
      return null;
    }
    double v = dbl(percentage, "value");
    if (v < 0.0 || v > 100.0 || (v > 0.0 && v < 0.0001)) {
      return "percentage " + goFloat(v) + " is neither 0.0, nor in range [0.0001, 100.0]";
    }
    return null;
  }

  private static String validateStringMatch(JsonNode sm, String where) {
    if (sm == null) {
      return null;
    }
    if (has(sm, "prefix") && str(sm, "prefix").isEmpty()) {
      return quote(where) + ": prefix string match should not be empty";
    }
    return validateStringMatchRegexp(sm, where);
  }

  private static String validateStringMatchRegexp(JsonNode sm, String where) {
    if (sm == null || !has(sm, "regex")) {
      return null;
    }
    String re = str(sm, "regex");
    if (re.isEmpty()) {
      return quote(where) + ": regex string match should not be empty";
    }
    return validateRegexp(re, where);
  }

  private static String validateRegexp(String re, String where) {
    if (re.getBytes(StandardCharsets.UTF_8).length > 1024) {
      return quote(where) + ": regex is too large, max length allowed is 1024";
    }
    try {
      Pattern.compile(re);
      return null;
    } catch (PatternSyntaxException e) {
      return quote(where) + ": " + e.getMessage() + RE2_HINT;
    }
  }

  private static String validateHeaderNameOrJwtClaim(String name) {
    if (name.isEmpty()) {
      return "header name cannot be empty";
    }
    if (name.startsWith(JWT_CLAIM_PREFIX) || PSEUDO_HEADERS.contains(name)) {
      return null;
    }
    return HEADER_NAME.matcher(name).matches()
        ? null
        : "header name " + name + " is not a valid header name";
  }

  private static String validateCorsHeaderName(String name) {
    if (name.isEmpty()) {
      return "header name cannot be empty";
    }
    if (name.equals("*") || HEADER_NAME.matcher(name).matches()) {
      return null;
    }
    return "header name " + name + " is not a valid header name";
  }

  private static String validateHeaderWithAuthorityOperationName(String name) {
    if (name.isEmpty()) {
      return "header name cannot be empty";
    }
    if (isInternalHeader(name) && !isAuthorityHeader(name)) {
      return "invalid header " + quote(name) + ": header cannot have \":\" prefix";
    }
    return null;
  }

  private static String validateHeaderOperationName(String name) {
    if (name.isEmpty()) {
      return "header name cannot be empty";
    }
    if (name.equalsIgnoreCase("host")) {
      return "invalid header " + quote(name) + ": cannot set Host header";
    }
    if (isInternalHeader(name)) {
      return "invalid header " + quote(name) + ": header cannot have \":\" prefix";
    }
    return null;
  }

  private static boolean isInternalHeader(String name) {
    return name.startsWith(":") || name.equalsIgnoreCase("host");
  }

  private static boolean isAuthorityHeader(String name) {
    return name.equalsIgnoreCase(":authority") || name.equalsIgnoreCase("host");
  }

  /**
   * istiod accepts any variable name in a header value, but Envoy knows only its own (all upper
   * case) and rejects the whole route configuration for an unknown one.
   */
  private void warnUnknownHeaderVariables(String path, String value) {
    if (validateHeaderValue(value) != null) {
      return;
    }
    for (String name : HeaderValueSyntax.variableNames(value)) {
      if (!ENVOY_VARIABLE_NAME.matcher(name).matches()) {
        problems.warning(
            path,
            "unknown Envoy variable %"
                + name
                + "% in "
                + quote(value)
                + ": Envoy rejects the route configuration (variable names are upper case,"
                + " e.g. %REQ(x-request-id)% or %HOSTNAME%; write %% for a literal %)");
      }
    }
  }

  private static final Pattern ENVOY_VARIABLE_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

  private static String validateHeaderValue(String value) {
    if (!HEADER_VALUE_CHARS.matcher(value).matches()) {
      return "header value configuration " + value + " is invalid";
    }
    String err = HeaderValueSyntax.check(value);
    return err == null ? null : "header value configuration: " + err;
  }

  /** Whether Go's net/http knows a status text for this code (so retryOn accepts it). */
  private static boolean isHttpStatusWithText(String s) {
    if (!s.matches("[+-]?[0-9]+") || s.length() > 9) {
      return false;
    }
    int c = Integer.parseInt(s);
    return (c >= 100 && c <= 103)
        || (c >= 200 && c <= 208)
        || c == 226
        || (c >= 300 && c <= 308 && c != 306)
        || (c >= 400 && c <= 418)
        || (c >= 421 && c <= 426)
        || c == 428
        || c == 429
        || c == 431
        || c == 451
        || (c >= 500 && c <= 508)
        || c == 510
        || c == 511;
  }

  private static boolean isPrime(long x) {
    if (x != 0 && x < 4) {
      return true;
    }
    if ((x & 1) == 0) {
      return false;
    }
    long limit = (long) Math.sqrt((double) x);
    for (long f = 3; f <= limit; f += 2) {
      if (x % f == 0) {
        return false;
      }
    }
    return true;
  }

  /** host.Name.Matches: the two hosts (either possibly a wildcard) can name the same host. */
  private static boolean hostsMatch(String a, String b) {
    boolean aw = a.startsWith("*");
    boolean bw = b.startsWith("*");
    if (aw && bw) {
      return a.length() > b.length() ? a.endsWith(b.substring(1)) : b.endsWith(a.substring(1));
    }
    if (aw) {
      return b.endsWith(a.substring(1));
    }
    if (bw) {
      return a.endsWith(b.substring(1));
    }
    return a.equals(b);
  }

  /** host.Name.SubsetOf: every host {@code a} names is named by {@code b}. */
  private static boolean hostSubsetOf(String a, String b) {
    boolean aw = a.startsWith("*");
    boolean bw = b.startsWith("*");
    if (aw) {
      return bw && a.substring(1).endsWith(b.substring(1));
    }
    return bw ? a.endsWith(b.substring(1)) : a.equals(b);
  }

  /** Go's %v for a float64: shortest form, integers without a fraction, exponents as e-05. */
  static String goFloat(double v) {
    double abs = Math.abs(v);
    if (v == Math.rint(v) && abs < 1e21) {
      return Long.toString((long) v);
    }
    if (abs >= 1e-4 && abs < 1e21) {
      return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
    String s = Double.toString(v);
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    String mantissa = s.substring(0, e);
    if (mantissa.endsWith(".0")) {
      mantissa = mantissa.substring(0, mantissa.length() - 2);
    }
    int exp = Integer.parseInt(s.substring(e + 1));
    return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }

  /** Go's %v of a string slice: {@code [a b]}. */
  private static String goList(List<String> items) {
    return "[" + String.join(" ", items) + "]";
  }

  private static String quote(String s) {
    return new TextNode(s).toString();
  }

  private static byte[] decodeBase64(String s) {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      return Base64.getUrlDecoder().decode(s);
    }
  }

  private void error(String path, String message) {
    problems.error(path, message);
  }

  private void report(String path, String errorOrNull) {
    if (errorOrNull != null) {
      problems.error(path, errorOrNull);
    }
  }

  // ---- accessors: documents here already have the right shapes ------------------------------

  static JsonNode get(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    return v == null || v.isNull() || v.isMissingNode() ? null : v;
  }

  static boolean has(JsonNode n, String field) {
    return get(n, field) != null;
  }

  static String str(JsonNode n, String field) {
    JsonNode v = get(n, field);
    return v == null ? "" : v.asText();
  }

  static long lng(JsonNode n, String field) {
    JsonNode v = get(n, field);
    return v == null ? 0 : v.asLong();
  }

  static double dbl(JsonNode n, String field) {
    JsonNode v = get(n, field);
    return v == null ? 0 : v.asDouble();
  }

  static boolean bool(JsonNode n, String field) {
    JsonNode v = get(n, field);
    return v != null && v.asBoolean();
  }

  static Duration dur(JsonNode n, String field) {
    return Durations.parse(str(n, field));
  }

  static List<JsonNode> list(JsonNode n, String field) {
    JsonNode v = get(n, field);
    if (v == null) {
      return List.of();
    }
    List<JsonNode> out = new ArrayList<>(v.size());
    v.forEach(out::add);
    return out;
  }

  static List<String> strings(JsonNode n, String field) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : list(n, field)) {
      out.add(e.asText());
    }
    return out;
  }

  /** Map entries sorted by key, so diagnostics come out in a stable order. */
  static SortedMap<String, JsonNode> map(JsonNode n, String field) {
    SortedMap<String, JsonNode> out = new TreeMap<>();
    JsonNode v = get(n, field);
    if (v != null) {
      for (Map.Entry<String, JsonNode> e : v.properties()) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  static SortedMap<String, String> stringMap(JsonNode n, String field) {
    SortedMap<String, String> out = new TreeMap<>();
    map(n, field).forEach((k, v) -> out.put(k, v.isNull() ? "" : v.asText()));
    return out;
  }

  /** An enum value written as its name or its number; the first value when unset. */
  static String enumName(JsonNode v, String... values) {
    if (v == null) {
      return values[0];
    }
    if (v.isIntegralNumber()) {
      int i = v.asInt();
      return i >= 0 && i < values.length ? values[i] : values[0];
    }
    return v.asText();
  }

  static String enumName(JsonNode v, EnumType type) {
    return enumName(v, type.values().toArray(new String[0]));
  }
}
