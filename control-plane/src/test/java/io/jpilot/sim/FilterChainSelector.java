package io.jpilot.sim;

import com.google.common.net.InetAddresses;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Envoy's filter chain selection: a sieve over the FilterChainMatch criteria in Envoy's order
 * (destination port, destination IP, server name, transport protocol, application protocols, direct
 * source IP, source type, source IP, source port). At each step the chains whose criterion matches
 * (the most specific match for IP ranges and server names) survive; only when none does, the chains
 * that leave the criterion empty survive.
 */
final class FilterChainSelector {
  private FilterChainSelector() {}

  /** What the listener filters learned about a connection. */
  record Connection(
      String destinationAddress,
      int destinationPort,
      String serverName,
      String transportProtocol,
      List<String> applicationProtocols,
      String sourceAddress,
      int sourcePort) {}

  static List<FilterChain> select(List<FilterChain> chains, Connection c) {
    List<FilterChain> out = chains;
    out =
        sieve(
            out,
            m -> !m.hasDestinationPort(),
            m -> m.getDestinationPort().getValue() == c.destinationPort());
    out = mostSpecificCidr(out, FilterChainMatch::getPrefixRangesList, c.destinationAddress());
    out = serverName(out, c.serverName());
    out =
        sieve(
            out,
            m -> m.getTransportProtocol().isEmpty(),
            m -> m.getTransportProtocol().equals(c.transportProtocol()));
    out = applicationProtocols(out, c.applicationProtocols());
    out =
        mostSpecificCidr(out, FilterChainMatch::getDirectSourcePrefixRangesList, c.sourceAddress());
    out =
        sieve(
            out,
            m -> m.getSourceType() == FilterChainMatch.ConnectionSourceType.ANY,
            m -> sourceTypeMatches(m.getSourceType(), c));
    out = mostSpecificCidr(out, FilterChainMatch::getSourcePrefixRangesList, c.sourceAddress());
    out =
        sieve(
            out,
            m -> m.getSourcePortsList().isEmpty(),
            m -> m.getSourcePortsList().contains(c.sourcePort()));
    return out;
  }

  private static List<FilterChain> sieve(
      List<FilterChain> chains,
      Predicate<FilterChainMatch> empty,
      Predicate<FilterChainMatch> hit) {
    List<FilterChain> matched = new ArrayList<>();
    for (FilterChain fc : chains) {
      FilterChainMatch m = fc.getFilterChainMatch();
      if (!empty.test(m) && hit.test(m)) {
        matched.add(fc);
      }
    }
    if (!matched.isEmpty()) {
      return matched;
    }
    List<FilterChain> unset = new ArrayList<>();
    for (FilterChain fc : chains) {
      if (empty.test(fc.getFilterChainMatch())) {
        unset.add(fc);
      }
    }
    return unset;
  }

  private static List<FilterChain> mostSpecificCidr(
      List<FilterChain> chains,
      Function<FilterChainMatch, List<CidrRange>> ranges,
      String address) {
    InetAddress ip = parse(address);
    int best = -1;
    List<FilterChain> matched = new ArrayList<>();
    List<FilterChain> unset = new ArrayList<>();
    for (FilterChain fc : chains) {
      List<CidrRange> rs = ranges.apply(fc.getFilterChainMatch());
      if (rs.isEmpty()) {
        unset.add(fc);
        continue;
      }
      int len = -1;
      for (CidrRange r : rs) {
        if (ip != null && contains(r, ip)) {
          len = Math.max(len, r.getPrefixLen().getValue());
        }
      }
      if (len < 0) {
        continue;
      }
      if (len > best) {
        best = len;
        matched.clear();
      }
      if (len == best) {
        matched.add(fc);
      }
    }
    return matched.isEmpty() ? unset : matched;
  }

  /** Exact server name first, then the longest {@code *.suffix} wildcard, then chains without. */
  private static List<FilterChain> serverName(List<FilterChain> chains, String sni) {
    String name = sni.toLowerCase(Locale.ROOT);
    if (!name.isEmpty()) {
      List<FilterChain> exact = withServerName(chains, name);
      if (!exact.isEmpty()) {
        return exact;
      }
      String rest = name;
      int dot;
      while ((dot = rest.indexOf('.')) >= 0) {
        rest = rest.substring(dot + 1);
        List<FilterChain> wild = withServerName(chains, "*." + rest);
        if (!wild.isEmpty()) {
          return wild;
        }
      }
    }
    List<FilterChain> unset = new ArrayList<>();
    for (FilterChain fc : chains) {
      if (fc.getFilterChainMatch().getServerNamesList().isEmpty()) {
        unset.add(fc);
      }
    }
    return unset;
  }

  private static List<FilterChain> withServerName(List<FilterChain> chains, String name) {
    List<FilterChain> out = new ArrayList<>();
    for (FilterChain fc : chains) {
      for (String s : fc.getFilterChainMatch().getServerNamesList()) {
        if (s.toLowerCase(Locale.ROOT).equals(name)) {
          out.add(fc);
          break;
        }
      }
    }
    return out;
  }

  /** The first protocol the client offers that some chain lists wins; else chains without. */
  private static List<FilterChain> applicationProtocols(
      List<FilterChain> chains, List<String> offered) {
    for (String alpn : offered) {
      List<FilterChain> out = new ArrayList<>();
      for (FilterChain fc : chains) {
        if (fc.getFilterChainMatch().getApplicationProtocolsList().contains(alpn)) {
          out.add(fc);
        }
      }
      if (!out.isEmpty()) {
        return out;
      }
    }
    List<FilterChain> unset = new ArrayList<>();
    for (FilterChain fc : chains) {
      if (fc.getFilterChainMatch().getApplicationProtocolsList().isEmpty()) {
        unset.add(fc);
      }
    }
    return unset;
  }

  private static boolean sourceTypeMatches(
      FilterChainMatch.ConnectionSourceType type, Connection c) {
    InetAddress src = parse(c.sourceAddress());
    boolean local =
        src != null
            && (src.isLoopbackAddress() || c.sourceAddress().equals(c.destinationAddress()));
    switch (type) {
      case SAME_IP_OR_LOOPBACK:
        return local;
      case EXTERNAL:
        return !local;
      default:
        return true;
    }
  }

  static boolean contains(CidrRange range, InetAddress ip) {
    InetAddress net = parse(range.getAddressPrefix());
    if (net == null || net.getAddress().length != ip.getAddress().length) {
      return false;
    }
    byte[] a = net.getAddress();
    byte[] b = ip.getAddress();
    int bits = Math.min(range.getPrefixLen().getValue(), a.length * 8);
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >> (i % 8);
      if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  static InetAddress parse(String address) {
    String a = address.startsWith("[") ? address.substring(1, address.length() - 1) : address;
    return InetAddresses.isInetAddress(a) ? InetAddresses.forString(a) : null;
  }
}
