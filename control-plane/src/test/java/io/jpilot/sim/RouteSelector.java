package io.jpilot.sim;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Envoy's HTTP routing inside one route configuration: the virtual host by the request's host, then
 * the first route whose match accepts the request.
 */
final class RouteSelector {
  private RouteSelector() {}

  /**
   * Envoy's virtual host search: an exact domain, else the longest suffix wildcard ({@code
   * *.example.com}, {@code *-bar.example.com}), else the longest prefix wildcard ({@code
   * example.*}), else {@code *}. Wildcards match at least one character. Domains compare
   * case-insensitively.
   */
  static Optional<VirtualHost> virtualHost(RouteConfiguration rc, String host) {
    String h = host.toLowerCase(Locale.ROOT);
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      for (String d : vh.getDomainsList()) {
        if (!d.equals("*") && d.toLowerCase(Locale.ROOT).equals(h)) {
          return Optional.of(vh);
        }
      }
    }
    VirtualHost best = null;
    int longest = 0;
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      for (String raw : vh.getDomainsList()) {
        String d = raw.toLowerCase(Locale.ROOT);
        if (d.length() > 1 && d.startsWith("*")) {
          String suffix = d.substring(1);
          if (h.length() > suffix.length() && h.endsWith(suffix) && d.length() > longest) {
            best = vh;
            longest = d.length();
          }
        }
      }
    }
    if (best != null) {
      return Optional.of(best);
    }
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      for (String raw : vh.getDomainsList()) {
        String d = raw.toLowerCase(Locale.ROOT);
        if (d.length() > 1 && d.endsWith("*")) {
          String prefix = d.substring(0, d.length() - 1);
          if (h.length() > prefix.length() && h.startsWith(prefix) && d.length() > longest) {
            best = vh;
            longest = d.length();
          }
        }
      }
    }
    if (best != null) {
      return Optional.of(best);
    }
    for (VirtualHost vh : rc.getVirtualHostsList()) {
      if (vh.getDomainsList().contains("*")) {
        return Optional.of(vh);
      }
    }
    return Optional.empty();
  }

  /** The first route, in order, whose match accepts the request. */
  static Optional<Route> route(VirtualHost vh, Call call) {
    for (Route r : vh.getRoutesList()) {
      if (matches(r.getMatch(), call)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  static boolean matches(RouteMatch m, Call call) {
    boolean caseSensitive = !m.hasCaseSensitive() || m.getCaseSensitive().getValue();
    String fullPath = call.path();
    String path = pathOnly(fullPath);
    switch (m.getPathSpecifierCase()) {
      case PREFIX:
        if (!startsWith(fullPath, m.getPrefix(), caseSensitive)) {
          return false;
        }
        break;
      case PATH:
        if (!(caseSensitive ? path.equals(m.getPath()) : path.equalsIgnoreCase(m.getPath()))) {
          return false;
        }
        break;
      case SAFE_REGEX:
        if (!fullMatch(m.getSafeRegex().getRegex(), path)) {
          return false;
        }
        break;
      case PATH_SEPARATED_PREFIX:
        {
          String p = m.getPathSeparatedPrefix();
          boolean eq = caseSensitive ? path.equals(p) : path.equalsIgnoreCase(p);
          if (!eq && !startsWith(path, p + "/", caseSensitive)) {
            return false;
          }
          break;
        }
      case CONNECT_MATCHER:
        if (!call.method().equals("CONNECT")) {
          return false;
        }
        break;
      default:
        throw new IllegalArgumentException(
            "route match " + m.getPathSpecifierCase() + " is not simulated");
    }
    for (HeaderMatcher h : m.getHeadersList()) {
      if (!headerMatches(h, call)) {
        return false;
      }
    }
    if (!m.getQueryParametersList().isEmpty()) {
      Map<String, String> query = query(fullPath);
      for (QueryParameterMatcher q : m.getQueryParametersList()) {
        String v = query.get(q.getName());
        boolean ok;
        if (q.hasStringMatch()) {
          ok = v != null && stringMatches(q.getStringMatch(), v);
        } else {
          ok = v != null; // present_match
        }
        if (!ok) {
          return false;
        }
      }
    }
    if (m.hasGrpc()) {
      String ct = call.header("content-type");
      if (ct == null || !ct.startsWith("application/grpc")) {
        return false;
      }
    }
    if (m.hasRuntimeFraction() && m.getRuntimeFraction().getDefaultValue().getNumerator() == 0) {
      return false;
    }
    return true;
  }

  /** Envoy's HeaderUtility::matchHeaders for one matcher. */
  static boolean headerMatches(HeaderMatcher h, Call call) {
    String value = call.header(h.getName());
    boolean result;
    if (h.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.PRESENT_MATCH) {
      result = (value != null) == h.getPresentMatch();
    } else if (value == null && !h.getTreatMissingHeaderAsEmpty()) {
      // an absent header matches nothing; only inverting makes it match
      return h.getInvertMatch();
    } else {
      String v = value == null ? "" : value;
      switch (h.getHeaderMatchSpecifierCase()) {
        case EXACT_MATCH:
          result = v.equals(h.getExactMatch());
          break;
        case SAFE_REGEX_MATCH:
          result = fullMatch(h.getSafeRegexMatch().getRegex(), v);
          break;
        case RANGE_MATCH:
          try {
            long n = Long.parseLong(v);
            result = n >= h.getRangeMatch().getStart() && n < h.getRangeMatch().getEnd();
          } catch (NumberFormatException e) {
            result = false;
          }
          break;
        case PREFIX_MATCH:
          result = v.startsWith(h.getPrefixMatch());
          break;
        case SUFFIX_MATCH:
          result = v.endsWith(h.getSuffixMatch());
          break;
        case CONTAINS_MATCH:
          result = v.contains(h.getContainsMatch());
          break;
        case STRING_MATCH:
          result = stringMatches(h.getStringMatch(), v);
          break;
        case HEADERMATCHSPECIFIER_NOT_SET:
          // no specifier: the header only has to be present
          result = value != null;
          break;
        default:
          throw new IllegalArgumentException(
              "header match " + h.getHeaderMatchSpecifierCase() + " is not simulated");
      }
    }
    return h.getInvertMatch() != result;
  }

  static boolean stringMatches(StringMatcher m, String value) {
    boolean ic = m.getIgnoreCase();
    String v = ic ? value.toLowerCase(Locale.ROOT) : value;
    switch (m.getMatchPatternCase()) {
      case EXACT:
        return v.equals(ic ? m.getExact().toLowerCase(Locale.ROOT) : m.getExact());
      case PREFIX:
        return v.startsWith(ic ? m.getPrefix().toLowerCase(Locale.ROOT) : m.getPrefix());
      case SUFFIX:
        return v.endsWith(ic ? m.getSuffix().toLowerCase(Locale.ROOT) : m.getSuffix());
      case CONTAINS:
        return v.contains(ic ? m.getContains().toLowerCase(Locale.ROOT) : m.getContains());
      case SAFE_REGEX:
        return fullMatch(m.getSafeRegex().getRegex(), value);
      default:
        throw new IllegalArgumentException(
            "string match " + m.getMatchPatternCase() + " is not simulated");
    }
  }

  /** Envoy's safe_regex is RE2 and must match the whole value. */
  static boolean fullMatch(String regex, String value) {
    try {
      return Pattern.compile(regex).matches(value);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid RE2 regex " + regex + ": " + e.getMessage(), e);
    }
  }

  static String pathOnly(String path) {
    int q = path.indexOf('?');
    int f = path.indexOf('#');
    int end = path.length();
    if (q >= 0) {
      end = q;
    }
    if (f >= 0 && f < end) {
      end = f;
    }
    return path.substring(0, end);
  }

  /** Query parameters in order of appearance; the first value of a repeated name wins. */
  static Map<String, String> query(String path) {
    Map<String, String> out = new LinkedHashMap<>();
    int q = path.indexOf('?');
    if (q < 0) {
      return out;
    }
    String qs = path.substring(q + 1);
    int f = qs.indexOf('#');
    if (f >= 0) {
      qs = qs.substring(0, f);
    }
    List<String> parts = new ArrayList<>(List.of(qs.split("&")));
    for (String p : parts) {
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq);
      String value = eq < 0 ? "" : p.substring(eq + 1);
      out.putIfAbsent(name, value);
    }
    return out;
  }

  private static boolean startsWith(String s, String prefix, boolean caseSensitive) {
    return caseSensitive
        ? s.startsWith(prefix)
        : s.regionMatches(true, 0, prefix, 0, prefix.length());
  }
}
