package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.jpilot.model.config.ConfigKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One outbound filter chain before it becomes protobuf (istiod's filterChainOpts): its match (SNI
 * hosts, destination CIDRs, ALPN, transport) and either an HTTP connection manager using RDS {@code
 * rds} or a list of network filters.
 *
 * @param config the VirtualService the chain came from, for its config metadata
 */
record OutboundChain(
    List<String> sniHosts,
    List<String> destinationCidrs,
    List<String> applicationProtocols,
    String transportProtocol,
    Optional<ConfigKey> config,
    Optional<String> rds,
    List<Filter> networkFilters) {
  OutboundChain {
    sniHosts = List.copyOf(sniHosts);
    destinationCidrs = List.copyOf(destinationCidrs);
    applicationProtocols = List.copyOf(applicationProtocols);
    requireNonNull(transportProtocol, "transportProtocol");
    requireNonNull(config, "config");
    requireNonNull(rds, "rds");
    networkFilters = List.copyOf(networkFilters);
  }

  static OutboundChain http(String rds) {
    return new OutboundChain(
        List.of(), List.of(), List.of(), "", Optional.empty(), Optional.of(rds), List.of());
  }

  static OutboundChain tcp(
      List<String> sniHosts,
      List<String> cidrs,
      Optional<ConfigKey> config,
      List<Filter> networkFilters) {
    return new OutboundChain(
        sniHosts, cidrs, List.of(), "", config, Optional.empty(), networkFilters);
  }

  /** This chain matching only plaintext HTTP as the http_inspector reports it. */
  OutboundChain sniffedHttp() {
    return new OutboundChain(
        sniHosts,
        destinationCidrs,
        SidecarNames.PLAINTEXT_HTTP_ALPNS,
        SidecarNames.RAW_BUFFER,
        config,
        rds,
        networkFilters);
  }

  boolean isHttp() {
    return rds.isPresent();
  }

  /** istiod's isMatchAll: no condition left (a {@code *} SNI counts as none). */
  boolean matchesAll() {
    return (sniHosts.isEmpty() || sniHosts.contains("*"))
        && applicationProtocols.isEmpty()
        && transportProtocol.isEmpty()
        && destinationCidrs.isEmpty();
  }

  /** istiod's conflictsWith: two chains Envoy could not tell apart. */
  boolean conflictsWith(OutboundChain other) {
    return transportProtocol.equals(other.transportProtocol)
        && applicationProtocols.equals(other.applicationProtocols)
        && sniSet(sniHosts).equals(sniSet(other.sniHosts))
        && cidrSet(destinationCidrs).equals(cidrSet(other.destinationCidrs));
  }

  private static Set<String> sniSet(List<String> sni) {
    Set<String> out = new TreeSet<>(sni);
    out.remove("*");
    return out;
  }

  private static Set<String> cidrSet(List<String> cidrs) {
    Set<String> out = new TreeSet<>();
    for (String c : cidrs) {
      CidrRange r = cidr(c);
      if (r != null && !r.getAddressPrefix().equals(IstioNames.WILDCARD_ADDRESS)) {
        out.add(masked(r));
      }
    }
    return out;
  }

  /** istiod's toFilterChainMatch: SNI and CIDRs sorted, a {@code *} SNI dropped. */
  FilterChainMatch toMatch() {
    FilterChainMatch.Builder m =
        FilterChainMatch.newBuilder()
            .addAllApplicationProtocols(applicationProtocols)
            .setTransportProtocol(transportProtocol);
    if (!sniHosts.isEmpty() && !sniHosts.contains("*")) {
      m.addAllServerNames(new TreeSet<>(sniHosts));
    }
    List<String> sorted = new ArrayList<>(destinationCidrs);
    sorted.sort(null);
    for (String d : sorted) {
      CidrRange r = cidr(d);
      if (r != null && !r.getAddressPrefix().equals(IstioNames.WILDCARD_ADDRESS)) {
        m.addPrefixRanges(r);
      }
    }
    return m.build();
  }

  /** istiod's ConvertAddressToCidr: {@code a.b.c.d} is /32, an IPv6 address /128. */
  static CidrRange cidr(String addr) {
    String ip = addr;
    int len;
    int slash = addr.indexOf('/');
    if (slash >= 0) {
      ip = addr.substring(0, slash);
      try {
        len = Integer.parseInt(addr.substring(slash + 1));
      } catch (NumberFormatException e) {
        return null;
      }
    } else {
      len = ip.contains(":") ? 128 : 32;
    }
    if (!IstioNames.isIpLiteral(ip)) {
      return null;
    }
    return CidrRange.newBuilder().setAddressPrefix(ip).setPrefixLen(XdsProtos.uint32(len)).build();
  }

  private static String masked(CidrRange r) {
    byte[] bytes;
    try {
      bytes = java.net.InetAddress.getByName(r.getAddressPrefix()).getAddress();
    } catch (java.net.UnknownHostException e) {
      return r.getAddressPrefix() + "/" + r.getPrefixLen().getValue();
    }
    int bits = r.getPrefixLen().getValue();
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      bytes[i] = (byte) (bytes[i] & (0xff << (8 - keep)));
    }
    try {
      return java.net.InetAddress.getByAddress(bytes).getHostAddress() + "/" + bits;
    } catch (java.net.UnknownHostException e) {
      return r.getAddressPrefix() + "/" + bits;
    }
  }

  /** Filter-chain metadata naming the VirtualService, as istiod's BuildConfigInfoMetadata. */
  Optional<io.envoyproxy.envoy.config.core.v3.Metadata> metadata() {
    return config.map(
        vs -> {
          java.util.SortedMap<String, com.google.protobuf.Value> fields = new java.util.TreeMap<>();
          fields.put(
              "config",
              XdsProtos.string(
                  IstioNames.configPath("virtual-service", vs.namespace(), vs.name())));
          return XdsProtos.istioMetadata(fields);
        });
  }
}
