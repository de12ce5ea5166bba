package io.jpilot.push;

import io.jpilot.model.config.ConfigKey;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * A request to push config, as sources emit it. Requests merge while debounced.
 *
 * @param full true when resources other than endpoints may have changed (istiod's Full push)
 * @param changed the objects that changed
 * @param reasons why (for logs and the pilot_push_triggers metric)
 * @param startNanos when the first merged change happened (System.nanoTime of the source's clock)
 */
public record PushRequest(
    boolean full, Set<ConfigKey> changed, Set<Reason> reasons, long startNanos) {

  /** istiod's push trigger names. */
  public enum Reason {
    CONFIG("config"),
    ENDPOINT("endpoint"),
    SERVICE("service"),
    NAMESPACE("namespace"),
    PROXY_REQUEST("proxyrequest"),
    GLOBAL("global"),
    DEBUG("debug");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public PushRequest {
    changed = Collections.unmodifiableSet(new TreeSet<>(changed));
    reasons = reasons.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(reasons));
  }

  /** A request that starts now ({@link System#nanoTime()}, the push engine's clock). */
  public static PushRequest now(boolean full, Set<ConfigKey> changed, Reason... reasons) {
    EnumSet<Reason> rs = EnumSet.noneOf(Reason.class);
    rs.addAll(Arrays.asList(reasons));
    return new PushRequest(full, changed, rs, System.nanoTime());
  }

  /**
   * Merges two requests: full if either is, the union of changes and reasons, the earliest start.
   */
  public PushRequest merge(PushRequest other) {
    if (other == null) {
      return this;
    }
    Set<ConfigKey> keys = new TreeSet<>(changed);
    keys.addAll(other.changed);
    EnumSet<Reason> rs = EnumSet.noneOf(Reason.class);
    rs.addAll(reasons);
    rs.addAll(other.reasons);
    return new PushRequest(full || other.full, keys, rs, Math.min(startNanos, other.startNanos));
  }
}
