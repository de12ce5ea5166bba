package io.jpilot.xds;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.push.GeneratedResources;
import io.jpilot.push.PushEngine;
import io.jpilot.push.PushRequest;
import io.jpilot.push.PushTarget;
import io.jpilot.push.XdsResource;
import io.jpilot.translate.TranslationInputs;
import io.jpilot.translate.XdsType;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One state-of-the-world ADS stream: the proxy's subscriptions, what was sent and acknowledged per
 * type, and the push target the engine queues.
 *
 * <p>Every state change and every send happens under one lock per stream, so requests (gRPC
 * threads) and pushes (engine workers) never interleave on the non-thread-safe response observer.
 * Sending never blocks: gRPC buffers what the transport cannot take yet. When the stream reports it
 * is not ready (the client is not reading), a push is not generated at all; it is merged into one
 * deferred request, and the stream asks the engine to queue it again once gRPC calls the on-ready
 * handler. A slow client therefore costs one pending request, and never holds a worker.
 */
final class AdsConnection implements PushTarget, StreamObserver<DiscoveryRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(AdsConnection.class);

  private final XdsServer server;
  private final PushEngine engine;
  private final XdsMetrics metrics;
  private final ServerCallStreamObserver<DiscoveryResponse> out;
  private final long number;
  private final String peer;
  private final Clock clock;
  private final Instant connectedAt;

  private final Object lock = new Object();
  private final Map<XdsType, TypeState> types = new EnumMap<>(XdsType.class);
  private final Set<String> unsupportedTypeUrls = new HashSet<>();
  private String connectionId;
  private ProxyView proxy;
  private long nonces;
  private PushRequest deferred;
  private boolean closed;

  /** What was asked for and sent for one type. */
  private static final class TypeState {
    SortedSet<String> names = Collections.emptySortedSet();
    boolean wildcard;
    String sentVersion = "";
    String sentNonce = "";
    Instant sentAt;
    String ackedVersion = "";
    String ackedNonce = "";
    ConnectionStatus.Nack lastNack;
    GeneratedResources sent;
  }

  /** Hosts of the EDS names subscribed to, or null when one name is not a service's cluster. */
  private Set<String> edsHosts = Set.of();

  AdsConnection(
      XdsServer server,
      PushEngine engine,
      XdsMetrics metrics,
      ServerCallStreamObserver<DiscoveryResponse> out,
      long number,
      String peer,
      Clock clock) {
    this.server = requireNonNull(server, "server");
    this.engine = requireNonNull(engine, "engine");
    this.metrics = requireNonNull(metrics, "metrics");
    this.out = requireNonNull(out, "out");
    this.number = number;
    this.peer = requireNonNull(peer, "peer");
    this.clock = requireNonNull(clock, "clock");
    this.connectedAt = clock.instant();
    this.connectionId = "unknown-" + number;
    out.setOnCancelHandler(this::onClosed);
    out.setOnReadyHandler(this::onReady);
  }

  @Override
  public String id() {
    synchronized (lock) {
      return connectionId;
    }
  }

  // ---- requests (gRPC thread) ----

  @Override
  public void onNext(DiscoveryRequest request) {
    boolean sendFailed;
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (proxy == null) {
        if (!initialize(request)) {
          return;
        }
      }
      XdsType type = XdsType.fromTypeUrl(request.getTypeUrl());
      if (type == null) {
        if (unsupportedTypeUrls.add(request.getTypeUrl())) {
          LOG.warn(
              "ADS: {} requested type {}, which is not served; ignoring it",
              connectionId,
              request.getTypeUrl());
        }
        return;
      }
      handle(type, request);
      sendFailed = closed;
    }
    if (sendFailed) {
      onClosed();
    }
  }

  /** Parses the node of the first request and registers with the engine; false if it closed. */
  private boolean initialize(DiscoveryRequest request) {
    if (!request.hasNode() || request.getNode().getId().isEmpty()) {
      fail(Status.INVALID_ARGUMENT.withDescription("missing node information"));
      return false;
    }
    try {
      proxy = ProxyNodes.parse(request.getNode());
    } catch (IllegalArgumentException e) {
      LOG.warn("ADS: rejecting stream from {}: {}", peer, e.getMessage());
      fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      return false;
    }
    connectionId = proxy.id() + "-" + number;
    server.added(this);
    engine.register(this);
    LOG.info("ADS: new connection {} node={} peer={}", connectionId, proxy.nodeId(), peer);
    return true;
  }

  /** istiod's shouldRespond: initial request, stale nonce, NACK, ACK, or a changed subscription. */
  private void handle(XdsType type, DiscoveryRequest request) {
    SortedSet<String> names = names(request);
    TypeState state = types.get(type);
    String nonce = request.getResponseNonce();
    if (state == null || nonce.isEmpty()) {
      // First request for the type on this stream (or a client that reconnected): answer it.
      if (state == null) {
        state = new TypeState();
        types.put(type, state);
      }
      state.wildcard =
          !type.namedByParent()
              && (request.getResourceNamesCount() == 0
                  || request.getResourceNamesList().contains("*"));
      state.names = names;
      subscribed(type, state);
      respond(type, state, newest(engine.snapshot()), false);
      return;
    }
    if (!nonce.equals(state.sentNonce)) {
      metrics.expiredNonce(type);
      LOG.debug(
          "ADS:{} {}: expired nonce {} (sent {}), ignoring",
          type.shortName(),
          connectionId,
          nonce,
          state.sentNonce);
      return;
    }
    if (request.hasErrorDetail() && request.getErrorDetail().getCode() != 0) {
      String message = request.getErrorDetail().getMessage().replaceAll("\\s*\\R\\s*", " ");
      state.lastNack =
          new ConnectionStatus.Nack(state.sentVersion, nonce, message, clock.instant());
      metrics.rejected(type);
      LOG.warn(
          "ADS:{} NACK node={} connection={} version={} nonce={} error={}",
          type.shortName(),
          proxy.nodeId(),
          connectionId,
          state.sentVersion,
          nonce,
          message);
      // Not answered: only a later change in the generated resources sends this type again.
      return;
    }
    state.ackedVersion = request.getVersionInfo();
    state.ackedNonce = nonce;
    // xDS wildcard rules for CDS/LDS: "*" asks for everything; an empty list keeps a legacy
    // wildcard subscription (one that never named anything) and otherwise means "nothing".
    boolean wildcard =
        !type.namedByParent()
            && (request.getResourceNamesList().contains("*")
                || (request.getResourceNamesCount() == 0
                    && state.wildcard
                    && state.names.isEmpty()));
    if (!names.equals(state.names) || wildcard != state.wildcard) {
      state.names = names;
      state.wildcard = wildcard;
      subscribed(type, state);
      respond(type, state, newest(engine.snapshot()), false);
    }
  }

  /** Keeps {@link #edsHosts} in step with the EDS subscription. */
  private void subscribed(XdsType type, TypeState state) {
    if (type != XdsType.ENDPOINT) {
      return;
    }
    if (state.wildcard) {
      edsHosts = null;
      return;
    }
    Set<String> hosts = new HashSet<>();
    for (String name : state.names) {
      Optional<String> host = TranslationInputs.clusterHost(name);
      if (host.isEmpty()) {
        edsHosts = null;
        return;
      }
      hosts.add(host.get());
    }
    edsHosts = Set.copyOf(hosts);
  }

  @Override
  public boolean watchesAny(Set<String> hostnames) {
    synchronized (lock) {
      if (closed || proxy == null || !types.containsKey(XdsType.ENDPOINT)) {
        return false;
      }
      if (edsHosts == null) {
        return true;
      }
      for (String h : hostnames) {
        if (edsHosts.contains(h)) {
          return true;
        }
      }
      return false;
    }
  }

  private static SortedSet<String> names(DiscoveryRequest request) {
    SortedSet<String> names = new TreeSet<>(request.getResourceNamesList());
    names.remove("*"); // kept as the wildcard flag
    return Collections.unmodifiableSortedSet(names);
  }

  // ---- pushes (engine worker) ----

  @Override
  public Result push(MeshSnapshot snapshot, PushRequest request) {
    Result result = pushLocked(snapshot, request);
    if (result == Result.CLOSED) {
      onClosed();
    }
    return result;
  }

  private Result pushLocked(MeshSnapshot snapshot, PushRequest request) {
    synchronized (lock) {
      if (closed) {
        return Result.CLOSED;
      }
      if (proxy == null) {
        return Result.UNCHANGED;
      }
      if (!out.isReady()) {
        deferred = request.merge(deferred);
        return Result.DEFERRED;
      }
      MeshSnapshot snap = newest(snapshot);
      boolean sent = false;
      for (XdsType type : XdsType.values()) { // declaration order is push order
        TypeState state = types.get(type);
        if (state == null || (!request.full() && type != XdsType.ENDPOINT)) {
          continue;
        }
        sent |= respond(type, state, snap, true);
        if (closed) {
          return Result.CLOSED;
        }
      }
      return sent ? Result.SENT : Result.UNCHANGED;
    }
  }

  /** The given snapshot, or the engine's current one if a newer one was published meanwhile. */
  private MeshSnapshot newest(MeshSnapshot snapshot) {
    MeshSnapshot current = engine.snapshot();
    return current.version() > snapshot.version() ? current : snapshot;
  }

  private void onReady() {
    PushRequest request;
    synchronized (lock) {
      if (closed || deferred == null || !out.isReady()) {
        return;
      }
      request = deferred;
      deferred = null;
    }
    engine.requeue(this, request);
  }

  /**
   * Generates {@code type} and sends it, unless {@code onlyIfChanged} and it equals what was last
   * sent for the type. Returns true when a response was sent.
   */
  private boolean respond(
      XdsType type, TypeState state, MeshSnapshot snapshot, boolean onlyIfChanged) {
    long start = engine.nanoTime();
    GeneratedResources resources;
    try {
      resources = generate(type, state, snapshot);
    } catch (RuntimeException e) {
      LOG.error(
          "ADS:{} {}: generating resources at version {} failed; nothing sent",
          type.shortName(),
          connectionId,
          snapshot.version(),
          e);
      return false;
    }
    if (onlyIfChanged && resources.sameResources(state.sent)) {
      return false;
    }
    String version = Long.toString(snapshot.version());
    String nonce = number + "-" + (++nonces);
    DiscoveryResponse.Builder response =
        DiscoveryResponse.newBuilder()
            .setVersionInfo(version)
            .setTypeUrl(type.typeUrl())
            .setNonce(nonce);
    for (XdsResource r : resources.resources().values()) {
      response.addResources(r.any());
    }
    DiscoveryResponse built = response.build();
    try {
      out.onNext(built);
    } catch (RuntimeException e) {
      metrics.sendError(type);
      LOG.info("ADS:{} {}: send failed, closing: {}", type.shortName(), connectionId, e.toString());
      closeLocked();
      return false;
    }
    state.sentVersion = version;
    state.sentNonce = nonce;
    state.sentAt = clock.instant();
    state.sent = resources;
    metrics.sent(type, engine.nanoTime() - start, built.getSerializedSize());
    LOG.debug(
        "ADS:{} {}: sent version={} nonce={} resources={}",
        type.shortName(),
        connectionId,
        version,
        nonce,
        resources.size());
    return true;
  }

  private GeneratedResources generate(XdsType type, TypeState state, MeshSnapshot snapshot) {
    if (!state.wildcard && state.names.isEmpty()) {
      return GeneratedResources.none(type, snapshot.version()); // subscribed to nothing
    }
    Set<String> requested = state.wildcard ? Set.of() : state.names;
    return engine.resources(snapshot, proxy, type, requested);
  }

  // ---- lifecycle ----

  @Override
  public void onError(Throwable t) {
    LOG.debug("ADS: {} stream error: {}", id(), t.toString());
    onClosed();
  }

  @Override
  public void onCompleted() {
    synchronized (lock) {
      if (!closed) {
        try {
          out.onCompleted();
        } catch (RuntimeException ignored) {
          // already cancelled
        }
      }
    }
    onClosed();
  }

  /** Ends the stream from the server side (shutdown). */
  void terminate(Status status) {
    synchronized (lock) {
      if (!closed) {
        try {
          out.onError(status.asRuntimeException());
        } catch (RuntimeException ignored) {
          // already cancelled
        }
      }
    }
    onClosed();
  }

  private void fail(Status status) {
    try {
      out.onError(status.asRuntimeException());
    } catch (RuntimeException ignored) {
      // already cancelled
    }
    closed = true;
  }

  private void closeLocked() {
    if (!closed) {
      try {
        out.onError(Status.UNAVAILABLE.withDescription("send failed").asRuntimeException());
      } catch (RuntimeException ignored) {
        // already cancelled
      }
    }
    closed = true;
    deferred = null;
  }

  private void onClosed() {
    boolean wasInitialized;
    synchronized (lock) {
      closed = true;
      deferred = null;
      wasInitialized = proxy != null;
    }
    engine.unregister(this);
    if (server.removed(this) && wasInitialized) {
      LOG.info("ADS: connection {} closed", id());
    }
  }

  /** A copy of the state, or null before the node was parsed. */
  ConnectionStatus status() {
    synchronized (lock) {
      if (proxy == null) {
        return null;
      }
      Map<XdsType, ConnectionStatus.TypeStatus> out = new EnumMap<>(XdsType.class);
      types.forEach(
          (type, s) ->
              out.put(
                  type,
                  new ConnectionStatus.TypeStatus(
                      type,
                      s.wildcard,
                      s.names,
                      s.sentVersion,
                      s.sentNonce,
                      Optional.ofNullable(s.sentAt),
                      s.ackedVersion,
                      s.ackedNonce,
                      Optional.ofNullable(s.lastNack),
                      s.sent == null ? Collections.emptySortedMap() : s.sent.messages())));
      return new ConnectionStatus(connectionId, proxy.nodeId(), proxy, connectedAt, peer, out);
    }
  }
}
