package io.jpilot.push;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.Optional;
import java.util.Set;

/**
 * Something the engine pushes to: one connected proxy (an ADS stream). The engine calls {@link
 * #push} from one worker at a time per target.
 */
public interface PushTarget {

  /** What a push did. */
  enum Result {
    /** At least one response was sent. */
    SENT,
    /** Everything generated equals what was sent before: nothing was sent. */
    UNCHANGED,
    /**
     * Nothing sent yet: the stream cannot take more now, and the target asks to be re-queued when
     * it can; or the client has not answered an earlier response, and the target sends the newest
     * when it does.
     */
    DEFERRED,
    /** The stream is gone. */
    CLOSED
  }

  /**
   * Regenerates the types {@code request} concerns (all subscribed types when full, else endpoints
   * only) from {@code snapshot} and sends those that changed.
   */
  Result push(MeshSnapshot snapshot, PushRequest request);

  /**
   * Whether this target subscribes to endpoints of any of {@code hostnames}; an endpoint-only push
   * for those hosts skips targets that answer false. Answer true when unsure.
   */
  default boolean watchesAny(Set<String> hostnames) {
    return true;
  }

  /** The proxy behind this target, once known; empty means every push must reach it. */
  default Optional<ProxyView> proxy() {
    return Optional.empty();
  }

  /** A name for logs, e.g. the connection id. */
  String id();
}
