package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import java.util.Objects;
import java.util.Optional;

/**
 * istiod's outbound subset key, {@code outbound|<port>|<subset>|<fqdn>} ({@code
 * model.BuildSubsetKey}); the subset is empty for a service's default cluster. It names outbound
 * clusters, their EDS resources and, for proxyless gRPC, route configurations.
 */
final class ClusterKey {
  static final String OUTBOUND = "outbound";

  private final int port;
  private final String subset;
  private final String host;

  /** The name, built once: clusters, routes and endpoints all ask for it. */
  private final String name;

  ClusterKey(int port, String subset, String host) {
    requireNonNull(subset, "subset");
    requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    this.port = port;
    this.subset = subset;
    this.host = host;
    this.name = OUTBOUND + "|" + port + "|" + subset + "|" + host;
  }

  int port() {
    return port;
  }

  String subset() {
    return subset;
  }

  String host() {
    return host;
  }

  static ClusterKey of(String host, int port) {
    return new ClusterKey(port, "", host);
  }

  String name() {
    return name;
  }

  /** Whether {@link #parse} of {@link #name} gives this key back (no '|' inside, a host). */
  boolean parsesBack() {
    return !host.isEmpty() && host.indexOf('|') < 0 && subset.indexOf('|') < 0;
  }

  boolean hasSubset() {
    return !subset.isEmpty();
  }

  ClusterKey withoutSubset() {
    return hasSubset() ? new ClusterKey(port, "", host) : this;
  }

  ClusterKey withSubset(String s) {
    return new ClusterKey(port, s, host);
  }

  /** istiod's DNS-SRV form, {@code outbound_.<port>_.<subset>_.<fqdn>} (SNI-DNAT gateway clusters). */
  String sniName() {
    return "outbound_." + port + "_." + subset + "_." + host;
  }

  /** Parses the DNS-SRV form {@code outbound_.<port>_.<subset>_.<fqdn>}; anything else is empty. */
  static Optional<ClusterKey> parseSniName(String name) {
    String prefix = "outbound_.";
    if (!name.startsWith(prefix)) {
      return Optional.empty();
    }
    int portEnd = name.indexOf("_.", prefix.length());
    if (portEnd < 0) {
      return Optional.empty();
    }
    int subsetEnd = name.indexOf("_.", portEnd + 2);
    if (subsetEnd < 0 || subsetEnd + 2 >= name.length()) {
      return Optional.empty();
    }
    int port;
    try {
      port = Integer.parseInt(name.substring(prefix.length(), portEnd));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (port < 1 || port > 65535) {
      return Optional.empty();
    }
    return Optional.of(
        new ClusterKey(port, name.substring(portEnd + 2, subsetEnd), name.substring(subsetEnd + 2)));
  }

  /** Parses an outbound key; anything else (other directions, special clusters) is empty. */
  static Optional<ClusterKey> parse(String name) {
    String[] parts = name.split("\\|", -1);
    if (parts.length != 4 || !parts[0].equals(OUTBOUND) || parts[3].isEmpty()) {
      return Optional.empty();
    }
    int port;
    try {
      port = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (port < 1 || port > 65535) {
      return Optional.empty();
    }
    return Optional.of(new ClusterKey(port, parts[2], parts[3]));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterKey k
        && port == k.port
        && subset.equals(k.subset)
        && host.equals(k.host);
  }

  @Override
  public int hashCode() {
    return Objects.hash(port, subset, host);
  }

  @Override
  public String toString() {
    return name;
  }
}
