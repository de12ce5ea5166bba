package io.jpilot.bench.load;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jpilot.translate.XdsType;
import java.util.List;
import java.util.Map;

/**
 * One simulated sidecar on one ADS stream, subscribing the way Envoy does: CDS (wildcard) first,
 * then EDS for the EDS clusters it got, then LDS (wildcard), then RDS for the route names its
 * HTTP connection managers name. Every response is ACKed with its version, nonce and the current
 * names of that type. A subscription change is sent as a request carrying the last accepted
 * version and nonce of the type, as Envoy does.
 *
 * <p>Keeps no resources: per type only the subscribed names, version and nonce, plus counters for
 * the current measurement phase. All methods run under the instance lock; gRPC calls {@link
 * #onNext} serially on its event loop, the driver thread reads and resets the phase.
 */
final class SimulatedEnvoy implements ClientResponseObserver<DiscoveryRequest, XdsReply> {
  static final int TYPES = XdsType.values().length;

  /** Fleet-wide state the envoys report to. */
  interface Sink {
    void responded(long nanos, int bytes);

    void synced(SimulatedEnvoy envoy);

    void failed(SimulatedEnvoy envoy, Throwable error);

    /** The watched cluster's endpoint counts that mean "converged", or null. */
    int[] expectedWatched();
  }

  final int index;
  final String namespace;
  private final Node node;
  private final Sink sink;
  private ClientCallStreamObserver<DiscoveryRequest> out;
  private boolean nodeSent;

  private final List<String>[] names;
  private final String[] versions = new String[TYPES];
  private final String[] nonces = new String[TYPES];
  private final boolean[] acked = new boolean[TYPES];
  private boolean ldsRequested;
  private boolean synced;
  private boolean failed;

  // Current phase.
  private long phaseStart;
  private boolean phaseStarted;
  private final long[] firstAck = new long[TYPES];
  private final int[] responses = new int[TYPES];
  private long bytes;
  private long finalAck;
  private long lastResponse;
  private int minWatched;

  // Whole run.
  private int emptyWatched;
  private int watchedSeen;

  @SuppressWarnings("unchecked")
  SimulatedEnvoy(int index, String ip, String pod, String namespace, Map<String, String> labels,
      Sink sink) {
    this.index = index;
    this.namespace = namespace;
    this.sink = sink;
    Struct.Builder labelStruct = Struct.newBuilder();
    labels.forEach((k, v) -> labelStruct.putFields(k, Value.newBuilder().setStringValue(v).build()));
    this.node =
        Node.newBuilder()
            .setId("sidecar~" + ip + "~" + pod + "." + namespace + "~" + namespace
                + ".svc.cluster.local")
            .setCluster(labels.getOrDefault("app", pod) + "." + namespace)
            .setMetadata(
                Struct.newBuilder()
                    .putFields("NAMESPACE", Value.newBuilder().setStringValue(namespace).build())
                    .putFields("INSTANCE_IPS", Value.newBuilder().setStringValue(ip).build())
                    .putFields("LABELS", Value.newBuilder().setStructValue(labelStruct).build()))
            .build();
    names = new List[TYPES];
    for (int t = 0; t < TYPES; t++) {
      names[t] = List.of();
      versions[t] = "";
      nonces[t] = "";
    }
  }

  String nodeId() {
    return node.getId();
  }

  @Override
  public synchronized void beforeStart(ClientCallStreamObserver<DiscoveryRequest> stream) {
    this.out = stream;
  }

  /** Sends the first request (CDS wildcard). Call once, after the call started. */
  synchronized void start() {
    send(XdsType.CLUSTER);
  }

