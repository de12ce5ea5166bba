package io.jpilot.xds;

import static java.util.Objects.requireNonNull;

import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jpilot.push.PushEngine;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ADS gRPC server: state-of-the-world {@code StreamAggregatedResources} (xDS v3) for CDS, EDS,
 * LDS and RDS, fed by a {@link PushEngine}.
 *
 * <p>Per stream and type it keeps a version and a nonce. The version is the version of the {@link
 * io.jpilot.model.MeshSnapshot} the response was generated from (the push number), so it is
 * deterministic and the same for every proxy served from one snapshot; the nonce ({@code
 * <connection number>-<n>}) is unique within this server. A response is sent for the first request
 * of a type, for an ACK whose resource names changed, and on pushes only when the generated
 * resources differ from those last sent for that type, so a NACKed response is never sent again
 * unchanged. Pushes go in the order CDS, EDS, LDS, RDS; endpoint-only pushes regenerate EDS alone.
 * EDS pushes carry only the assignments that changed, and wait for the answer to the stream's
 * previous EDS response (see {@link AdsConnection}).
 *
 * <p>Incremental xDS ({@code DeltaAggregatedResources}) is served beside it on the same port, from
 * the same engine and resources: see {@link DeltaAdsConnection}. Both kinds of stream show in
 * {@link #connections()}.
 */
public final class XdsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);
  private static final int MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

  /** istiod's --keepaliveMaxServerConnectionAge: clients reconnect, spreading over replicas. */
  public static final Duration DEFAULT_MAX_CONNECTION_AGE = Duration.ofMinutes(30);

  /** istiod's MaxServerConnectionAgeGrace: how long streams may finish after the GOAWAY. */
  static final Duration MAX_CONNECTION_AGE_GRACE = Duration.ofSeconds(10);

  private final String bind;
  private final int requestedPort;
  private final PushEngine engine;
  private final XdsMetrics metrics;
  private final Clock clock;
  private final Set<XdsConnection<?, ?, ?>> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong connectionNumbers = new AtomicLong();
  private final Optional<XdsTls> tls;
  private final Duration maxConnectionAge;
  private Server server;
  private Server tlsServer;

  /**
   * @param bind the address to listen on (e.g. 127.0.0.1 or 0.0.0.0)
   * @param port the port; 0 picks a free one (see {@link #port()})
   */
  public XdsServer(String bind, int port, PushEngine engine, MeterRegistry meters) {
    this(bind, port, engine, meters, Clock.systemUTC());
  }

  /**
   * @param tls when present, ADS is also served over TLS on {@link XdsTls#port()}
   * @param maxConnectionAge connections older than this get a GOAWAY (and 10s to finish their
   *     streams), so clients reconnect and spread over replicas
   */
  public XdsServer(
      String bind,
      int port,
      PushEngine engine,
      MeterRegistry meters,
      Optional<XdsTls> tls,
      Duration maxConnectionAge) {
    this(bind, port, engine, meters, Clock.systemUTC(), tls, maxConnectionAge);
  }

  XdsServer(String bind, int port, PushEngine engine, MeterRegistry meters, Clock clock) {
    this(bind, port, engine, meters, clock, Optional.empty(), DEFAULT_MAX_CONNECTION_AGE);
  }

  private XdsServer(
      String bind,
      int port,
      PushEngine engine,
      MeterRegistry meters,
      Clock clock,
      Optional<XdsTls> tls,
      Duration maxConnectionAge) {
    this.tls = requireNonNull(tls, "tls");
    this.maxConnectionAge = requireNonNull(maxConnectionAge, "maxConnectionAge");
    if (maxConnectionAge.isNegative() || maxConnectionAge.isZero()) {
      throw new IllegalArgumentException(
          "maxConnectionAge: " + maxConnectionAge + " (expected: > 0)");
    }
    this.bind = requireNonNull(bind, "bind");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    this.requestedPort = port;
    this.engine = requireNonNull(engine, "engine");
    this.metrics = new XdsMetrics(requireNonNull(meters, "meters"));
    this.clock = requireNonNull(clock, "clock");
  }

  /** Binds and starts serving. The engine is started separately. */
  public synchronized void start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    server =
        configure(NettyServerBuilder.forAddress(new InetSocketAddress(bind, requestedPort)))
            .build()
            .start();
    if (tls.isPresent()) {
      XdsTls t = tls.get();
      try {
        TlsServerCredentials.Builder credentials =
            TlsServerCredentials.newBuilder()
                .keyManager(t.certChain().toFile(), t.privateKey().toFile());
        if (t.clientCa().isPresent()) {
          credentials
              .trustManager(t.clientCa().get().toFile())
              .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        tlsServer =
            configure(
                    NettyServerBuilder.forAddress(
                        new InetSocketAddress(bind, t.port()), credentials.build()))
                .build()
                .start();
      } catch (IOException | RuntimeException e) {
        server.shutdownNow();
        server = null;
        throw new IOException("xDS over TLS on port " + t.port() + ": " + e.getMessage(), e);
      }
    }
    LOG.debug("ADS server listening on {}:{}", bind, port());
  }

  private NettyServerBuilder configure(NettyServerBuilder b) {
    return b.addService(ServerInterceptors.intercept(new AdsService(), new PeerInterceptor()))
        .maxInboundMessageSize(MAX_RECEIVE_BYTES)
        // istiod's keepalive: ping idle clients, and let them ping every 15s.
        .keepAliveTime(30, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .permitKeepAliveTime(15, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .maxConnectionAge(maxConnectionAge.toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAgeGrace(MAX_CONNECTION_AGE_GRACE.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The bound TLS port, when serving TLS. */
  public synchronized OptionalInt tlsPort() {
    if (tlsServer == null) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(((InetSocketAddress) tlsServer.getListenSockets().get(0)).getPort());
  }

  /** The bound port. */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** Every stream whose node has been parsed, by node id then connection id. */
  public List<ConnectionStatus> connections() {
    List<ConnectionStatus> out = new ArrayList<>();
    for (XdsConnection<?, ?, ?> c : connections) {
      ConnectionStatus s = c.status();
      if (s != null) {
        out.add(s);
      }
    }
    out.sort(
        Comparator.comparing(ConnectionStatus::nodeId)
            .thenComparing(ConnectionStatus::connectionId));
    return out;
  }

  /** Ends every stream with UNAVAILABLE (clients reconnect elsewhere) and stops listening. */
  @Override
  public void close() {
    List<Server> servers = new ArrayList<>();
    synchronized (this) {
      if (server != null) {
        servers.add(server);
      }
      if (tlsServer != null) {
        servers.add(tlsServer);
      }
    }
    if (servers.isEmpty()) {
      return;
    }
    servers.forEach(Server::shutdown); // no new streams; GOAWAY to every client
    for (XdsConnection<?, ?, ?> c : new ArrayList<>(connections)) {
      c.terminate(Status.UNAVAILABLE.withDescription("server shutting down"));
    }
    for (Server s : servers) {
      try {
        if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
          s.shutdownNow();
        }
      } catch (InterruptedException e) {
        s.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  void added(XdsConnection<?, ?, ?> c) {
    connections.add(c);
  }

  /** Returns true if it was present. */
  boolean removed(XdsConnection<?, ?, ?> c) {
    return connections.remove(c);
  }

  private static final Context.Key<SocketAddress> PEER = Context.key("jpilot-xds-peer");

  /** Makes the client's address visible to the service through {@link #PEER}. */
  private static final class PeerInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      Context context =
          Context.current()
              .withValue(PEER, call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
      return Contexts.interceptCall(context, call, headers, next);
    }
  }

  private final class AdsService
      extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
    @Override
    public StreamObserver<DiscoveryRequest> streamAggregatedResources(
        StreamObserver<DiscoveryResponse> responseObserver) {
      SocketAddress remote = PEER.get();
      return new AdsConnection(
          XdsServer.this,
          engine,
          metrics,
          (ServerCallStreamObserver<DiscoveryResponse>) responseObserver,
          connectionNumbers.incrementAndGet(),
          remote == null ? "unknown" : remote.toString(),
          clock);
    }

    @Override
    public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
        StreamObserver<DeltaDiscoveryResponse> responseObserver) {
      SocketAddress remote = PEER.get();
      return new DeltaAdsConnection(
          XdsServer.this,
          engine,
          metrics,
          (ServerCallStreamObserver<DeltaDiscoveryResponse>) responseObserver,
          connectionNumbers.incrementAndGet(),
          remote == null ? "unknown" : remote.toString(),
          clock);
    }
  }
}
