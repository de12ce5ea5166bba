package io.jpilot.translate;

import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.ListMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.OrMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.StringMatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * istiod's TranslateRouteMatch: an HTTPMatchRequest as an Envoy RouteMatch.
 *
 * <ul>
 *   <li>the path: exact → {@code path}, prefix → {@code prefix}, regex → {@code safe_regex}; the
 *       default is prefix {@code /}; {@code case_sensitive} is always set, to !ignoreUriCase;
 *   <li>headers and withoutHeaders (inverted, with {@code treat_missing_header_as_empty} unless the
 *       match is a presence check), sorted by name, then {@code :method}, {@code :authority},
 *       {@code :scheme}; an empty StringMatch or regex {@code *} is {@code present_match};
 *   <li>{@code @request.auth.claims.*} keys become JWT-claim {@code dynamic_metadata} matchers;
 *   <li>query parameters, by name.
 * </ul>
 */
final class RouteMatchTranslator {
  static final String HEADER_METHOD = ":method";
  static final String HEADER_AUTHORITY = ":authority";
  static final String HEADER_SCHEME = ":scheme";
  static final String JWT_FILTER = "envoy.filters.http.jwt_authn";
  static final String JWT_PAYLOAD = "payload";
  private static final String JWT_CLAIM_HEADER = "@request.auth.claims";

  private static final Comparator<HeaderMatcher> BY_NAME =
      Comparator.comparing(HeaderMatcher::getName);

  /** No match at all: prefix "/" (immutable, so every such route shares it). */
  private static final RouteMatch PREFIX_ROOT = RouteMatch.newBuilder().setPrefix("/").build();

  private RouteMatchTranslator() {}

  static RouteMatch match(Optional<HttpMatch> match) {
    if (match.isEmpty()) {
      return PREFIX_ROOT;
    }
    RouteMatch.Builder m = RouteMatch.newBuilder().setPrefix("/");
    HttpMatch in = match.get();
    List<HeaderMatcher> headers =
        in.headers().isEmpty() && in.withoutHeaders().isEmpty() ? List.of() : new ArrayList<>();
    for (Map.Entry<String, StringMatch> h : in.headers().entrySet()) {
      Optional<MetadataMatcher> claim = jwtClaimMatcher(h.getKey(), h.getValue());
      if (claim.isPresent()) {
        m.addDynamicMetadata(claim.get());
      } else {
        headers.add(headerMatcher(h.getKey(), h.getValue()));
      }
    }
    for (Map.Entry<String, StringMatch> h : in.withoutHeaders().entrySet()) {
      Optional<MetadataMatcher> claim = jwtClaimMatcher(h.getKey(), h.getValue());
      if (claim.isPresent()) {
        m.addDynamicMetadata(claim.get().toBuilder().setInvert(true));
      } else {
        HeaderMatcher.Builder hm = headerMatcher(h.getKey(), h.getValue()).toBuilder();
        hm.setInvertMatch(true);
        if (!isPresentMatch(h.getValue())) {
          hm.setTreatMissingHeaderAsEmpty(true);
        }
        headers.add(hm.build());
      }
    }
    if (headers.size() > 1) {
      headers.sort(BY_NAME);
    }
    // one by one: addAll would copy the list through a null check and grow the field's list
    for (HeaderMatcher h : headers) {
      m.addHeaders(h);
    }
    if (in.uri().isPresent()) {
      StringMatch uri = in.uri().get();
      switch (uri.kind()) {
        case EXACT:
          m.setPath(uri.value());
          break;
        case PREFIX:
          m.setPrefix(uri.value());
          break;
        case REGEX:
          m.setSafeRegex(RegexMatcher.newBuilder().setRegex(uri.value()));
          break;
        default:
          break;
      }
    }
    m.setCaseSensitive(XdsProtos.bool(!in.ignoreUriCase()));
    if (in.method().isPresent()) {
      m.addHeaders(headerMatcher(HEADER_METHOD, in.method().get()));
    }
    if (in.authority().isPresent()) {
      m.addHeaders(headerMatcher(HEADER_AUTHORITY, in.authority().get()));
    }
    if (in.scheme().isPresent()) {
      m.addHeaders(headerMatcher(HEADER_SCHEME, in.scheme().get()));
    }
    for (Map.Entry<String, StringMatch> q : in.queryParams().entrySet()) {
      m.addQueryParameters(queryParameterMatcher(q.getKey(), q.getValue()));
    }
    return m.build();
  }

