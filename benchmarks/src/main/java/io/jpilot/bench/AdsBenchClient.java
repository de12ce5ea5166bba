package io.jpilot.bench;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.jpilot.translate.XdsType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A minimal state-of-the-world ADS client that subscribes the way Envoy does and ACKs everything.
 *
 * <p>Sequence: CDS wildcard; on each CDS response, EDS for the EDS clusters it lists (their {@code
 * service_name}, else the cluster name); after the first EDS response (or a CDS response without
 * EDS clusters), LDS wildcard; on each LDS response, RDS for the route names of the HTTP connection
 * managers in its listeners. Every response is ACKed with its version and nonce and the current
 * names for that type; a subscription whose names change is sent before the ACK of the response
 * that changed it, as Envoy does while warming. Nothing is ever NACKed.
 *
 * <p>After sending each ACK the client records the response's {@code version_info} (the push
 * engine's snapshot version) as the type's ACKed version and tells its {@link Listener}. Only
 * CDS and LDS responses are decoded (to learn the names to subscribe to); EDS and RDS are ACKed
 * without unpacking, so the client costs little next to the server it measures.
 *
 * <p>All callbacks of one stream run serially; sends are additionally guarded by the client's lock,
 * since the first request is sent from the caller's thread.
 */
final class AdsBenchClient {

  /** Told after each ACK was written to the stream. */
  @FunctionalInterface
  interface AckListener {
    void acked(AdsBenchClient client, XdsType type, long version);
  }

  private static final String HCM_TYPE_URL =
      "type.googleapis.com/"
          + HttpConnectionManager.getDescriptor().getFullName();

  private final int index;
  private final Node node;
  private final AckListener listener;
  private final boolean keepResponses;
  private final StreamObserver<DiscoveryRequest> requests;
  private final CountDownLatch ready = new CountDownLatch(1);
  private final AtomicLongArray ackedVersions = new AtomicLongArray(XdsType.values().length);
  private final AtomicReferenceArray<DiscoveryResponse> lastAcked =
      new AtomicReferenceArray<>(XdsType.values().length);

  // Guarded by this.
  private final Map<XdsType, SortedSet<String>> names = new EnumMap<>(XdsType.class);
  private final Map<XdsType, DiscoveryResponse> lastResponse = new EnumMap<>(XdsType.class);
  private volatile Throwable failure;
  private volatile boolean closed;

  /**
   * Opens the ADS stream on {@code channel} and sends the CDS wildcard request.
   *
   * @param index this client's number in its fleet (part of its node id and IP)
   * @param keepResponses keep the last ACKed response per type (tests)
   */
  AdsBenchClient(
      int index, String namespace, Channel channel, AckListener listener, boolean keepResponses) {
    this.index = index;
    this.node = node(index, requireNonNull(namespace, "namespace"));
    this.listener = requireNonNull(listener, "listener");
    this.keepResponses = keepResponses;
    for (int i = 0; i < ackedVersions.length(); i++) {
      ackedVersions.set(i, -1);
    }
    this.requests =
        AggregatedDiscoveryServiceGrpc.newStub(requireNonNull(channel, "channel"))
            .streamAggregatedResources(new Responses());
    synchronized (this) {
      send(XdsType.CLUSTER, "", "", List.of());
    }
  }

  /** A sidecar in {@code namespace}, IP 10.200.x.y, labelled app=bench-client. */
  static Node node(int index, String namespace) {
    String ip = "10.200." + (index / 250) + "." + (index % 250 + 1);
    String id =
        "sidecar~" + ip + "~bench-client-" + index + "." + namespace + "~" + namespace
            + ".svc.cluster.local";
    Struct labels =
        Struct.newBuilder()
            .putFields("app", Value.newBuilder().setStringValue("bench-client").build())
            .build();
    return Node.newBuilder()
        .setId(id)
        .setCluster("bench-client." + namespace)
        .setMetadata(
            Struct.newBuilder()
                .putFields("NAMESPACE", Value.newBuilder().setStringValue(namespace).build())
                .putFields("LABELS", Value.newBuilder().setStructValue(labels).build()))
        .build();
  }

  int index() {
    return index;
  }

  /** Counted down once CDS, EDS, LDS and RDS have each been ACKed at least once. */
  CountDownLatch ready() {
    return ready;
  }

  /** The version_info of the last ACKed response of {@code type}, or -1 if none. */
  long ackedVersion(XdsType type) {
    return ackedVersions.get(type.ordinal());
  }

  /** The last ACKed response of {@code type} (only when keeping responses), or null. */
  DiscoveryResponse lastAcked(XdsType type) {
    return lastAcked.get(type.ordinal());
  }

  /** The names this client subscribes to for EDS or RDS. */
  synchronized SortedSet<String> subscribed(XdsType type) {
    return Collections.unmodifiableSortedSet(
        new TreeSet<>(names.getOrDefault(type, Collections.emptySortedSet())));
  }

  /** Why the stream failed, or null. */
  Throwable failure() {
    return failure;
  }

