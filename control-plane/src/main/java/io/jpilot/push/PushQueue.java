package io.jpilot.push;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The proxies waiting for a push, with istiod's pushqueue semantics: at most one pending request
 * per connection (a second one merges into it), connections served first in, first out, and a
 * connection being pushed is never handed out twice. A request that arrives while its connection is
 * being pushed is kept and the connection re-queued by {@link #markDone}.
 *
 * @param <C> the connection type (compared by identity via its {@code equals})
 */
public final class PushQueue<C> {

  /** A dequeued connection and its merged request. */
  public record Item<C>(C connection, PushRequest request) {}

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition available = lock.newCondition();
  private final ArrayDeque<C> order = new ArrayDeque<>();
  private final Map<C, PushRequest> pending = new HashMap<>();
  // Dequeued but not yet marked done; the value is a request that arrived meanwhile, or null.
  private final Map<C, PushRequest> processing = new HashMap<>();
  private boolean shutDown;

  /** Adds {@code request} for {@code connection}, merging with any request already waiting. */
  public void enqueue(C connection, PushRequest request) {
    requireNonNull(connection, "connection");
    requireNonNull(request, "request");
    lock.lock();
    try {
      if (shutDown) {
        return;
      }
      if (processing.containsKey(connection)) {
        processing.put(connection, request.merge(processing.get(connection)));
        return;
      }
      PushRequest waiting = pending.get(connection);
      if (waiting != null) {
        pending.put(connection, waiting.merge(request));
        return;
      }
      pending.put(connection, request);
      order.addLast(connection);
      available.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the connection that has waited longest, blocking until there is one.
   *
   * @return the connection and its merged request, or null once the queue is shut down
   */
  public Item<C> dequeue() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (order.isEmpty() && !shutDown) {
        available.await();
      }
      if (shutDown) {
        return null;
      }
      C connection = order.removeFirst();
      PushRequest request = pending.remove(connection);
      processing.put(connection, null);
      return new Item<>(connection, request);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Ends the push of a dequeued connection. If a request arrived for it meanwhile, the connection
   * goes to the back of the queue with that request.
   */
  public void markDone(C connection) {
    requireNonNull(connection, "connection");
    lock.lock();
    try {
      PushRequest arrived = processing.remove(connection);
      if (arrived != null && !shutDown) {
        pending.put(connection, arrived);
        order.addLast(connection);
        available.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Connections waiting to be dequeued (not counting those being pushed). */
  public int pending() {
    lock.lock();
    try {
      return order.size();
    } finally {
      lock.unlock();
    }
  }

  /** Drops everything waiting and wakes every blocked {@link #dequeue()}, which returns null. */
  public void shutDown() {
    lock.lock();
    try {
      shutDown = true;
      order.clear();
      pending.clear();
      available.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
