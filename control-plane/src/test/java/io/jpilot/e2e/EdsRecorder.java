package io.jpilot.e2e;

import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.jpilot.translate.XdsType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A raw ADS client that subscribes to the endpoints of some clusters, ACKs every response and
 * records each one, so a test can check every EDS response a proxy was sent, not just the last.
 */
final class EdsRecorder implements AutoCloseable {
  static final String NODE_ID = "sidecar~10.9.9.9~probe-1.default~default.svc.cluster.local";

  /** The endpoints one response gave one cluster. */
  record Assignment(String version, String cluster, List<String> addresses, Set<String> zones) {}

  private final ManagedChannel channel;
  private final StreamObserver<DiscoveryRequest> requests;
  private final List<String> clusters;
  private final List<Assignment> received = new ArrayList<>();
  private volatile Throwable error;

  EdsRecorder(int xdsPort, String... clusters) {
    this.clusters = List.of(clusters);
    channel =
        NettyChannelBuilder.forAddress("127.0.0.1", xdsPort)
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
    requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse response) {
                    record(response);
                  }

                  @Override
                  public void onError(Throwable t) {
                    error = t;
                  }

                  @Override
                  public void onCompleted() {}
                });
    send(
        DiscoveryRequest.newBuilder()
            .setNode(
                Node.newBuilder()
                    .setId(NODE_ID)
                    .setMetadata(
                        Struct.newBuilder()
                            .putFields(
                                "NAMESPACE", Value.newBuilder().setStringValue("default").build())))
            .setTypeUrl(XdsType.ENDPOINT.typeUrl())
            .addAllResourceNames(this.clusters));
  }

  private synchronized void send(DiscoveryRequest.Builder request) {
    requests.onNext(request.build());
  }

  private void record(DiscoveryResponse response) {
    List<Assignment> batch = new ArrayList<>();
    for (com.google.protobuf.Any any : response.getResourcesList()) {
      ClusterLoadAssignment cla;
      try {
        cla = any.unpack(ClusterLoadAssignment.class);
      } catch (InvalidProtocolBufferException e) {
        error = e;
        return;
      }
      List<String> addresses = new ArrayList<>();
      Set<String> zones = new TreeSet<>();
      for (LocalityLbEndpoints group : cla.getEndpointsList()) {
        zones.add(group.getLocality().getZone());
        for (LbEndpoint e : group.getLbEndpointsList()) {
          var sa = e.getEndpoint().getAddress().getSocketAddress();
          addresses.add(sa.getAddress() + ":" + sa.getPortValue());
        }
      }
      batch.add(new Assignment(response.getVersionInfo(), cla.getClusterName(), addresses, zones));
    }
    synchronized (this) {
      received.addAll(batch);
      notifyAll();
    }
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(response.getVersionInfo())
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(clusters));
  }

  /** Every assignment received so far, in order. */
  synchronized List<Assignment> received() {
    return List.copyOf(received);
  }

  /** Every assignment received so far for one cluster, in order. */
  synchronized List<Assignment> received(String cluster) {
    return received.stream().filter(a -> a.cluster().equals(cluster)).toList();
  }

  /** Waits until the last assignment of {@code cluster} satisfies {@code condition}. */
  synchronized Assignment await(String cluster, Predicate<Assignment> condition, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (error != null) {
        fail("ADS stream failed", error);
      }
      List<Assignment> mine = received(cluster);
      if (!mine.isEmpty() && condition.test(mine.get(mine.size() - 1))) {
        return mine.get(mine.size() - 1);
      }
      long left = end - System.nanoTime();
      if (left <= 0) {
        return fail(
            "no matching assignment for %s within %s; last: %s",
            cluster, timeout, mine.isEmpty() ? "none" : mine.get(mine.size() - 1));
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      requests.onCompleted();
    } catch (RuntimeException ignored) {
      // already closed
    }
    channel.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
  }
}
