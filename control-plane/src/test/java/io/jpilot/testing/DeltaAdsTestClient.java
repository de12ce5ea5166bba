package io.jpilot.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.jpilot.translate.XdsType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An incremental (delta) ADS client on a real gRPC stream over 127.0.0.1, driven by hand: it sends
 * exactly the requests a test asks for, and keeps the resources it was sent per type (name →
 * version) the way a client applies delta responses.
 */
public final class DeltaAdsTestClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final BlockingQueue<DeltaDiscoveryResponse> responses = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> closed = new CompletableFuture<>();
  private final StreamObserver<DeltaDiscoveryRequest> requests;
  private final Node node;
  private final Map<XdsType, Map<String, String>> held = new EnumMap<>(XdsType.class);
  private boolean nodeSent;

  public DeltaAdsTestClient(int port) {
    this(port, AdsTestClient.defaultNode());
  }

  public DeltaAdsTestClient(int port, Node node) {
    this.channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
    this.node = node;
    this.requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .deltaAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DeltaDiscoveryResponse value) {
                    responses.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    closed.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    closed.complete(Status.OK);
                  }
                });
  }

  /** Sends a request; the node goes on the first one only. */
  public synchronized void send(DeltaDiscoveryRequest.Builder request) {
    if (!nodeSent) {
      request.setNode(node);
      nodeSent = true;
    }
    requests.onNext(request.build());
  }

  /** Subscribes to {@code names} of {@code type} (the first request for a type when none held). */
  public void subscribe(XdsType type, String... names) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type.typeUrl())
            .addAllResourceNamesSubscribe(List.of(names)));
  }

  /** Unsubscribes from {@code names}. */
  public void unsubscribe(XdsType type, String... names) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type.typeUrl())
            .addAllResourceNamesUnsubscribe(List.of(names)));
  }

  /** The first request of a type on a reconnected stream: what the client holds, and names. */
  public void resume(XdsType type, Map<String, String> initialVersions, String... names) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(type.typeUrl())
            .putAllInitialResourceVersions(initialVersions)
            .addAllResourceNamesSubscribe(List.of(names)));
  }

  public void ack(DeltaDiscoveryResponse response) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce()));
  }

  public void nack(DeltaDiscoveryResponse response, String message) {
    send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setResponseNonce(response.getNonce())
            .setErrorDetail(
                com.google.rpc.Status.newBuilder().setCode(3).setMessage(message).build()));
  }

  /** The next response, applied to {@link #held}; fails if none comes within 10 seconds. */
  public DeltaDiscoveryResponse next() throws InterruptedException {
    DeltaDiscoveryResponse r = responses.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a delta response").isNotNull();
    Map<String, String> h =
        held.computeIfAbsent(XdsType.fromTypeUrl(r.getTypeUrl()), t -> new TreeMap<>());
    r.getRemovedResourcesList().forEach(h::remove);
    for (Resource res : r.getResourcesList()) {
      h.put(res.getName(), res.getVersion());
    }
    return r;
  }

  /** The next response, which must be of {@code type}. */
  public DeltaDiscoveryResponse next(XdsType type) throws InterruptedException {
    DeltaDiscoveryResponse r = next();
    assertThat(r.getTypeUrl()).as("type of the next delta response").isEqualTo(type.typeUrl());
    return r;
  }

  /** Name → version of the resources of {@code type} received and not removed, sorted. */
  public Map<String, String> held(XdsType type) {
    return new TreeMap<>(held.getOrDefault(type, Map.of()));
  }

  /** The names of the resources a response carries, in order. */
  public static List<String> names(DeltaDiscoveryResponse response) {
    List<String> out = new ArrayList<>();
    response.getResourcesList().forEach(r -> out.add(r.getName()));
    return out;
  }

  /** Responses received and not yet taken by {@link #next}. */
  public int buffered() {
    return responses.size();
  }

  public Status awaitClose() throws Exception {
    return closed.get(10, TimeUnit.SECONDS);
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
