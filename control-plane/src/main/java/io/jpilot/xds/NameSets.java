package io.jpilot.xds;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import java.util.Set;
import java.util.SortedSet;

/**
 * Holds equal subscriptions once. Proxies of one workload subscribe to the same names (a sidecar
 * without a Sidecar resource names every cluster of the mesh), so a thousand streams hold a few
 * distinct sets instead of a thousand copies of thousands of names. Weakly held: a set no stream
 * uses any more is collected.
 */
final class NameSets {
  private static final Interner<SortedSet<String>> NAMES = Interners.newWeakInterner();
  private static final Interner<Set<String>> HOSTS = Interners.newWeakInterner();

  private NameSets() {}

  /** The held set equal to {@code names} (unmodifiable), or {@code names}, now held. */
  static SortedSet<String> names(SortedSet<String> names) {
    return NAMES.intern(names);
  }

  /** The held set equal to {@code hosts} (unmodifiable), or {@code hosts}, now held. */
  static Set<String> hosts(Set<String> hosts) {
    return HOSTS.intern(hosts);
  }
}