  /** istiod's canBeConvertedToPresentMatch: an empty StringMatch, or the regex {@code *}. */
  static boolean isPresentMatch(StringMatch sm) {
    return sm.kind() == StringMatch.Kind.PRESENT
        || (sm.kind() == StringMatch.Kind.REGEX && sm.value().equals("*"));
  }

  static HeaderMatcher headerMatcher(String name, StringMatch sm) {
    HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(name);
    if (isPresentMatch(sm)) {
      return h.setPresentMatch(true).build();
    }
    return h.setStringMatch(stringMatcher(sm)).build();
  }

  static QueryParameterMatcher queryParameterMatcher(String name, StringMatch sm) {
    QueryParameterMatcher.Builder q = QueryParameterMatcher.newBuilder().setName(name);
    if (isPresentMatch(sm)) {
      return q.setPresentMatch(true).build();
    }
    return q.setStringMatch(stringMatcher(sm)).build();
  }

  /** istiod's util.ConvertToEnvoyMatch for exact, prefix and regex. */
  static StringMatcher stringMatcher(StringMatch sm) {
    StringMatcher.Builder s = StringMatcher.newBuilder();
    switch (sm.kind()) {
      case EXACT:
        s.setExact(sm.value());
        break;
      case PREFIX:
        s.setPrefix(sm.value());
        break;
      case REGEX:
        s.setSafeRegex(RegexMatcher.newBuilder().setRegex(sm.value()));
        break;
      default:
        throw new IllegalArgumentException(
            "string match: " + sm + " (expected: exact, prefix or regex)");
    }
    return s.build();
  }

  /**
   * istiod's translateMetadataMatch: {@code @request.auth.claims.a.b} or {@code
   * @request.auth.claims[a][b]} matches the JWT claim {@code a.b} in the jwt_authn filter's {@code
   * payload} metadata, either as one of a list or as the value itself.
   */
  static Optional<MetadataMatcher> jwtClaimMatcher(String headerName, StringMatch sm) {
    Optional<List<String>> claims = routingClaims(headerName);
    if (claims.isEmpty()) {
      return Optional.empty();
    }
    // istiod leaves a presence check's string matcher empty; a present_match says the same validly
    ValueMatcher value =
        isPresentMatch(sm)
            ? ValueMatcher.newBuilder().setPresentMatch(true).build()
            : ValueMatcher.newBuilder().setStringMatch(stringMatcher(sm)).build();
    MetadataMatcher.Builder mm = MetadataMatcher.newBuilder().setFilter(JWT_FILTER);
    mm.addPath(MetadataMatcher.PathSegment.newBuilder().setKey(JWT_PAYLOAD));
    for (String c : claims.get()) {
      mm.addPath(MetadataMatcher.PathSegment.newBuilder().setKey(c));
    }
    ValueMatcher listMatch =
        ValueMatcher.newBuilder().setListMatch(ListMatcher.newBuilder().setOneOf(value)).build();
    mm.setValue(
        ValueMatcher.newBuilder()
            .setOrMatch(
                OrMatcher.newBuilder().addValueMatchers(listMatch).addValueMatchers(value)));
    return Optional.of(mm.build());
  }

  /** istiod's jwt.ToRoutingClaim: the claim path of a routing header, if it is one. */
  static Optional<List<String>> routingClaims(String headerName) {
    // only a name starting with '@' lower-cases to one that does: most names stop here
    if (headerName.isEmpty() || headerName.charAt(0) != '@') {
      return Optional.empty();
    }
    if (!headerName.toLowerCase(Locale.ROOT).startsWith(JWT_CLAIM_HEADER)) {
      return Optional.empty();
    }
    String name = headerName.substring(JWT_CLAIM_HEADER.length());
    if (name.startsWith(".") && name.length() > 1) {
      return Optional.of(Arrays.asList(name.substring(1).split("\\.", -1)));
    }
    if (name.startsWith("[") && name.endsWith("]") && name.length() > 2) {
      return Optional.of(Arrays.asList(name.substring(1, name.length() - 1).split("\\]\\[", -1)));
    }
    return Optional.empty();
  }
}
