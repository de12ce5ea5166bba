package io.jpilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.jpilot.model.ConfigStore;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import io.jpilot.push.PushEngine;
import io.jpilot.push.PushSettings;
import io.jpilot.translate.Translator;
import io.jpilot.translate.XdsType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADS over TLS (istiod's 15012) from PEM files, with and without required client certificates; the
 * maximum connection age; and a shutdown that ends streams so clients go elsewhere.
 */
@Timeout(60)
class XdsTlsAndLifecycleTest {
  private static final String NODE_ID = "sidecar~10.1.0.9~app-1.default~default.svc.cluster.local";

  @TempDir Path dir;
  private final ConfigStore store = new ConfigStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private PushEngine engine;
  private XdsServer server;
  private TestCertificates certs;

  @BeforeEach
  void setUp() throws Exception {
    store.put(
        new Service(
            "a.default.svc.cluster.local",
            "a",
            "default",
            "10.96.0.1",
            List.of(new ServicePort("http", 80, 8080, "", Protocol.HTTP)),
            Map.of("app", "a"),
            Map.of()));
    store.put(
        new EndpointSlice(
            "a-1",
            "default",
            "a",
            List.of(new EndpointSlice.Port("http", 8080)),
            List.of(new EndpointSlice.Entry(List.of("10.1.0.1"), true, "", "", ""))));
    engine =
        new PushEngine(
            store,
            "cluster.local",
            new PushSettings(Duration.ZERO, Duration.ofSeconds(10), 2),
            new Translator()::generate,
            meters);
    engine.start();
    certs = new TestCertificates(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
    engine.close();
  }

  @Test
  void servesAdsOverTlsWithTheCertificateFromFiles() throws Exception {
    TestCertificates.Issued serverCert = certs.server();
    start(
        new XdsTls(0, serverCert.cert(), serverCert.key(), Optional.empty()),
        Duration.ofMinutes(30));

    Stream tls =
        open(
            server.tlsPort().getAsInt(),
            TlsChannelCredentials.newBuilder().trustManager(certs.ca().cert().toFile()).build());
    DiscoveryResponse clusters = tls.firstResponse();
    assertThat(clusters.getResourcesCount()).isPositive();
    // the plaintext port serves the same
    Stream plain = open(server.port(), InsecureChannelCredentials.create());
    assertThat(plain.firstResponse().getResourcesList()).isEqualTo(clusters.getResourcesList());
    // a client that does not trust the server's CA gets nothing
    Stream untrusting = open(server.tlsPort().getAsInt(), TlsChannelCredentials.create());
    assertThat(untrusting.closed.get(10, TimeUnit.SECONDS).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void requiresClientCertificatesSignedByTheClientCa() throws Exception {
    TestCertificates.Issued serverCert = certs.server();
    TestCertificates.Issued client = certs.client("proxy-1");
    start(
        new XdsTls(0, serverCert.cert(), serverCert.key(), Optional.of(certs.ca().cert())),
        Duration.ofMinutes(30));
    int port = server.tlsPort().getAsInt();

    Stream withCert =
        open(
            port,
            TlsChannelCredentials.newBuilder()
                .trustManager(certs.ca().cert().toFile())
                .keyManager(client.cert().toFile(), client.key().toFile())
                .build());
    assertThat(withCert.firstResponse().getResourcesCount()).isPositive();

    Stream withoutCert =
        open(
            port,
            TlsChannelCredentials.newBuilder().trustManager(certs.ca().cert().toFile()).build());
    assertThat(withoutCert.closed.get(10, TimeUnit.SECONDS).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void aBadKeyFileFailsTheStart() throws Exception {
    TestCertificates.Issued serverCert = certs.server();
    server =
        new XdsServer(
            "127.0.0.1",
            0,
            engine,
            meters,
            Optional.of(
                new XdsTls(0, serverCert.cert(), dir.resolve("missing.pem"), Optional.empty())),
            Duration.ofMinutes(30));
    try {
      server.start();
      throw new AssertionError("start() should fail");
    } catch (java.io.IOException e) {
      assertThat(e).hasMessageContaining("xDS over TLS");
    }
  }

  @Test
  void connectionsOlderThanTheMaximumAgeAreClosedAndClientsReconnect() throws Exception {
    start(null, Duration.ofSeconds(1));
    Stream s = open(server.port(), InsecureChannelCredentials.create());
    s.firstResponse();
    // GOAWAY at ~1s, then 10s of grace for the stream before the connection is closed
    Status status = s.closed.get(30, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    // the same channel opens a new connection for the next stream
    Stream again = open(server.port(), InsecureChannelCredentials.create());
    assertThat(again.firstResponse().getResourcesCount()).isPositive();
  }

  @Test
  void closeEndsEveryStreamAndStopsListening() throws Exception {
    start(null, Duration.ofMinutes(30));
    Stream s = open(server.port(), InsecureChannelCredentials.create());
    s.firstResponse();
    int port = server.port();
    server.close();
    assertThat(s.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    Stream refused = open(port, InsecureChannelCredentials.create());
    assertThat(refused.closed.get(10, TimeUnit.SECONDS).getCode())
        .isEqualTo(Status.Code.UNAVAILABLE);
    server = null;
  }

  // ---------------------------------------------------------------------------------------------

  private void start(XdsTls tls, Duration maxAge) throws Exception {
    server = new XdsServer("127.0.0.1", 0, engine, meters, Optional.ofNullable(tls), maxAge);
    server.start();
  }

  /** One ADS stream asking for every cluster. */
  private final class Stream {
    final BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();

    DiscoveryResponse firstResponse() throws InterruptedException {
      DiscoveryResponse r = responses.poll(10, TimeUnit.SECONDS);
      assertThat(r).as("a response (stream closed: %s)", closed.getNow(null)).isNotNull();
      return r;
    }
  }

  private Stream open(int port, ChannelCredentials credentials) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port, credentials).build();
    channels.add(channel);
    Stream s = new Stream();
    StreamObserver<DiscoveryRequest> requests =
        AggregatedDiscoveryServiceGrpc.newStub(channel)
            .streamAggregatedResources(
                new StreamObserver<>() {
                  @Override
                  public void onNext(DiscoveryResponse value) {
                    s.responses.add(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    s.closed.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    s.closed.complete(Status.OK);
                  }
                });
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setNode(Node.newBuilder().setId(NODE_ID))
            .setTypeUrl(XdsType.CLUSTER.typeUrl())
            .build());
    return s;
  }
}