  void close() {
    closed = true;
    synchronized (this) {
      try {
        requests.onCompleted();
      } catch (RuntimeException ignored) {
        // already cancelled
      }
    }
  }

  private synchronized void onResponse(DiscoveryResponse response) {
    XdsType type = XdsType.fromTypeUrl(response.getTypeUrl());
    if (type == null) {
      throw new IllegalStateException("unexpected type " + response.getTypeUrl());
    }
    long version = Long.parseLong(response.getVersionInfo());
    lastResponse.put(type, response);
    switch (type) {
      case CLUSTER -> {
        SortedSet<String> eds = edsNames(response);
        if (!eds.equals(names.get(XdsType.ENDPOINT))) {
          subscribe(XdsType.ENDPOINT, eds);
        }
        if (eds.isEmpty()) {
          subscribeListenersOnce();
        }
      }
      case LISTENER -> {
        SortedSet<String> rds = routeNames(response);
        if (!rds.equals(names.get(XdsType.ROUTE))) {
          subscribe(XdsType.ROUTE, rds);
        }
      }
      case ENDPOINT, ROUTE -> {}
    }
    List<String> ackNames =
        type.namedByParent() ? new ArrayList<>(names.get(type)) : List.of();
    send(type, response.getVersionInfo(), response.getNonce(), ackNames);
    ackedVersions.set(type.ordinal(), version);
    if (keepResponses) {
      lastAcked.set(type.ordinal(), response);
    }
    if (type == XdsType.ENDPOINT) {
      subscribeListenersOnce();
    }
    if (ready.getCount() > 0 && allAcked()) {
      ready.countDown();
    }
    listener.acked(this, type, version);
  }

  private boolean allAcked() {
    for (XdsType t : XdsType.values()) {
      if (ackedVersions.get(t.ordinal()) < 0) {
        return false;
      }
    }
    return true;
  }

  private void subscribeListenersOnce() {
    if (!names.containsKey(XdsType.LISTENER)) {
      names.put(XdsType.LISTENER, Collections.emptySortedSet());
      send(XdsType.LISTENER, "", "", List.of());
    }
  }

  /** A new subscription for a named type: initial (no nonce) or an ACK of the last response. */
  private void subscribe(XdsType type, SortedSet<String> newNames) {
    names.put(type, newNames);
    DiscoveryResponse last = lastResponse.get(type);
    if (last == null) {
      send(type, "", "", new ArrayList<>(newNames));
    } else {
      send(type, last.getVersionInfo(), last.getNonce(), new ArrayList<>(newNames));
    }
  }

  private void send(XdsType type, String version, String nonce, List<String> resourceNames) {
    if (closed) {
      return;
    }
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(node)
            .setTypeUrl(type.typeUrl())
            .setVersionInfo(version)
            .setResponseNonce(nonce)
            .addAllResourceNames(resourceNames)
            .build());
  }

  private static SortedSet<String> edsNames(DiscoveryResponse cds) {
    SortedSet<String> out = new TreeSet<>();
    for (Any any : cds.getResourcesList()) {
      Cluster c = unpack(any, Cluster.class);
      if (c.getType() == Cluster.DiscoveryType.EDS || c.hasEdsClusterConfig()) {
        String service = c.getEdsClusterConfig().getServiceName();
        out.add(service.isEmpty() ? c.getName() : service);
      }
    }
    return out;
  }

  private static SortedSet<String> routeNames(DiscoveryResponse lds) {
    SortedSet<String> out = new TreeSet<>();
    for (Any any : lds.getResourcesList()) {
      Listener l = unpack(any, Listener.class);
      List<FilterChain> chains = new ArrayList<>(l.getFilterChainsList());
      if (l.hasDefaultFilterChain()) {
        chains.add(l.getDefaultFilterChain());
      }
      for (FilterChain chain : chains) {
        for (Filter f : chain.getFiltersList()) {
          if (f.hasTypedConfig() && f.getTypedConfig().getTypeUrl().equals(HCM_TYPE_URL)) {
            HttpConnectionManager hcm = unpack(f.getTypedConfig(), HttpConnectionManager.class);
            if (hcm.hasRds()) {
              out.add(hcm.getRds().getRouteConfigName());
            }
          }
        }
      }
    }
    return out;
  }

  private static <T extends com.google.protobuf.Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot decode " + any.getTypeUrl(), e);
    }
  }

  private final class Responses implements StreamObserver<DiscoveryResponse> {
    @Override
    public void onNext(DiscoveryResponse response) {
      try {
        onResponse(response);
      } catch (RuntimeException e) {
        failure = e;
        ready.countDown();
        listener.acked(AdsBenchClient.this, null, -1);
      }
    }

    @Override
    public void onError(Throwable t) {
      if (!closed) {
        failure = t;
      }
      ready.countDown();
      listener.acked(AdsBenchClient.this, null, -1);
    }

    @Override
    public void onCompleted() {
      if (!closed) {
        failure = new IllegalStateException("server ended the stream");
      }
      ready.countDown();
      listener.acked(AdsBenchClient.this, null, -1);
    }
  }
}
