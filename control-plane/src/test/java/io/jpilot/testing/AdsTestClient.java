package io.jpilot.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.jpilot.translate.XdsType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An ADS client as Envoy drives one: a real gRPC stream over a real socket on 127.0.0.1. Shared by
 * the xDS server and whole-server tests.
 */
public final class AdsTestClient implements AutoCloseable {
  public static final String NODE_ID = "sidecar~10.1.0.9~app-1.default~default.svc.cluster.local";

  private final ManagedChannel channel;
  private final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
  private final CompletableFuture<Status> closed = new CompletableFuture<>();
  private final StreamObserver<DiscoveryRequest> requests;
  private final Node node;
  private final Map<XdsType, DiscoveryResponse> last = new EnumMap<>(XdsType.class);
  private volatile ClientCallStreamObserver<DiscoveryRequest> call;
  private boolean nodeSent;

  public AdsTestClient(int port) {
    this(port, defaultNode(), true, 0);
  }

  /**
   * @param autoRead false: read nothing until {@link #read}, so the server sees a slow client
   * @param flowControlWindow the HTTP/2 window, or 0 for the default
   */
  public AdsTestClient(int port, Node node, boolean autoRead, int flowControlWindow) {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress("127.0.0.1", port)
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024);
    if (flowControlWindow > 0) {
      b.flowControlWindow(flowControlWindow);
    }
    this.channel = b.build();
    this.node = node;
    this.requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new ClientResponseObserver<DiscoveryRequest, DiscoveryResponse>() {
                  @Override
                  public void beforeStart(ClientCallStreamObserver<DiscoveryRequest> stream) {
                    call = stream;
                    if (!autoRead) {
                      stream.disableAutoRequestWithInitial(0);
                    }
                  }

                  @Override
                  public void onNext(DiscoveryResponse value) {
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

  public static Node defaultNode() {
    return Node.newBuilder()
        .setId(NODE_ID)
        .setMetadata(
            Struct.newBuilder()
                .putFields("NAMESPACE", Value.newBuilder().setStringValue("default").build())
                .putFields("INSTANCE_IPS", Value.newBuilder().setStringValue("10.1.0.9").build())
                .putFields("CLUSTER_ID", Value.newBuilder().setStringValue("Kubernetes").build())
                .putFields("SOME_NUMBER", Value.newBuilder().setNumberValue(3).build())
                .putFields(
                    "LABELS",
                    Value.newBuilder()
                        .setStructValue(
                            Struct.newBuilder()
                                .putFields("app", Value.newBuilder().setStringValue("app").build())
                                .putFields(
                                    "version", Value.newBuilder().setStringValue("v1").build()))
                        .build()))
        .setLocality(Locality.newBuilder().setRegion("r1").setZone("z1").setSubZone("s1"))
        .build();
  }

  /** Sends a request; the node goes on the first one only, as Envoy does. */
  public synchronized void send(DiscoveryRequest.Builder request) {
    if (!nodeSent) {
      request.setNode(node);
      nodeSent = true;
    }
    requests.onNext(request.build());
  }

  /** The first request for a type. */
  public void subscribe(XdsType type, String... names) {
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(type.typeUrl())
            .addAllResourceNames(List.of(names)));
  }

  /** ACKs the last response of its type, naming {@code names}. */
  public void ack(DiscoveryResponse response, String... names) {
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(response.getVersionInfo())
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(List.of(names)));
  }

  /** NACKs a response, keeping {@code acceptedVersion} as Envoy does. */
  public void nack(
      DiscoveryResponse response, String acceptedVersion, String message, String... names) {
    send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(response.getTypeUrl())
            .setVersionInfo(acceptedVersion)
            .setResponseNonce(response.getNonce())
            .addAllResourceNames(List.of(names))
            .setErrorDetail(
                com.google.rpc.Status.newBuilder().setCode(3).setMessage(message).build()));
  }

  /** The next response; fails if none comes within 10 seconds. */
  public DiscoveryResponse next() throws InterruptedException {
    DiscoveryResponse r = responses.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a response").isNotNull();
    last.put(XdsType.fromTypeUrl(r.getTypeUrl()), r);
    return r;
  }

  /** The next response, which must be of {@code type}. */
  public DiscoveryResponse next(XdsType type) throws InterruptedException {
    DiscoveryResponse r = next();
    assertThat(r.getTypeUrl()).as("type of the next response").isEqualTo(type.typeUrl());
    return r;
  }

  public DiscoveryResponse last(XdsType type) {
    return last.get(type);
  }

  /** Responses received and not yet taken by {@link #next}. */
  public int buffered() {
    return responses.size();
  }

  /** Lets gRPC deliver {@code n} more responses (for a client made with autoRead false). */
  public void read(int n) {
    call.request(n);
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
