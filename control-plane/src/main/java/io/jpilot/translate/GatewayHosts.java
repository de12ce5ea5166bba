package io.jpilot.translate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * istiod's host name algebra (pkg/config/host) as gateways use it: wildcard subsets, the
 * intersection of server and VirtualService hosts, namespace-qualified server hosts, and the "more
 * specific first" order.
 */
final class GatewayHosts {
  private GatewayHosts() {}

  /** Longest first, alphabetically among equals, wildcards after the rest (host.MoreSpecific). */
  static final Comparator<String> MORE_SPECIFIC_FIRST =
      (a, b) -> {
        boolean aw = a.startsWith("*");
        boolean bw = b.startsWith("*");
        if (aw != bw) {
          return aw ? 1 : -1;
        }
        if (a.length() != b.length()) {
          return Integer.compare(b.length(), a.length());
        }
        return a.compareTo(b);
      };

  static boolean isWildcard(String h) {
    return h.startsWith("*");
  }

  /** host.Name.SubsetOf: {@code n} is covered by {@code o}. */
  static boolean subsetOf(String n, String o) {
    boolean nw = isWildcard(n);
    boolean ow = isWildcard(o);
    if (nw) {
      if (ow) {
        return n.length() >= o.length() && n.substring(1).endsWith(o.substring(1));
      }
      return false;
    }
    if (ow) {
      return n.endsWith(o.substring(1));
    }
    return n.equals(o);
  }

  /** host.Name.Matches: either covers the other. */
  static boolean matches(String a, String b) {
    return subsetOf(a, b) || subsetOf(b, a);
  }

  /** host.Names.Intersection: the more specific of each overlapping pair, without repeats. */
  static List<String> intersection(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>();
    for (String x : a) {
      for (String y : b) {
        String pick = null;
        if (subsetOf(x, y)) {
          pick = x;
        } else if (subsetOf(y, x)) {
          pick = y;
        }
        if (pick != null && !out.contains(pick)) {
          out.add(pick);
        }
      }
    }
    return out;
  }

  /**
   * host.NamesForNamespace: the hosts visible to {@code namespace}, namespace prefix stripped
   * ({@code ns/h} only for that namespace, {@code *}{@code /h} and bare {@code h} for all).
   */
  static List<String> forNamespace(List<String> hosts, String namespace) {
    List<String> out = new ArrayList<>();
    for (String h : hosts) {
      int slash = h.indexOf('/');
      if (slash >= 0) {
        String ns = h.substring(0, slash);
        if (!ns.equals(namespace) && !ns.equals("*")) {
          continue;
        }
        h = h.substring(slash + 1);
      }
      out.add(h);
    }
    return out;
  }
}
