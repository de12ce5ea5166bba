package io.jpilot.bench;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.jpilot.translate.XdsType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * {@code size} {@link AdsBenchClient}s connected to one ADS server over real gRPC on loopback.
 *
 * <p>Clients share channels, {@value #CLIENTS_PER_CHANNEL} streams per channel (one HTTP/2
 * connection each), so 1,000 clients use 100 connections. The clients have their own Netty event
 * loop (two daemon threads), apart from the server's, and run their callbacks on a separate pool of
 * two daemon threads, so decoding a large CDS or LDS response never keeps the event loop from
 * answering the server's keepalive pings. Clients connect in batches of {@value #BATCH}, each batch
 * fully subscribed before the next starts, as a fleet of proxies rolling out would.
 */
final class AdsClientFleet implements AutoCloseable {
  static final int CLIENTS_PER_CHANNEL = 10;
  static final int BATCH = 50;

  private final EventLoopGroup eventLoop;
  private final ExecutorService callbacks;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<AdsBenchClient> clients = new ArrayList<>();
  private volatile AckBarrier barrier;

  /**
   * Connects {@code size} sidecars in {@code namespace} and waits until all are subscribed (see
   * {@link #awaitReady}); closes everything if that fails.
   */
  static AdsClientFleet connect(
      int port, int size, String namespace, boolean keepResponses, Duration timeout)
      throws InterruptedException, TimeoutException {
    AdsClientFleet fleet = new AdsClientFleet();
    try {
      fleet.start(port, size, requireNonNull(namespace, "namespace"), keepResponses, timeout);
      return fleet;
    } catch (InterruptedException | TimeoutException | RuntimeException e) {
      fleet.close();
      throw e;
    }
  }

  private AdsClientFleet() {
    eventLoop = new NioEventLoopGroup(2, new DefaultThreadFactory("bench-ads-io", true));
    callbacks = Executors.newFixedThreadPool(2, new DefaultThreadFactory("bench-ads-client", true));
  }

  private void start(int port, int size, String namespace, boolean keepResponses, Duration timeout)
      throws InterruptedException, TimeoutException {
    if (size < 1) {
      throw new IllegalArgumentException("size: " + size + " (expected: >= 1)");
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = 0; i < size; i++) {
      if (i > 0 && i % BATCH == 0) {
        awaitReady(Duration.ofNanos(deadline - System.nanoTime()));
      }
      if (i % CLIENTS_PER_CHANNEL == 0) {
        channels.add(
            NettyChannelBuilder.forAddress("127.0.0.1", port)
                .usePlaintext()
                .eventLoopGroup(eventLoop)
                .channelType(NioSocketChannel.class)
                .executor(callbacks)
                .maxInboundMessageSize(64 * 1024 * 1024)
                .build());
      }
      clients.add(
          new AdsBenchClient(
              i, namespace, channels.get(channels.size() - 1), this::acked, keepResponses));
    }
    awaitReady(Duration.ofNanos(deadline - System.nanoTime()));
  }

  List<AdsBenchClient> clients() {
    return clients;
  }

  int channels() {
    return channels.size();
  }

  /** Waits until every client so far has ACKed CDS, EDS, LDS and RDS at least once. */
  private void awaitReady(Duration timeout) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (AdsBenchClient c : clients) {
      long left = deadline - System.nanoTime();
      if (!c.ready().await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        throw new TimeoutException("client " + c.index() + " not subscribed after " + timeout);
      }
      if (c.failure() != null) {
        throw new IllegalStateException("client " + c.index() + " failed", c.failure());
      }
    }
  }

  /**
   * Installs a barrier for the clients matching {@code which}: call before making the change, then
   * {@link AckBarrier#await}.
   */
  AckBarrier expect(XdsType type, long target, Predicate<AdsBenchClient> which) {
    List<AdsBenchClient> waitFor = new ArrayList<>();
    for (AdsBenchClient c : clients) {
      if (which.test(c)) {
        waitFor.add(c);
      }
    }
    AckBarrier b = new AckBarrier(type, target, clients.size(), waitFor);
    barrier = b;
    for (AdsBenchClient c : waitFor) { // ACKs that raced the installation
      b.acked(c, type, c.ackedVersion(type));
      if (c.failure() != null) {
        b.failed(c, c.failure());
      }
    }
    return b;
  }

  private void acked(AdsBenchClient client, XdsType type, long version) {
    AckBarrier b = barrier;
    if (b == null) {
      return;
    }
    if (type == null) {
      if (client.failure() != null) {
        b.failed(client, client.failure());
      }
    } else {
      b.acked(client, type, version);
    }
  }

  @Override
  public void close() {
    for (AdsBenchClient c : clients) {
      c.close();
    }
    for (ManagedChannel ch : channels) {
      ch.shutdownNow();
    }
    for (ManagedChannel ch : channels) {
      try {
        ch.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    callbacks.shutdownNow();
    eventLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
