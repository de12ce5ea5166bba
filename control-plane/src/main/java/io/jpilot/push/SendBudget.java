package io.jpilot.push;

import static java.util.Objects.requireNonNull;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A bound, shared by all streams, on the response bytes handed to gRPC and not yet written to the
 * sockets. Push workers wait for room before they take the next proxy, so a full push frames its
 * responses about as fast as the sockets take them: a few megabytes are in flight at a time, and
 * they are still in the CPU cache when the kernel copies them, instead of hundreds of megabytes
 * framed at once and copied out later from memory.
 *
 * <p>A stream owes what it was sent until it reports it can take more (gRPC's on-ready signal) or
 * closes. A stream that owes bytes for longer than the stale time stops counting: its bytes are
 * forgotten, so a client that stops reading delays the others at most once, by the stale time, and
 * never blocks a worker for longer. The stream itself is not sent more until it drains (see the
 * stream's own deferral); this class only paces.
 *
 * <p>The limit is soft: a worker that finds room sends the whole push it takes, so the bytes in
 * flight can exceed the limit by what the workers send at once. A limit of 0 turns pacing off.
 *
 * <p>Thread-safe. Callers may hold a stream's lock while charging or settling; this class never
 * calls out while holding its own.
 */
public final class SendBudget {

  /** Default limit: 16 MiB, half this machine's last-level cache and 27 of s2's full pushes. */
  public static final long DEFAULT_LIMIT_BYTES = 16L << 20;

  /** Default time after which a stream's unwritten bytes stop counting. */
  public static final long DEFAULT_STALE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** One stream's share of the bytes in flight. Guarded by the budget's lock. */
  public static final class Account {
    private long owed;
    private long since;
  }

  private final long limit;
  private final long staleNanos;
  private final LongSupplier clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition room = lock.newCondition();

  /** Accounts that owe bytes, the one owing longest first. Guarded by {@link #lock}. */
  private final LinkedHashSet<Account> owing = new LinkedHashSet<>();

  private long inFlight;
  private long expired;

  /**
   * @param limitBytes the bytes in flight beyond which workers wait; 0 never waits
   * @param staleNanos how long a stream's bytes count at most
   * @param clock the engine's clock
   */
  public SendBudget(long limitBytes, long staleNanos, LongSupplier clock) {
    if (limitBytes < 0) {
      throw new IllegalArgumentException("limitBytes: " + limitBytes + " (expected: >= 0)");
    }
    if (staleNanos <= 0) {
      throw new IllegalArgumentException("staleNanos: " + staleNanos + " (expected: > 0)");
    }
    this.limit = limitBytes;
    this.staleNanos = staleNanos;
    this.clock = requireNonNull(clock, "clock");
  }

  /** A new stream's account, owing nothing. */
  public Account open() {
    return new Account();
  }

  /** Counts {@code bytes} just handed to the stream of {@code account}. */
  public void charge(Account account, long bytes) {
    if (bytes <= 0 || limit == 0) {
      return;
    }
    lock.lock();
    try {
      if (account.owed == 0) {
        account.since = clock.getAsLong();
        owing.add(account);
      }
      account.owed += bytes;
      inFlight += bytes;
    } finally {
      lock.unlock();
    }
  }

  /** The stream of {@code account} took everything it owes (it is ready again, or closed). */
  public void settle(Account account) {
    lock.lock();
    try {
      if (account.owed == 0) {
        return;
      }
      forget(account);
      if (inFlight < limit) {
        room.signal(); // one worker; it wakes the next while room remains (awaitRoom)
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * True when the bytes in flight are below the limit, after forgetting what streams have owed for
   * longer than the stale time.
   */
  public boolean hasRoom() {
    lock.lock();
    try {
      return hasRoomLocked(clock.getAsLong());
    } finally {
      lock.unlock();
    }
  }

  /** Waits until {@link #hasRoom()}; the longest wait is the stale time. */
  void awaitRoom() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long now = clock.getAsLong();
      boolean waited = false;
      while (!hasRoomLocked(now)) {
        long wait = owing.iterator().next().since + staleNanos - now;
        room.awaitNanos(Math.max(wait, 1));
        waited = true;
        now = clock.getAsLong();
      }
      if (waited) {
        room.signal(); // pass the wake-up on: there is room for another waiting worker too
      }
    } finally {
      lock.unlock();
    }
  }

  private boolean hasRoomLocked(long now) {
    if (limit == 0) {
      return true;
    }
    Iterator<Account> oldest = owing.iterator();
    while (inFlight >= limit && oldest.hasNext()) {
      Account a = oldest.next();
      if (now - a.since < staleNanos) {
        break;
      }
      oldest.remove();
      inFlight -= a.owed;
      a.owed = 0;
      expired++;
    }
    return inFlight < limit;
  }

  private void forget(Account account) {
    owing.remove(account);
    inFlight -= account.owed;
    account.owed = 0;
  }

  /** Bytes handed to streams and not yet reported written (nor forgotten as stale). */
  public long inFlight() {
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  /** Streams whose bytes stopped counting because they owed them longer than the stale time. */
  public long expired() {
    lock.lock();
    try {
      return expired;
    } finally {
      lock.unlock();
    }
  }

  public long limit() {
    return limit;
  }
}
