package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * DestinationRule {@code loadBalancer.localityLbSetting}: weighted distribution or failover between
 * localities ({@code region/zone/subzone}, {@code *} wildcards allowed).
 *
 * @param enabled absent when unset (locality load balancing then follows the mesh default: on)
 */
public record LocalityLbSetting(
    List<Distribute> distribute,
    List<Failover> failover,
    List<String> failoverPriority,
    Optional<Boolean> enabled) {

  /**
   * Traffic from {@code from} is spread over {@code to} by percent (weights sorted by locality).
   */
  public record Distribute(String from, SortedMap<String, Integer> to) {
    public Distribute {
      requireNonNull(from, "from");
      to = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(to));
    }
  }

  /** When region {@code from} has no healthy endpoint, traffic goes to region {@code to}. */
  public record Failover(String from, String to) {
    public Failover {
      requireNonNull(from, "from");
      requireNonNull(to, "to");
    }
  }

  public LocalityLbSetting {
    distribute = List.copyOf(distribute);
    failover = List.copyOf(failover);
    failoverPriority = List.copyOf(failoverPriority);
    requireNonNull(enabled, "enabled");
  }
}
