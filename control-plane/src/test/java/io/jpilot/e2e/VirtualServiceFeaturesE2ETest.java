package io.jpilot.e2e;

import static io.jpilot.e2e.GrpcXdsClientHarness.WHO_AM_I;
import static io.jpilot.e2e.GrpcXdsClientHarness.awaitIdentities;
import static io.jpilot.e2e.GrpcXdsClientHarness.bootstrapJson;
import static io.jpilot.e2e.GrpcXdsClientHarness.tally;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.jpilot.e2e.GrpcXdsClientHarness.Backend;
import io.jpilot.e2e.GrpcXdsClientHarness.Node;
import io.jpilot.server.JPilotServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * VirtualService HTTP features as a real grpc-java xDS client experiences them through jpilot:
 * header routing with prefix and regex matches, fault aborts (gRPC and HTTP statuses), fixed delays
 * and route timeouts, and retries (explicit, disabled, and istiod's default policy).
 *
 * <p>One jpilot serves one config directory with a Service per feature. The {@code echo} pods (v1
 * on 127.0.0.4, v2 on 127.0.0.5) answer with their version; the {@code flaky} pod (127.0.0.6) fails
 * every first attempt with UNAVAILABLE and answers a retry with the number of previous attempts
 * grpc-java reports in {@code grpc-previous-rpc-attempts}, or, asked with {@code x-sleep-ms},
 * answers after that long.
 */
@Timeout(value = 15, unit = TimeUnit.SECONDS)
class VirtualServiceFeaturesE2ETest {
  private static final String V1_IP = "127.0.0.4";
  private static final String V2_IP = "127.0.0.5";
  private static final String FLAKY_IP = "127.0.0.6";
  private static final Duration READY = Duration.ofSeconds(10);
  private static final Duration RPC = Duration.ofSeconds(2);
  private static final Metadata.Key<String> PREVIOUS_ATTEMPTS =
      Metadata.Key.of("grpc-previous-rpc-attempts", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> SLEEP_MS =
      Metadata.Key.of("x-sleep-ms", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Metadata> REQUEST_HEADERS = Context.key("request-headers");

  @TempDir static Path configDir;

  private static GrpcXdsClientHarness harness;
  private static Server flaky;
  private static final AtomicInteger flakyCalls = new AtomicInteger();
  private static JPilotServer jpilot;
  private static int echoPort;
  private static int flakyPort;
  private static String bootstrap;

  @BeforeAll
  static void start() throws IOException {
    harness = new GrpcXdsClientHarness();
    Map<String, String> echo = new LinkedHashMap<>();
    echo.put("v1", V1_IP);
    echo.put("v2", V2_IP);
    List<Backend> backends = harness.startBackendsOnSharedPort(echo);
    echoPort = backends.get(0).address().getPort();
    flaky = startFlaky();
    flakyPort = ((InetSocketAddress) flaky.getListenSockets().get(0)).getPort();
    writeConfig();
    jpilot = JPilotServer.start(JPilotServer.Options.forTest(configDir));
    bootstrap =
        bootstrapJson(
            "127.0.0.1", jpilot.xdsPort(), Node.proxylessGrpc("127.0.0.1", "client-1", "default"));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (harness != null) {
      harness.shutdownChannels();
    }
    if (jpilot != null) {
      jpilot.close();
    }
    if (harness != null) {
      harness.close();
    }
    if (flaky != null) {
      flaky.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sleeps {@code x-sleep-ms} and answers "slept" when asked to; otherwise fails a call without
   * {@code grpc-previous-rpc-attempts} and answers retries with the count.
   */
  private static Server startFlaky() throws IOException {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(WHO_AM_I.getServiceName())
            .addMethod(
                WHO_AM_I,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      Metadata headers = REQUEST_HEADERS.get();
                      String sleep = headers.get(SLEEP_MS);
                      if (sleep != null) {
                        sleepQuietly(Long.parseLong(sleep));
                        response.onNext("slept");
                        response.onCompleted();
                        return;
                      }
                      flakyCalls.incrementAndGet();
                      String previous = headers.get(PREVIOUS_ATTEMPTS);
                      if (previous == null) {
                        response.onError(
                            Status.UNAVAILABLE
                                .withDescription("flaky: first attempt")
                                .asException());
                      } else {
                        response.onNext("previous-attempts=" + previous);
                        response.onCompleted();
                      }
                    }))
            .build();
    ServerInterceptor captureHeaders =
        new ServerInterceptor() {
          @Override
          public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(
              io.grpc.ServerCall<Q, A> call,
              Metadata headers,
              io.grpc.ServerCallHandler<Q, A> next) {
            return Contexts.interceptCall(
                Context.current().withValue(REQUEST_HEADERS, headers), call, headers, next);
          }
        };
    return NettyServerBuilder.forAddress(new InetSocketAddress(FLAKY_IP, 0))
        .addService(ServerInterceptors.intercept(service, captureHeaders))
        .build()
        .start();
  }

  // ---- config ---------------------------------------------------------------------------------

  private static void writeConfig() throws IOException {
    StringBuilder yaml = new StringBuilder();
    yaml.append(pod("echo-v1", V1_IP, "echo", "v1"))
        .append(pod("echo-v2", V2_IP, "echo", "v2"))
        .append(pod("flaky-0", FLAKY_IP, "flaky", "v1"));
    int ip = 30;
    for (String svc : List.of("routing", "abort-grpc", "abort-http", "slow")) {
      yaml.append(service(svc, "10.96.20." + ip++, echoPort, List.of("echo-v1", "echo-v2")));
    }
    for (String svc : List.of("retry-explicit", "retry-disabled", "retry-default", "sleepy")) {
      yaml.append(service(svc, "10.96.20." + ip++, flakyPort, List.of("flaky-0")));
    }
    Files.writeString(configDir.resolve("mesh.yaml"), yaml.toString());
    Files.writeString(configDir.resolve("virtual-services.yaml"), VIRTUAL_SERVICES);
  }

  private static String pod(String name, String ip, String app, String version) {
    return """
           apiVersion: v1
           kind: Pod
           metadata:
             name: %1$s
             namespace: default
             labels: {app: %3$s, version: %4$s}
           spec:
             nodeName: node-1
           status:
             podIP: %2$s
           ---
           """
        .formatted(name, ip, app, version);
  }

  private static String service(String name, String clusterIp, int port, List<String> pods) {
    StringBuilder endpoints = new StringBuilder();
    for (String pod : pods) {
      String ip = pod.equals("echo-v1") ? V1_IP : pod.equals("echo-v2") ? V2_IP : FLAKY_IP;
      endpoints.append(
          """
          - addresses: ["%s"]
            conditions: {ready: true}
            targetRef: {kind: Pod, name: %s, namespace: default}
          """
              .formatted(ip, pod));
    }
    return """
           apiVersion: v1
           kind: Service
           metadata: {name: %1$s, namespace: default}
           spec:
             clusterIP: %2$s
             ports:
             - {name: grpc, port: %3$d, targetPort: %3$d, protocol: TCP}
           ---
           apiVersion: discovery.k8s.io/v1
           kind: EndpointSlice
           metadata:
             name: %1$s-abcde
             namespace: default
             labels: {kubernetes.io/service-name: %1$s}
           addressType: IPv4
           ports:
           - {name: grpc, port: %3$d, protocol: TCP}
           endpoints:
           %4$s---
           """
        .formatted(name, clusterIp, port, endpoints.toString().indent(0).stripTrailing() + "\n");
  }

  private static final String VIRTUAL_SERVICES =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: routing, namespace: default}
      spec:
        host: routing
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: routing, namespace: default}
      spec:
        hosts: [routing]
        http:
        - name: admins
          match:
          - headers: {x-user: {prefix: admin-}}
          route:
          - destination: {host: routing, subset: v2}
        - name: canary-builds
          match:
          - headers: {x-build: {regex: "canary-[0-9]+"}}
          route:
          - destination: {host: routing, subset: v2}
        - name: everyone-else
          route:
          - destination: {host: routing, subset: v1}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: abort-grpc, namespace: default}
      spec:
        hosts: [abort-grpc]
        http:
        - fault:
            abort: {grpcStatus: UNAVAILABLE, percentage: {value: 100}}
          route:
          - destination: {host: abort-grpc}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: abort-http, namespace: default}
      spec:
        hosts: [abort-http]
        http:
        - fault:
            abort: {httpStatus: 503, percentage: {value: 100}}
          route:
          - destination: {host: abort-http}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: slow, namespace: default}
      spec:
        hosts: [slow]
        http:
        - timeout: 300ms
          fault:
            delay: {fixedDelay: 1s, percentage: {value: 100}}
          route:
          - destination: {host: slow}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: sleepy, namespace: default}
      spec:
        hosts: [sleepy]
        http:
        - timeout: 300ms
          route:
          - destination: {host: sleepy}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: retry-explicit, namespace: default}
      spec:
        hosts: [retry-explicit]
        http:
        - retries: {attempts: 3, retryOn: unavailable}
          route:
          - destination: {host: retry-explicit}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: retry-disabled, namespace: default}
      spec:
        hosts: [retry-disabled]
        http:
        - retries: {attempts: 0}
          route:
          - destination: {host: retry-disabled}
      """;

  // ---- calls ----------------------------------------------------------------------------------

  private static ManagedChannel channel(String service, int port) {
    return harness.xdsChannel(
        "xds:///" + service + ".default.svc.cluster.local:" + port, bootstrap);
  }

  /**
   * One call that waits until the client has its xDS config (wait-for-ready), so a failure is the
   * route's doing, not a channel still resolving.
   */
  private static String callWhenReady(
      Channel channel, Map<String, String> headers, Duration deadline) {
    Channel ch = channel;
    if (!headers.isEmpty()) {
      Metadata md = new Metadata();
      headers.forEach((k, v) -> md.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
      ch = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md));
    }
    return ClientCalls.blockingUnaryCall(
        ch,
        WHO_AM_I,
        CallOptions.DEFAULT
            .withWaitForReady()
            .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS),
        "");
  }

  private static Status failureOf(Channel channel, Duration deadline) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> callWhenReady(channel, Map.of(), deadline));
    assertThat(e).as("the call should fail").isNotNull();
    return e.getStatus();
  }

  // ---- tests ----------------------------------------------------------------------------------

  @Test
  void headerPrefixAndRegexMatchesPickTheSubset() {
    ManagedChannel ch = channel("routing", echoPort);
    awaitIdentities(ch, Set.of("v1"), Map.of(), READY);
    assertThat(tally(ch, 20, Map.of(), RPC)).containsExactly(entry("v1", 20));
    assertThat(tally(ch, 20, Map.of("x-user", "admin-alice"), RPC))
        .containsExactly(entry("v2", 20));
    assertThat(tally(ch, 20, Map.of("x-user", "alice-admin"), RPC))
        .containsExactly(entry("v1", 20));
    assertThat(tally(ch, 20, Map.of("x-build", "canary-42"), RPC)).containsExactly(entry("v2", 20));
    // the regex must match the whole value
    assertThat(tally(ch, 20, Map.of("x-build", "canary-42b"), RPC))
        .containsExactly(entry("v1", 20));
  }

  @Test
  void faultAbortWithAGrpcStatusFailsEveryCallWithIt() {
    ManagedChannel ch = channel("abort-grpc", echoPort);
    Status first = failureOf(ch, READY);
    assertThat(first.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(first.getDescription()).contains("fault injection");
    assertThat(tally(ch, 20, Map.of(), RPC)).containsExactly(entry("error:UNAVAILABLE", 20));
  }

  @Test
  void faultAbortWithHttp503IsUnavailableToAGrpcClient() {
    ManagedChannel ch = channel("abort-http", echoPort);
    Status first = failureOf(ch, READY);
    assertThat(first.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(first.getDescription()).contains("fault injection");
  }

  @Test
  void aRouteTimeoutShorterThanTheBackendIsDeadlineExceeded() {
    ManagedChannel ch = channel("sleepy", flakyPort);
    assertThat(callWhenReady(ch, Map.of("x-sleep-ms", "0"), READY)).isEqualTo("slept");
    // the call's own deadline (10s) is far beyond the backend's 2s: only the route timeout fails it
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> callWhenReady(ch, Map.of("x-sleep-ms", "2000"), READY));
    assertThat(e).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(callWhenReady(ch, Map.of("x-sleep-ms", "50"), READY)).isEqualTo("slept");
  }

  /**
   * A fixed delay longer than the caller's deadline is DEADLINE_EXCEEDED. grpc-java starts the
   * route timeout when the call leaves the fault filter (as Envoy's router starts it after the
   * fault filter), so a 1s delay on a route with a 300ms timeout still gets through.
   */
  @Test
  void aFixedDelayIsDeadlineExceededForAShorterCallDeadline() {
    ManagedChannel ch = channel("slow", echoPort);
    long start = System.nanoTime();
    String answer = callWhenReady(ch, Map.of(), Duration.ofSeconds(8));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(answer).isIn("v1", "v2");
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(950));

    // the client has its config now: a deadline shorter than the delay fails inside the filter
    Status shortDeadline = failureOf(ch, Duration.ofMillis(600));
    assertThat(shortDeadline.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(shortDeadline.getDescription()).contains("fault-injected delay");
  }

  @Test
  void retriesFromTheVirtualServiceRecoverAFailedFirstAttempt() {
    int before = flakyCalls.get();
    assertThat(callWhenReady(channel("retry-explicit", flakyPort), Map.of(), READY))
        .isEqualTo("previous-attempts=1");
    assertThat(flakyCalls.get() - before).isEqualTo(2);
  }

  @Test
  void istiodsDefaultRetryPolicyRetriesUnavailableToo() {
    // no retries in any VirtualService: the default route's policy retries "unavailable"
    assertThat(callWhenReady(channel("retry-default", flakyPort), Map.of(), READY))
        .isEqualTo("previous-attempts=1");
  }

  @Test
  void attemptsZeroDisablesRetries() {
    int before = flakyCalls.get();
    Status s = failureOf(channel("retry-disabled", flakyPort), READY);
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(s.getDescription()).isEqualTo("flaky: first attempt");
    assertThat(flakyCalls.get() - before).isEqualTo(1);
  }
}
