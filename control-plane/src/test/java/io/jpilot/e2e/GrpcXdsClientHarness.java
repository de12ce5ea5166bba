package io.jpilot.e2e;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.internal.JsonParser;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.xds.XdsNameResolverProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Test support for end-to-end tests that drive a real grpc-java xDS client: the bootstrap a
 * proxyless client presents, backends that answer with their own identity on loopback addresses,
 * xDS channels, and RPC tallies. Closing the harness shuts down every channel, then every backend.
 *
 * <p>Each channel gets its own bootstrap through {@link XdsNameResolverProvider#createForTest}, and
 * with it its own XdsClient. The {@code io.grpc.xds.bootstrapConfig} system property is not used:
 * grpc-java reads it once per JVM and caches the result, so a second test with another xDS port
 * would silently talk to the first one's server.
 */
final class GrpcXdsClientHarness implements AutoCloseable {

  /** The unary method every backend serves; the response is the backend's identity. */
  static final MethodDescriptor<String, String> WHO_AM_I =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(
              MethodDescriptor.generateFullMethodName("jpilot.e2e.Identity", "WhoAmI"))
          .setRequestMarshaller(Utf8Marshaller.INSTANCE)
          .setResponseMarshaller(Utf8Marshaller.INSTANCE)
          .build();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PORT_ATTEMPTS = 20;

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Backend> backends = new ArrayList<>();

  // ---------------------------------------------------------------------------------------------
  // Bootstrap

  /** The xDS node a client presents: its id, metadata and locality. */
  record Node(String id, Map<String, String> metadata, String region, String zone, String subZone) {
    Node {
      requireNonNull(id, "id");
      metadata = Map.copyOf(requireNonNull(metadata, "metadata"));
      requireNonNull(region, "region");
      requireNonNull(zone, "zone");
      requireNonNull(subZone, "subZone");
    }

    /**
     * A proxyless gRPC client the way istio-agent describes one: node id {@code
     * sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local} and metadata {@code GENERATOR=grpc}, {@code
     * NAMESPACE}, {@code INSTANCE_IPS}. The locality is set because some clients (grpc-js) insist
     * on one; it does not matter to grpc-java.
     */
    static Node proxylessGrpc(String ip, String podName, String namespace) {
      return new Node(
          "sidecar~"
              + ip
              + "~"
              + podName
              + "."
              + namespace
              + "~"
              + namespace
              + ".svc.cluster.local",
          Map.of("GENERATOR", "grpc", "NAMESPACE", namespace, "INSTANCE_IPS", ip),
          "local",
          "local-a",
          "");
    }
  }

  /**
   * The bootstrap JSON for one ADS server over plaintext: {@code xds_servers[{server_uri,
   * channel_creds:[{type: insecure}], server_features:[xds_v3]}]} and the node. The same text can
   * be written to a file for {@code GRPC_XDS_BOOTSTRAP}.
   */
  static String bootstrapJson(String xdsHost, int xdsPort, Node node) {
    requireNonNull(xdsHost, "xdsHost");
    requireNonNull(node, "node");
    if (xdsPort <= 0 || xdsPort > 65535) {
      throw new IllegalArgumentException("xdsPort: " + xdsPort + " (expected: 1..65535)");
    }
    Map<String, Object> server = new LinkedHashMap<>();
    server.put("server_uri", xdsHost + ":" + xdsPort);
    server.put("channel_creds", List.of(Map.of("type", "insecure")));
    server.put("server_features", List.of("xds_v3"));

    Map<String, Object> locality = new LinkedHashMap<>();
    locality.put("region", node.region());
    locality.put("zone", node.zone());
    locality.put("sub_zone", node.subZone());
    Map<String, Object> nodeJson = new LinkedHashMap<>();
    nodeJson.put("id", node.id());
    nodeJson.put("metadata", new TreeMap<>(node.metadata()));
    nodeJson.put("locality", locality);

    Map<String, Object> bootstrap = new LinkedHashMap<>();
    bootstrap.put("xds_servers", List.of(server));
    bootstrap.put("node", nodeJson);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(bootstrap);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Channels

  /**
   * A channel to an {@code xds:///host:port} target whose XdsClient uses exactly this bootstrap.
   * The harness shuts it down on close.
   */
  ManagedChannel xdsChannel(String target, String bootstrapJson) {
    requireNonNull(target, "target");
    Map<String, ?> bootstrap = parseJsonObject(requireNonNull(bootstrapJson, "bootstrapJson"));
    // Not Grpc.newChannelBuilder: it pins the default registry's "xds" provider, which then wins
    // over nameResolverFactory and reads the JVM-wide bootstrap instead of this one.
    @SuppressWarnings("deprecation") // the only per-channel way to hand grpc-xds a bootstrap
    ManagedChannel channel =
        NettyChannelBuilder.forTarget(target, InsecureChannelCredentials.create())
            .nameResolverFactory(XdsNameResolverProvider.createForTest("xds", bootstrap))
            .build();
    synchronized (this) {
      channels.add(channel);
    }
    return channel;
  }

  // ---------------------------------------------------------------------------------------------
  // Backends

  /** A running backend: one gRPC server on one address that answers {@link #WHO_AM_I}. */
  record Backend(String identity, InetSocketAddress address, Server server) {}

  /**
   * Starts one backend per entry (identity → loopback IP), all on one port, as pods of one Service
   * are. The port is picked free on the first IP and reused on the others; when it is taken on any
   * of them, every backend of that attempt is stopped and another port is tried.
   *
   * @return the backends, in the map's iteration order
   */
  List<Backend> startBackendsOnSharedPort(Map<String, String> ipByIdentity) throws IOException {
    requireNonNull(ipByIdentity, "ipByIdentity");
    if (ipByIdentity.isEmpty()) {
      throw new IllegalArgumentException("ipByIdentity: {} (expected: at least one backend)");
    }
    IOException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      List<Backend> started = new ArrayList<>();
      try {
        int port = 0;
        for (Map.Entry<String, String> e : ipByIdentity.entrySet()) {
          Backend backend = startBackend(e.getKey(), new InetSocketAddress(e.getValue(), port));
          started.add(backend);
          port = backend.address().getPort();
        }
        synchronized (this) {
          backends.addAll(started);
        }
        return List.copyOf(started);
      } catch (IOException e) {
        last = e;
        started.forEach(b -> shutdown(b.server()));
      }
    }
    throw new IOException(
        "no port free on all of " + ipByIdentity.values() + " after " + PORT_ATTEMPTS + " tries",
        last);
  }

  private static Backend startBackend(String identity, InetSocketAddress bind) throws IOException {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(WHO_AM_I.getServiceName())
            .addMethod(
                WHO_AM_I,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      response.onNext(identity);
                      response.onCompleted();
                    }))
            .build();
    Server server = NettyServerBuilder.forAddress(bind).addService(service).build().start();
    InetSocketAddress bound = (InetSocketAddress) server.getListenSockets().get(0);
    return new Backend(identity, new InetSocketAddress(bind.getAddress(), bound.getPort()), server);
  }

  // ---------------------------------------------------------------------------------------------
  // RPCs

  /** One {@link #WHO_AM_I} call; {@code headers} become request metadata. */
  static String whoAmI(Channel channel, Map<String, String> headers, Duration timeout) {
    return ClientCalls.blockingUnaryCall(
        withHeaders(channel, headers),
        WHO_AM_I,
        CallOptions.DEFAULT.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS),
        "");
  }

  /**
   * Makes {@code rpcs} sequential calls and counts who answered them; a failed call counts as
   * {@code "error:<status code>"}.
   */
  static SortedMap<String, Integer> tally(
      Channel channel, int rpcs, Map<String, String> headers, Duration perRpcTimeout) {
    Channel ch = withHeaders(channel, headers);
    SortedMap<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < rpcs; i++) {
      counts.merge(callOnce(ch, perRpcTimeout), 1, Integer::sum);
    }
    return counts;
  }

  /**
   * Calls until every identity in {@code wanted} has answered at least once (waiting for the
   * channel to become ready, so the first xDS config can arrive), or fails after {@code deadline}.
   * Use it before asserting on traffic shares: a client that has seen only part of the config would
   * skew them.
   */
  static void awaitIdentities(
      Channel channel, Set<String> wanted, Map<String, String> headers, Duration deadline) {
    Channel ch = withHeaders(channel, headers);
    Set<String> seen = new TreeSet<>();
    String lastError = "none";
    long end = System.nanoTime() + deadline.toNanos();
    while (!seen.containsAll(wanted)) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            String.format(
                "after %s saw only %s of %s; last error: %s", deadline, seen, wanted, lastError));
      }
      try {
        seen.add(
            ClientCalls.blockingUnaryCall(
                ch,
                WHO_AM_I,
                CallOptions.DEFAULT
                    .withWaitForReady()
                    .withDeadlineAfter(
                        Math.min(left, Duration.ofSeconds(1).toNanos()), TimeUnit.NANOSECONDS),
                ""));
      } catch (StatusRuntimeException e) {
        lastError = e.getStatus().toString();
        sleepQuietly(Duration.ofMillis(20));
      }
    }
  }

  /**
   * How long after {@code sinceNanos} ({@link System#nanoTime()}) traffic went only to {@code
   * identity}.
   *
   * @param elapsed from {@code sinceNanos} to the start of the first RPC of the first run of {@code
   *     run} consecutive answers from {@code identity}; null when no such run was seen
   * @param rpcs calls made while waiting
   * @param before answers (and "error:CODE" failures) that were not part of the run
   */
  record Convergence(Duration elapsed, int rpcs, SortedMap<String, Integer> before) {}

  /**
   * Calls back to back until {@code run} consecutive calls were answered by {@code identity} or
   * {@code deadline} passed. Pick {@code run} so a run by chance under the old config is
   * negligible: with an 80% share, 100 in a row happens with probability 0.8^100 ≈ 2e-10.
   */
  static Convergence awaitOnly(
      Channel channel,
      String identity,
      Map<String, String> headers,
      long sinceNanos,
      int run,
      Duration deadline) {
    Channel ch = withHeaders(channel, headers);
    long end = System.nanoTime() + deadline.toNanos();
    SortedMap<String, Integer> before = new TreeMap<>();
    int rpcs = 0;
    int streak = 0;
    long streakStart = 0;
    while (System.nanoTime() < end) {
      long sent = System.nanoTime();
      String answer = callOnce(ch, Duration.ofSeconds(1));
      rpcs++;
      if (answer.equals(identity)) {
        if (streak == 0) {
          streakStart = sent;
        }
        if (++streak == run) {
          return new Convergence(Duration.ofNanos(streakStart - sinceNanos), rpcs, before);
        }
      } else {
        if (streak > 0) {
          before.merge(identity, streak, Integer::sum);
          streak = 0;
        }
        before.merge(answer, 1, Integer::sum);
      }
    }
    if (streak > 0) {
      before.merge(identity, streak, Integer::sum);
    }
    return new Convergence(null, rpcs, before);
  }

  private static String callOnce(Channel channel, Duration timeout) {
    CallOptions options =
        CallOptions.DEFAULT.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
    try {
      return ClientCalls.blockingUnaryCall(channel, WHO_AM_I, options, "");
    } catch (StatusRuntimeException e) {
      return "error:" + e.getStatus().getCode();
    }
  }

  private static Channel withHeaders(Channel channel, Map<String, String> headers) {
    requireNonNull(channel, "channel");
    if (requireNonNull(headers, "headers").isEmpty()) {
      return channel;
    }
    Metadata metadata = new Metadata();
    headers.forEach(
        (name, value) ->
            metadata.put(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER), value));
    return ClientInterceptors.intercept(
        channel, MetadataUtils.newAttachHeadersInterceptor(metadata));
  }

  // ---------------------------------------------------------------------------------------------
  // Config files

  /**
   * Replaces {@code file} the way editors and {@code kubectl}-style tools do: the new content is
   * written to a hidden sibling (whose name does not end in .yaml) and then moved over the target
   * in one atomic rename, so a watcher never reads a half-written file.
   */
  static void writeAtomically(Path file, String content) {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Shuts down every channel made so far and waits for them. Call it before stopping the control
   * plane, so the clients do not log reconnect attempts to a server that is going away.
   */
  synchronized void shutdownChannels() {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    for (ManagedChannel channel : channels) {
      awaitQuietly(channel);
    }
    channels.clear();
  }

  @Override
  public synchronized void close() {
    shutdownChannels();
    for (Backend backend : backends) {
      shutdown(backend.server());
    }
    backends.clear();
  }

  private static void shutdown(Server server) {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitQuietly(ManagedChannel channel) {
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> parseJsonObject(String json) {
    try {
      return (Map<String, ?>) JsonParser.parse(json);
    } catch (IOException | ClassCastException e) {
      throw new IllegalArgumentException("bootstrapJson: not a JSON object: " + e.getMessage(), e);
    }
  }

  /** Request and response bodies as UTF-8 text, so the tests need no generated protobuf code. */
  private enum Utf8Marshaller implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

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
  }
}
