package io.jpilot.push;

import io.jpilot.model.config.ConfigKey;
import io.jpilot.translate.XdsType;
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
 * @param types the xDS types to regenerate: every type for a full request unless the engine knows
 *     better for a proxy, EDS alone otherwise
 */
public record PushRequest(
    boolean full, Set<ConfigKey> changed, Set<Reason> reasons, long startNanos, Set<XdsType> types) {

  /** A request for every type when {@code full}, else for endpoints alone. */
  public PushRequest(boolean full, Set<ConfigKey> changed, Set<Reason> reasons, long startNanos) {
    this(
        full,
        changed,
        reasons,
        startNanos,
        full ? EnumSet.allOf(XdsType.class) : EnumSet.of(XdsType.ENDPOINT));
  }

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
    if (types.isEmpty()) {
      throw new IllegalArgumentException("types: empty (expected: at least one type)");
    }
    types = Collections.unmodifiableSet(EnumSet.copyOf(types));
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
    EnumSet<XdsType> ts = EnumSet.copyOf(types);
    ts.addAll(other.types);
    return new PushRequest(
        full || other.full, keys, rs, Math.min(startNanos, other.startNanos), ts);
  }

  /**
   * This request without its list of changed objects, as queued per proxy: targets need what to
   * regenerate and since when, and merging thousands of per-proxy copies of a long list of changes
   * (a rollout's Pods) would cost more than the push.
   */
  public PushRequest withoutChanges() {
    return changed.isEmpty() ? this : new PushRequest(full, Set.of(), reasons, startNanos, types);
  }

  /** This request for {@code types} only (a subset of its own). */
  public PushRequest onlyFor(Set<XdsType> narrowed) {
    EnumSet<XdsType> ts = EnumSet.copyOf(types);
    ts.retainAll(narrowed);
    return new PushRequest(full, changed, reasons, startNanos, ts);
  }
}
