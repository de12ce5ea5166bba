package io.jpilot.xds;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.push.GeneratedResources;
import io.jpilot.push.PushEngine;
import io.jpilot.push.PushRequest;
import io.jpilot.push.PushTarget;
import io.jpilot.push.SendBudget;
import io.jpilot.translate.TranslationInputs;
import io.jpilot.translate.XdsType;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every ADS stream shares, whatever its protocol variant (state of the world or delta): node
 * parsing and registration, the push loop and its deferral, NACK bookkeeping, sending, and the
 * stream's lifecycle. Subclasses keep the per-type protocol state.
 *
 * <p>Every state change and every send happens under {@link #lock}, so requests (gRPC threads) and
 * pushes (engine workers) never interleave on the non-thread-safe response observer. Sending never
 * blocks: gRPC buffers what the transport cannot take yet. When the stream reports it is not ready
 * (the client is not reading), a push is not generated at all; it is merged into one deferred
 * request, and the stream asks the engine to queue it again once gRPC calls the on-ready handler. A
 * slow client therefore costs one pending request, and never holds a worker. What a stream is sent
 * counts against the engine's {@link SendBudget} until gRPC reports the stream ready again, which
 * paces the workers by how fast the sockets drain.
 *
 * @param <Q> the request message
 * @param <R> the response message
 * @param <S> the per-type state
 */
abstract class XdsConnection<Q, R, S extends XdsConnection.SyncState> implements PushTarget, StreamObserver<Q> {
  private static final Logger LOG = LoggerFactory.getLogger(XdsConnection.class);

  final PushEngine engine;
  final XdsMetrics metrics;
  final Clock clock;
  final long number;
  final Object lock = new Object();

  private final XdsServer server;
  private final ServerCallStreamObserver<R> out;
  private final String peer;
  private final Instant connectedAt;
  private final String kind;
  private final Function<Q, Node> node;
  private final Function<Q, String> typeUrl;
  private final Set<String> unsupportedTypeUrls = new HashSet<>();

  /** State per type asked for. Guarded by {@link #lock}. */
  final Map<XdsType, S> types = new EnumMap<>(XdsType.class);

  /** Guarded by {@link #lock}. */
  String connectionId;

  /** The proxy, once the first request's node was parsed. Guarded by {@link #lock}. */
  ProxyView proxy;

  /** Set when the stream ended or failed. Guarded by {@link #lock}. */
  boolean closed;

  private long nonces;
  private PushRequest deferred;

  /** This stream's share of the engine's send budget: what it was sent and has not drained. */
  private final SendBudget.Account sendAccount;

  /** Engine time the earliest push held for a client's answer began; {@link #NOT_HELD} if none. */
  private long heldSince = NOT_HELD;

  private static final long NOT_HELD = Long.MAX_VALUE;

  /** Hosts of the EDS names subscribed to, or null when one name is not a service's cluster. */
  private Set<String> edsHosts = Set.of();

  /**
   * @param kind "ADS" or "Delta ADS", for logs
   * @param node a request's node (the default instance when absent)
   * @param typeUrl a request's type URL
   */
  XdsConnection(
      String kind,
      Function<Q, Node> node,
      Function<Q, String> typeUrl,
      XdsServer server,
      PushEngine engine,
      XdsMetrics metrics,
      ServerCallStreamObserver<R> out,
      long number,
      String peer,
      Clock clock) {
    this.kind = requireNonNull(kind, "kind");
    this.node = requireNonNull(node, "node");
    this.typeUrl = requireNonNull(typeUrl, "typeUrl");
    this.server = requireNonNull(server, "server");
    this.engine = requireNonNull(engine, "engine");
    this.metrics = requireNonNull(metrics, "metrics");
    this.out = requireNonNull(out, "out");
    this.number = number;
    this.peer = requireNonNull(peer, "peer");
    this.clock = requireNonNull(clock, "clock");
    this.connectedAt = clock.instant();
    this.connectionId = "unknown-" + number;
    this.sendAccount = engine.sendBudget().open();
    out.setOnCancelHandler(this::onClosed);
    out.setOnReadyHandler(this::onReady);
  }

  // ---- what a protocol variant supplies (all called under the lock) ----

  /** Handles a request for a served type, from an initialized proxy. */
  abstract void handle(XdsType type, Q request);

  /**
   * Regenerates {@code type} from {@code snapshot} and sends what changed, or holds the push until
   * the client answers the response of {@code type} it has not answered yet.
   */
  abstract Pushed pushType(XdsType type, MeshSnapshot snapshot);

  /** What a push did for one type. */
  enum Pushed {
    SENT,
    UNCHANGED,
    /** Held until the client answers the type's previous response; then sent from the newest. */
    HELD
  }

  /**
   * One type's subscription, and what was sent, acknowledged and rejected for it: the part of its
   * state every protocol variant shares.
   */
  abstract static class SyncState {
    boolean wildcard;
    SortedSet<String> names = new TreeSet<>();
    String sentVersion = "";
    String sentNonce = "";
    Instant sentAt;
    String ackedVersion = "";
    String ackedNonce = "";
    ConnectionStatus.Nack lastNack;

    void sent(String version, String nonce, Instant at) {
      sentVersion = version;
      sentNonce = nonce;
      sentAt = at;
    }

    void acked(String version, String nonce) {
      ackedVersion = version;
      ackedNonce = nonce;
    }

    /** The resources the client holds, by name, as far as the server knows. */
    abstract SortedMap<String, Message> resources();

    ConnectionStatus.TypeStatus status(XdsType type) {
      return new ConnectionStatus.TypeStatus(
          type,
          wildcard,
          names,
          sentVersion,
          sentNonce,
          Optional.ofNullable(sentAt),
          ackedVersion,
          ackedNonce,
          Optional.ofNullable(lastNack),
          resources());
    }
  }

  @Override
  public String id() {
    synchronized (lock) {
      return connectionId;
    }
  }

  // ---- requests (gRPC thread) ----

  @Override
  public void onNext(Q request) {
    boolean sendFailed;
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (proxy == null && !initialize(node.apply(request))) {
        return;
      }
      String url = typeUrl.apply(request);
      XdsType type = XdsType.fromTypeUrl(url);
      if (type == null) {
        if (unsupportedTypeUrls.add(url)) {
          LOG.warn(
              "{}: {} requested type {}, which is not served; ignoring it", kind, connectionId, url);
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
  private boolean initialize(Node node) {
    if (node.getId().isEmpty()) {
      fail(Status.INVALID_ARGUMENT.withDescription("missing node information"));
      return false;
    }
    try {
      proxy = ProxyNodes.parse(node);
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: rejecting stream from {}: {}", kind, peer, e.getMessage());
      fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
      return false;
    }
    connectionId = proxy.id() + "-" + number;
    server.added(this);
    engine.register(this);
    LOG.info("{}: new connection {} node={} peer={}", kind, connectionId, proxy.nodeId(), peer);
    return true;
  }

  /** A nonce unique within this server: {@code <connection number>-<n>}. */
  String nextNonce() {
    return number + "-" + (++nonces);
  }

  /**
   * Records a rejected response: the returned NACK for the type's status, the reject counter, and a
   * warning. The error text is folded onto one line.
   */
  ConnectionStatus.Nack rejected(XdsType type, String version, String nonce, String error) {
    String message = error.replaceAll("\\s*\\R\\s*", " ");
    metrics.rejected(type);
    LOG.warn(
        "{}:{} NACK node={} connection={} version={} nonce={} error={}",
        kind,
        type.shortName(),
        proxy.nodeId(),
        connectionId,
        version,
        nonce,
        message);
    return new ConnectionStatus.Nack(version, nonce, message, clock.instant());
  }

  /** Counts and logs a request whose nonce is not one this stream is waiting for. */
  void expiredNonce(XdsType type, String nonce) {
    metrics.expiredNonce(type);
    LOG.debug("{}:{} {}: expired nonce {}, ignoring it", kind, type.shortName(), connectionId, nonce);
  }

  /** Keeps the hosts used by {@link #watchesAny} in step with the EDS subscription. */
  void endpointSubscription(boolean wildcard, Set<String> names) {
    if (wildcard) {
      edsHosts = null;
      return;
    }
    Set<String> hosts = new HashSet<>();
    for (String name : names) {
      Optional<String> host = TranslationInputs.clusterHost(name);
      if (host.isEmpty()) {
        edsHosts = null;
        return;
      }
      hosts.add(host.get());
    }
    edsHosts = NameSets.hosts(Set.copyOf(hosts));
  }

  @Override
  public Optional<ProxyView> proxy() {
    synchronized (lock) {
      return Optional.ofNullable(proxy);
    }
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

  /**
   * Generates {@code type} for this proxy; all of it when {@code wildcard}, else {@code names}
   * (nothing for none). Null when generation failed (logged).
   */
  GeneratedResources generate(
      XdsType type, boolean wildcard, Set<String> names, MeshSnapshot snapshot) {
    if (!wildcard && names.isEmpty()) {
      return GeneratedResources.none(type, snapshot.version()); // subscribed to nothing
    }
    try {
      return engine.resources(snapshot, proxy, type, wildcard ? Set.of() : names);
    } catch (RuntimeException e) {
      LOG.error(
          "{}:{} {}: generating resources at version {} failed; nothing sent",
          kind,
          type.shortName(),
          connectionId,
          snapshot.version(),
          e);
      return null;
    }
  }

  /**
   * Sends a response; on failure the stream is closed and false returned. {@code startNanos} is the
   * engine time the response's generation began, for the push-time metric.
   */
  boolean send(XdsType type, R response, int bytes, long startNanos) {
    try {
      out.onNext(response);
    } catch (RuntimeException e) {
      metrics.sendError(type);
      LOG.info(
          "{}:{} {}: send failed, closing: {}", kind, type.shortName(), connectionId, e.toString());
      closeLocked();
      return false;
    }
    metrics.sent(type, engine.nanoTime() - startNanos, bytes);
    // Owed until gRPC reports the stream ready again (on-ready handler); at once if it still is,
    // since then at most gRPC's small on-ready threshold waits to be written.
    SendBudget budget = engine.sendBudget();
    budget.charge(sendAccount, bytes);
    if (out.isReady()) {
      budget.settle(sendAccount);
    }
    return true;
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
      boolean held = false;
      for (XdsType type : XdsType.values()) { // declaration order is push order
        if (!types.containsKey(type) || !request.types().contains(type)) {
          continue;
        }
        Pushed pushed = pushType(type, snap);
        sent |= pushed == Pushed.SENT;
        held |= pushed == Pushed.HELD;
        if (closed) {
          return Result.CLOSED;
        }
      }
      if (held) {
        heldSince = Math.min(heldSince, request.startNanos());
      }
      return sent ? Result.SENT : held ? Result.DEFERRED : Result.UNCHANGED;
    }
  }

  /**
   * Called (under the lock) once no push is held any more for this stream: the held pushes have
   * now reached the client, which the convergence metric records.
   */
  void heldPushesDone() {
    if (heldSince != NOT_HELD) {
      engine.heldPushDelivered(heldSince);
      heldSince = NOT_HELD;
    }
  }

  /** The given snapshot, or the engine's current one if a newer one was published meanwhile. */
  MeshSnapshot newest(MeshSnapshot snapshot) {
    MeshSnapshot current = engine.snapshot();
    return current.version() > snapshot.version() ? current : snapshot;
  }

  private void onReady() {
    PushRequest request;
    synchronized (lock) {
      engine.sendBudget().settle(sendAccount);
      if (closed || deferred == null || !out.isReady()) {
        return;
      }
      request = deferred;
      deferred = null;
    }
    engine.requeue(this, request);
  }

  // ---- lifecycle ----

  @Override
  public void onError(Throwable t) {
    LOG.debug("{}: {} stream error: {}", kind, id(), t.toString());
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
      engine.sendBudget().settle(sendAccount);
    }
    engine.unregister(this);
    if (server.removed(this) && wasInitialized) {
      LOG.info("{}: connection {} closed", kind, id());
    }
  }

  /** A copy of the state, or null before the node was parsed. */
  ConnectionStatus status() {
    synchronized (lock) {
      if (proxy == null) {
        return null;
      }
      Map<XdsType, ConnectionStatus.TypeStatus> out = new EnumMap<>(XdsType.class);
      types.forEach((type, state) -> out.put(type, state.status(type)));
      return new ConnectionStatus(connectionId, proxy.nodeId(), proxy, connectedAt, peer, out);
    }
  }
}
