package io.jpilot.bench.load;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * N simulated sidecars against one ADS server. Streams share one small Netty event loop group;
 * {@code proxiesPerConnection} streams share one channel (1 = one TCP connection per proxy, as real
 * Envoys have).
 */
final class EnvoyFleet implements AutoCloseable, SimulatedEnvoy.Sink {
  /** Envoy's default HTTP/2 stream and connection windows (Http2ProtocolOptions), 256 MiB. */
  static final int ENVOY_WINDOW = 256 * 1024 * 1024;

  /** Who a simulated proxy is. */
  record Identity(String ip, String pod, String namespace, java.util.Map<String, String> labels) {}

  private final List<SimulatedEnvoy> envoys = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final EventLoopGroup group;
  private final AtomicLong lastResponse = new AtomicLong();
  private final LongAdder responses = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final AtomicInteger syncedCount = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private final Semaphore syncing;
  private volatile int[] expectedWatched;
  private volatile Throwable firstFailure;
  private volatile boolean closing;

  EnvoyFleet(
      String host,
      int port,
      List<Identity> proxies,
      int proxiesPerConnection,
      int eventLoopThreads,
      XdsReply.Watch watch,
      int maxSyncing) {
    requireNonNull(host, "host");
    if (proxiesPerConnection < 1) {
      throw new IllegalArgumentException(
          "proxiesPerConnection: " + proxiesPerConnection + " (expected: >= 1)");
    }
    this.group = new NioEventLoopGroup(eventLoopThreads);
    this.syncing = new Semaphore(maxSyncing);
    MethodDescriptor<DiscoveryRequest, XdsReply> method =
        AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod()
            .toBuilder(
                ProtoUtils.marshaller(DiscoveryRequest.getDefaultInstance()),
                XdsReply.marshaller(watch))
            .build();
    for (int i = 0; i < proxies.size(); i++) {
      Identity id = proxies.get(i);
      envoys.add(new SimulatedEnvoy(i, id.ip(), id.pod(), id.namespace(), id.labels(), this));
    }
    this.method = method;
    this.host = host;
    this.port = port;
    this.perConnection = proxiesPerConnection;
  }

  private final MethodDescriptor<DiscoveryRequest, XdsReply> method;
  private final String host;
  private final int port;
  private final int perConnection;

  /**
   * Opens every stream, at most {@code maxSyncing} still waiting for their first LDS/RDS at a time,
   * then waits until all are synced.
   *
   * @throws IllegalStateException when not all proxies sync within {@code timeout}
   */
  void connect(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ManagedChannel channel = null;
    for (SimulatedEnvoy envoy : envoys) {
      if (!syncing.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new IllegalStateException(
            "timed out connecting: " + syncedCount.get() + " of " + envoys.size() + " synced");
      }
      if (envoy.index % perConnection == 0) {
        channel =
            NettyChannelBuilder.forAddress(host, port)
                .usePlaintext()
                .eventLoopGroup(group)
                .channelType(NioSocketChannel.class)
                .directExecutor()
                .maxInboundMessageSize(Integer.MAX_VALUE)
                // Envoy's HTTP/2 windows for its xDS cluster: 256 MiB per stream and connection
                // (Http2ProtocolOptions defaults), fixed; a fixed window also turns off grpc-java's
                // bandwidth-delay pings, which Envoy does not send.
                .flowControlWindow(ENVOY_WINDOW)
                .disableRetry()
                .build();
        channels.add(channel);
      }
      ClientCalls.asyncBidiStreamingCall(channel.newCall(method, CallOptions.DEFAULT), envoy);
      envoy.start();
    }
    while (syncedCount.get() + failures.get() < envoys.size()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "timed out syncing: " + syncedCount.get() + " of " + envoys.size() + " synced");
      }
      Thread.sleep(20);
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(
          failures.get() + " streams failed while syncing", firstFailure);
    }
  }

  List<SimulatedEnvoy> envoys() {
    return envoys;
  }

  int channelCount() {
    return channels.size();
  }

  int failures() {
    return failures.get();
  }

  long totalResponses() {
    return responses.sum();
  }

  long totalBytes() {
    return bytes.sum();
  }

  /** Counts in every proxy only what arrives from {@code t0} on. */
  void beginPhase(long t0, int[] expectedWatched) {
    this.expectedWatched = expectedWatched;
    for (SimulatedEnvoy e : envoys) {
      e.beginPhase(t0);
    }
  }

  /** CPU seconds used so far by the control plane. */
  interface CpuClock {
    double seconds() throws java.io.IOException;
  }

  /**
   * Waits until the push is over: no response arrived for {@code quiet} (counting from {@code
   * since}) and the control plane used less than {@code idleCores} of CPU over the last second
   * (pushes to proxies that end up receiving nothing are visible only as CPU). When nothing at all
   * arrives after {@code since}, waits at least {@code idle}.
   *
   * @return false when {@code timeout} passed first
   */
  boolean awaitQuiet(
      long since, Duration quiet, Duration idle, Duration timeout, CpuClock cpu, double idleCores)
      throws InterruptedException, java.io.IOException {
    long deadline = since + timeout.toNanos();
    java.util.ArrayDeque<double[]> samples = new java.util.ArrayDeque<>();
    while (true) {
      long now = System.nanoTime();
      double used = cpu.seconds();
      samples.addLast(new double[] {now, used});
      while (samples.size() > 1 && now - samples.peekFirst()[0] > 1.5e9) {
        samples.removeFirst();
      }
      double[] first = samples.peekFirst();
      boolean cpuIdle =
          now - first[0] >= 0.9e9 && (used - first[1]) / ((now - first[0]) / 1e9) < idleCores;
      long last = lastResponse.get();
      boolean responsesQuiet =
          last - since > 0 ? now - last >= quiet.toNanos() : now - since >= idle.toNanos();
      if (responsesQuiet && cpuIdle) {
        return true;
      }
      if (now > deadline) {
        return false;
      }
      Thread.sleep(100);
    }
  }

  /** Waits (up to {@code timeout}) until every proxy ACKed the watched cluster's final state. */
  boolean awaitWatched(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = true;
      for (SimulatedEnvoy e : envoys) {
        if (e.sample().finalAck() == 0) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  @Override
  public void responded(long nanos, int size) {
    lastResponse.accumulateAndGet(nanos, Math::max);
    responses.increment();
    bytes.add(size);
  }

  @Override
  public void synced(SimulatedEnvoy envoy) {
    syncedCount.incrementAndGet();
    syncing.release();
  }

  @Override
  public void failed(SimulatedEnvoy envoy, Throwable error) {
    if (closing) {
      return;
    }
    if (failures.getAndIncrement() == 0) {
      firstFailure = error;
      System.err.println("load: stream of " + envoy.nodeId() + " failed: " + error);
    }
    syncing.release();
  }

  @Override
  public int[] expectedWatched() {
    return expectedWatched;
  }

  @Override
  public void close() {
    closing = true;
    for (SimulatedEnvoy e : envoys) {
      try {
        e.close();
      } catch (RuntimeException ignored) {
        // the stream is gone already
      }
    }
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
