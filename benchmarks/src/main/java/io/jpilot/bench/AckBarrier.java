package io.jpilot.bench;

import static java.util.Objects.requireNonNull;

import io.jpilot.translate.XdsType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Waits until each of a set of clients has ACKed a response of one type whose version is at least
 * a target version.
 *
 * <p>A client counts once, the first time it reports such an ACK; earlier versions never count, so
 * a response that was in flight before the change cannot end the wait. The barrier is installed
 * before the change is made (then no client can have ACKed the target yet); {@link
 * AdsClientFleet#expect} also counts ACKs the clients already made, so installing it late would be
 * safe too.
 */
final class AckBarrier {
  private final XdsType type;
  private final long target;
  private final boolean[] relevant;
  private final List<AdsBenchClient> waitFor;
  private final AtomicIntegerArray counted;
  private final AtomicInteger remaining;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile Throwable failure;

  /**
   * @param clients every client of the fleet, indexed by {@link AdsBenchClient#index()}
   * @param waitFor the clients to wait for (a subset of {@code clients})
   */
  AckBarrier(XdsType type, long target, int fleetSize, List<AdsBenchClient> waitFor) {
    this.type = requireNonNull(type, "type");
    this.target = target;
    this.waitFor = List.copyOf(waitFor);
    this.relevant = new boolean[fleetSize];
    this.counted = new AtomicIntegerArray(fleetSize);
    for (AdsBenchClient c : waitFor) {
      relevant[c.index()] = true;
    }
    this.remaining = new AtomicInteger(waitFor.size());
    if (waitFor.isEmpty()) {
      done.countDown();
    }
  }

  XdsType type() {
    return type;
  }

  long target() {
    return target;
  }

  /** A client ACKed {@code version} of {@code type}. */
  void acked(AdsBenchClient client, XdsType ackedType, long version) {
    if (ackedType != type || version < target) {
      return;
    }
    int i = client.index();
    if (i < relevant.length && relevant[i] && counted.compareAndSet(i, 0, 1)) {
      if (remaining.decrementAndGet() == 0) {
        done.countDown();
      }
    }
  }

  /** A client's stream failed: the wait ends with that failure. */
  void failed(AdsBenchClient client, Throwable t) {
    if (client.index() < relevant.length && relevant[client.index()]) {
      failure = t;
      done.countDown();
    }
  }

  /** Up to five clients not counted yet, with the version of {@code type} each last ACKed. */
  private String missing() {
    StringBuilder out = new StringBuilder();
    int shown = 0;
    for (AdsBenchClient c : waitFor) {
      if (counted.get(c.index()) == 0 && shown++ < 5) {
        out.append("client ").append(c.index()).append(" at ").append(c.ackedVersion(type))
            .append("; ");
      }
    }
    return out.toString();
  }

  /** Blocks until every client counted, or throws on a failed stream or after {@code timeout}. */
  void await(Duration timeout) throws InterruptedException, TimeoutException {
    if (!done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new TimeoutException(
          remaining.get()
              + " clients had not ACKed "
              + type.shortName()
              + " version >= "
              + target
              + " after "
              + timeout
              + "; e.g. "
              + missing());
    }
    if (failure != null) {
      throw new IllegalStateException("an ADS stream failed", failure);
    }
  }
}