  @Override
  public synchronized void onNext(XdsReply reply) {
    long now = System.nanoTime();
    sink.responded(now, reply.size());
    if (reply.type() == null) {
      return;
    }
    int t = reply.type().ordinal();
    boolean inPhase = phaseStarted && now - phaseStart >= 0;
    if (inPhase) {
      responses[t]++;
      bytes += reply.size();
      lastResponse = now;
    }
    if (reply.watchedTotal() >= 0) {
      watchedSeen++;
      if (inPhase) {
        minWatched = Math.min(minWatched, reply.watchedTotal());
      }
      if (reply.watchedTotal() == 0) {
        emptyWatched++;
      }
    }
    versions[t] = reply.version();
    nonces[t] = reply.nonce();
    switch (reply.type()) {
      case CLUSTER -> {
        if (!reply.names().equals(names[XdsType.ENDPOINT.ordinal()])) {
          names[XdsType.ENDPOINT.ordinal()] = reply.names();
          send(XdsType.ENDPOINT);
        }
        send(XdsType.CLUSTER);
        if (!ldsRequested && reply.names().isEmpty()) {
          requestListeners();
        }
      }
      case ENDPOINT -> {
        send(XdsType.ENDPOINT);
        if (!ldsRequested) {
          requestListeners();
        }
      }
      case LISTENER -> {
        if (!reply.names().equals(names[XdsType.ROUTE.ordinal()])) {
          names[XdsType.ROUTE.ordinal()] = reply.names();
          send(XdsType.ROUTE);
        }
        send(XdsType.LISTENER);
      }
      case ROUTE -> send(XdsType.ROUTE);
    }
    long acked = System.nanoTime();
    this.acked[t] = true;
    if (inPhase) {
      if (firstAck[t] == 0) {
        firstAck[t] = acked;
      }
      int[] expected = sink.expectedWatched();
      if (finalAck == 0
          && expected != null
          && reply.watchedTotal() == expected[0]
          && reply.watchedMarked() == expected[1]) {
        finalAck = acked;
      }
    }
    if (!synced
        && this.acked[XdsType.LISTENER.ordinal()]
        && (names[XdsType.ROUTE.ordinal()].isEmpty() || this.acked[XdsType.ROUTE.ordinal()])) {
      synced = true;
      sink.synced(this);
    }
  }

  private void requestListeners() {
    ldsRequested = true;
    send(XdsType.LISTENER);
  }

  /** A request for {@code type}: ACK of the last response (if any) with the current names. */
  private void send(XdsType type) {
    int t = type.ordinal();
    DiscoveryRequest.Builder b =
        DiscoveryRequest.newBuilder()
            .setTypeUrl(type.typeUrl())
            .setVersionInfo(versions[t])
            .setResponseNonce(nonces[t])
            .addAllResourceNames(names[t]);
    if (!nodeSent) {
      b.setNode(node);
      nodeSent = true;
    }
    out.onNext(b.build());
  }

  @Override
  public synchronized void onError(Throwable t) {
    failed = true;
    sink.failed(this, t);
  }

  @Override
  public synchronized void onCompleted() {
    failed = true;
    sink.failed(this, new IllegalStateException("server completed the stream"));
  }

  synchronized void close() {
    if (out != null && !failed) {
      out.onCompleted();
    }
  }

  /** Starts a phase: counts only responses received at or after {@code t0}. */
  synchronized void beginPhase(long t0) {
    phaseStart = t0;
    phaseStarted = true;
    java.util.Arrays.fill(firstAck, 0);
    java.util.Arrays.fill(responses, 0);
    bytes = 0;
    finalAck = 0;
    lastResponse = 0;
    minWatched = Integer.MAX_VALUE;
  }

  /** This proxy's figures for the phase that started last. */
  synchronized PhaseSample sample() {
    return new PhaseSample(
        firstAck.clone(), responses.clone(), bytes, finalAck, lastResponse, minWatched);
  }

  synchronized int emptyWatched() {
    return emptyWatched;
  }

  synchronized int watchedSeen() {
    return watchedSeen;
  }

  synchronized boolean failed() {
    return failed;
  }

  synchronized int subscribed(XdsType type) {
    return names[type.ordinal()].size();
  }

  /**
   * @param firstAck per type, when the first response received in the phase was ACKed (0: none)
   * @param responses per type, responses received in the phase
   * @param bytes serialized bytes received in the phase
   * @param finalAck when the watched cluster's expected endpoints were first ACKed (0: never)
   * @param lastResponse when the last response of the phase arrived (0: none)
   * @param minWatched fewest endpoints of the watched cluster in a response of the phase
   *     (Integer.MAX_VALUE: none seen)
   */
  record PhaseSample(long[] firstAck, int[] responses, long bytes, long finalAck,
      long lastResponse, int minWatched) {}
}
