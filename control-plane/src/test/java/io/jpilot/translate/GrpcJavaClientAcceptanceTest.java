package io.jpilot.translate;

import static io.jpilot.translate.TestMesh.dest;
import static io.jpilot.translate.TestMesh.dr;
import static io.jpilot.translate.TestMesh.header;
import static io.jpilot.translate.TestMesh.route;
import static io.jpilot.translate.TestMesh.subset;
import static io.jpilot.translate.TestMesh.vs;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.grpc.xds.XdsNameResolverProvider;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The proxyless flavour against a real grpc-java xDS client: a minimal state-of-the-world ADS
 * server answers from the translator, and the client dials {@code
 * xds:///reviews.default.svc.cluster.local:9080}. The client NACKs anything it cannot use, so this
 * checks LDS, RDS, CDS and EDS together; the answers must also route by header and weight.
 * Everything listens on 127.0.0.1.
 */
class GrpcJavaClientAcceptanceTest {
  private static final String SCHEME = "jpilot-xds-acceptance";
  private static final String TARGET = "reviews.default.svc.cluster.local:9080";

  private static final MethodDescriptor.Marshaller<String> STRING =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };
  private static final MethodDescriptor<String, String> WHO =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("jpilot.test.Reviews/Who")
          .setRequestMarshaller(STRING)
          .setResponseMarshaller(STRING)
          .build();

  private final List<Server> servers = new ArrayList<>();
  private final List<String> nacks = new CopyOnWriteArrayList<>();
  private ManagedChannel channel;
  private XdsNameResolverProvider resolver;

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (resolver != null) {
      NameResolverRegistry.getDefaultRegistry().deregister(resolver);
    }
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private Server start(ServerServiceDefinition... services) throws IOException {
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    for (ServerServiceDefinition s : services) {
      b.addService(s);
    }
    Server server = b.build().start();
    servers.add(server);
    return server;
  }

  /** A backend that answers Who with its version. */
  private int backend(String version) throws IOException {
    ServerServiceDefinition def =
        ServerServiceDefinition.builder("jpilot.test.Reviews")
            .addMethod(
                WHO,
                ServerCalls.asyncUnaryCall(
                    (req, out) -> {
                      out.onNext(version);
                      out.onCompleted();
                    }))
            .build();
    return start(def).getPort();
  }

  /** Bookinfo's reviews as a gRPC service whose subsets run on the three backends. */
  private static MeshSnapshot mesh(Map<String, Integer> portByVersion) {
    List<MeshObject> objects = new ArrayList<>();
    objects.add(
        new Service(
            TestMesh.fqdn("reviews", "default"),
            "reviews",
            "default",
            "10.96.0.12",
            List.of(new ServicePort("grpc", 9080, 9080, "", Protocol.GRPC)),
            Map.of("app", "reviews"),
            Map.of()));
    portByVersion.forEach(
        (version, port) -> {
          String pod = "reviews-" + version;
          objects.add(
              new Pod(
                  pod,
                  "default",
                  Map.of("app", "reviews", "version", version),
                  List.of("127.0.0.1"),
                  "node",
                  new Locality("local", "zone-a", "")));
          objects.add(
              new EndpointSlice(
                  "reviews-" + version,
                  "default",
                  "reviews",
                  List.of(new EndpointSlice.Port("grpc", port)),
                  List.of(new EndpointSlice.Entry(List.of("127.0.0.1"), true, "", "node", pod))));
        });
    objects.add(
        vs(
            "default",
            "reviews",
            List.of("reviews"),
            route(
                "", List.of(header("end-user", StringMatch.exact("jason"))), dest("reviews", "v3")),
            route(dest("reviews", "v1", 80), dest("reviews", "v2", 20))));
    objects.add(
        dr(
            "default",
            "reviews",
            "reviews",
            LoadBalancer.RANDOM,
            subset("v1", Map.of("version", "v1")),
            subset("v2", Map.of("version", "v2")),
            subset("v3", Map.of("version", "v3"))));
    return MeshSnapshot.build(1, TestMesh.SUFFIX, objects);
  }

  /** State of the world: answer each new subscription, ignore ACKs, record NACKs. */
  private final class AdsService
      extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {
    private final MeshSnapshot snapshot;
    private final Translator translator = new Translator();

    AdsService(MeshSnapshot snapshot) {
      this.snapshot = snapshot;
    }

    @Override
    public StreamObserver<DiscoveryRequest> streamAggregatedResources(
        StreamObserver<DiscoveryResponse> responses) {
      return new StreamObserver<>() {
        private final Map<String, Set<String>> sent = new HashMap<>();
        private ProxyView proxy;
        private int version;

        @Override
        public void onNext(DiscoveryRequest req) {
          if (proxy == null) {
            Map<String, String> meta = new HashMap<>();
            for (Map.Entry<String, Value> e :
                req.getNode().getMetadata().getFieldsMap().entrySet()) {
              meta.put(e.getKey(), e.getValue().getStringValue());
            }
            proxy = ProxyView.parse(req.getNode().getId(), meta, Map.of(), null);
          }
          if (req.hasErrorDetail()) {
            nacks.add(req.getTypeUrl() + ": " + req.getErrorDetail().getMessage());
            return;
          }
          XdsType type = XdsType.fromTypeUrl(req.getTypeUrl());
          Set<String> names = new TreeSet<>(req.getResourceNamesList());
          if (type == null
              || (!req.getResponseNonce().isEmpty() && names.equals(sent.get(req.getTypeUrl())))) {
            return;
          }
          SortedMap<String, Message> resources = translator.generate(snapshot, proxy, type, names);
          XdsYaml.assertValid(resources);
          version++;
          DiscoveryResponse.Builder out =
              DiscoveryResponse.newBuilder()
                  .setTypeUrl(req.getTypeUrl())
                  .setVersionInfo(Integer.toString(version))
                  .setNonce(Integer.toString(version));
          resources.values().forEach(m -> out.addResources(Any.pack(m)));
          sent.put(req.getTypeUrl(), names);
          responses.onNext(out.build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }
  }

  private String who(Map<String, String> headers) {
    Metadata md = new Metadata();
    headers.forEach((k, v) -> md.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
    return ClientCalls.blockingUnaryCall(
        io.grpc.ClientInterceptors.intercept(
            channel, MetadataUtils.newAttachHeadersInterceptor(md)),
        WHO,
        CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(20, TimeUnit.SECONDS),
        "who?");
  }

  @Test
  void grpcJavaRoutesThroughTranslatedResources() throws Exception {
    Map<String, Integer> ports = new HashMap<>();
    for (String v : List.of("v1", "v2", "v3")) {
      ports.put(v, backend(v));
    }
    Server ads = start(new AdsService(mesh(ports)).bindService());
    int adsPort = ads.getPort();

    Map<String, Object> bootstrap =
        Map.of(
            "xds_servers",
            List.of(
                Map.of(
                    "server_uri", "127.0.0.1:" + adsPort,
                    "channel_creds", List.of(Map.of("type", "insecure")),
                    "server_features", List.of("xds_v3"))),
            "node",
            Map.of(
                "id",
                "sidecar~127.0.0.1~grpc-client.default~default.svc.cluster.local",
                "metadata",
                Map.of("GENERATOR", "grpc", "NAMESPACE", "default")));
    resolver = XdsNameResolverProvider.createForTest(SCHEME, bootstrap);
    NameResolverRegistry.getDefaultRegistry().register(resolver);
    channel =
        Grpc.newChannelBuilder(SCHEME + ":///" + TARGET, InsecureChannelCredentials.create())
            .build();

    for (int i = 0; i < 5; i++) {
      assertThat(who(Map.of("end-user", "jason"))).isEqualTo("v3");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      seen.add(who(Map.of()));
    }
    assertThat(seen).contains("v1").isSubsetOf("v1", "v2");
    assertThat(nacks).isEmpty();
  }
}
