package io.jpilot.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.jpilot.debug.ConfigDumps;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.jpilot.push.PushSettings;
import io.jpilot.push.SendBudget;
import io.jpilot.translate.XdsType;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** /ready, /metrics, /debug/syncz and /debug/config_dump against a running server and a real ADS stream. */
@Timeout(60)
class MonitoringEndpointsTest {
  private static final String NODE_ID =
      "sidecar~10.244.3.15~productpage-v1-6b746f74dc-9stvs.default~default.svc.cluster.local";

  @TempDir Path dir;
  private JPilotServer server;
  private ManagedChannel channel;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    Path bookinfo = Path.of(System.getProperty("jpilot.repoRoot"), "examples", "bookinfo");
    try (var files = Files.list(bookinfo)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    server = JPilotServer.start(JPilotServer.Options.forTest(dir));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.xdsPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }

  @Test
  void readyOnceServing() throws Exception {
    HttpResponse<String> r = get("/ready");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
  }

  @Test
  void syncAndConfigDumpShowWhatTheProxyWasSentAndAcked() throws Exception {
    BlockingQueue<DiscoveryResponse> responses = new LinkedBlockingQueue<>();
    StreamObserver<DiscoveryRequest> requests = openStream(responses);
    Node node =
        Node.newBuilder()
            .setId(NODE_ID)
            .setMetadata(
                Struct.newBuilder()
                    .putFields("NAMESPACE", Value.newBuilder().setStringValue("default").build()))
            .build();
    requests.onNext(
        DiscoveryRequest.newBuilder().setNode(node).setTypeUrl(XdsType.CLUSTER.typeUrl()).build());
    DiscoveryResponse cds = responses.poll(10, TimeUnit.SECONDS);
    assertThat(cds).isNotNull();
    assertThat(cds.getTypeUrl()).isEqualTo(XdsType.CLUSTER.typeUrl());
    requests.onNext(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(XdsType.CLUSTER.typeUrl())
            .setVersionInfo(cds.getVersionInfo())
            .setResponseNonce(cds.getNonce())
            .build());

    JsonNode syncz = awaitAcked(cds.getNonce());
    JsonNode proxy = syncz.get(0);
    assertThat(proxy.get("proxy").asText()).isEqualTo(NODE_ID);
    assertThat(proxy.get("cds").get("sent_version").asText()).isEqualTo(cds.getVersionInfo());
    assertThat(proxy.get("cds").get("acked_version").asText()).isEqualTo(cds.getVersionInfo());
    assertThat(proxy.get("cds").get("status").asText()).isEqualTo("SYNCED");

    // a full node id and the pod.namespace form both find the proxy
    for (String id : List.of(NODE_ID, "productpage-v1-6b746f74dc-9stvs.default")) {
      HttpResponse<String> r =
          get("/debug/config_dump?proxyID=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
      assertThat(r.statusCode()).isEqualTo(200);
      ConfigDump dump = ConfigDumps.parse(r.body());
      List<String> clusterNames = new ArrayList<>();
      for (Any config : dump.getConfigsList()) {
        if (config.is(ClustersConfigDump.class)) {
          for (ClustersConfigDump.DynamicCluster c :
              config.unpack(ClustersConfigDump.class).getDynamicActiveClustersList()) {
            assertThat(c.getVersionInfo()).isEqualTo(cds.getVersionInfo());
            clusterNames.add(c.getCluster().unpack(Cluster.class).getName());
          }
        }
      }
      assertThat(clusterNames)
          .contains(
              "outbound|9080|v1|reviews.default.svc.cluster.local",
              "outbound|9080||details.default.svc.cluster.local",
              "BlackHoleCluster",
              "PassthroughCluster");
    }
    assertThat(get("/debug/config_dump?proxyID=nobody.default").statusCode()).isEqualTo(404);
    assertThat(get("/debug/config_dump").statusCode()).isEqualTo(400);

    String metrics = get("/metrics").body();
    assertThat(metrics).containsPattern("(?m)^pilot_xds(\\{[^}]*\\})? 1(\\.0)?$");
    assertThat(metrics).containsPattern("(?m)^pilot_xds_pushes_total\\{type=\"cds\"\\} [1-9]");
    // istiod's names, so its dashboards work unchanged.
    for (String family :
        List.of(
            "pilot_xds_push_time",
            "pilot_proxy_convergence_time",
            "pilot_debounce_time",
            "pilot_total_xds_rejects_total",
            "pilot_push_triggers_total",
            "pilot_xds_cache_reads_total",
            "pilot_xds_cache_size",
            "pilot_xds_config_size_bytes",
            "jpilot_push_send_budget_bytes",
            "jpilot_push_send_budget_stale_total")) {
      assertThat(metrics).as("/metrics").containsPattern("(?m)^# TYPE " + family + " ");
    }
    assertThat(metrics)
        .containsPattern("(?m)^pilot_xds_config_size_bytes_count\\{type=\"cds\"\\} [1-9]");
    requests.onCompleted();
  }

  @Test
  void pushStatusShowsTheSettingsTheBudgetAndRecentPushes() throws Exception {
    JsonNode before = new ObjectMapper().readTree(get("/debug/push_status").body());
    assertThat(before.get("settings").get("debounce_after").asText()).isEqualTo("100ms");
    assertThat(before.get("settings").get("push_throttle").asInt())
        .isEqualTo(PushSettings.defaultPushThrottle());
    assertThat(before.get("settings").get("send_budget_bytes").asLong())
        .isEqualTo(SendBudget.DEFAULT_LIMIT_BYTES);
    assertThat(before.get("send_budget").get("limit_bytes").asLong())
        .isEqualTo(SendBudget.DEFAULT_LIMIT_BYTES);
    assertThat(before.get("send_budget").get("in_flight_bytes").asLong()).isZero();
    assertThat(before.get("connected_proxies").asInt()).isZero();
    long version = before.get("snapshot_version").asLong();

    // A config change: its push round is listed, newest first, at the snapshot it built.
    Path vs = dir.resolve("reviews-virtualservice.yaml");
    String text = Files.readString(vs);
    String changed = text.replace("weight: 80", "weight: 70").replace("weight: 20", "weight: 30");
    assertThat(changed).isNotEqualTo(text);
    Files.writeString(vs, changed);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonNode after = before;
    while (System.nanoTime() < deadline && after.get("recent_pushes").isEmpty()) {
      Thread.sleep(20);
      after = new ObjectMapper().readTree(get("/debug/push_status").body());
    }
    JsonNode push = after.get("recent_pushes").get(0);
    assertThat(push).as("%s", after).isNotNull();
    assertThat(push.get("reasons").asText()).contains("config");
    assertThat(push.get("full").asBoolean()).isTrue();
    assertThat(push.get("version").asLong()).isGreaterThan(version);
    assertThat(after.get("snapshot_version").asLong()).isEqualTo(push.get("version").asLong());
  }

  private JsonNode awaitAcked(String nonce) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = new ObjectMapper().readTree(get("/debug/syncz").body());
      if (last.size() == 1
          && last.get(0).has("cds")
          && last.get(0).get("cds").get("acked_nonce").asText().equals(nonce)) {
        return last;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("syncz never showed the ACK of nonce " + nonce + ": " + last);
  }

  private StreamObserver<DiscoveryRequest> openStream(BlockingQueue<DiscoveryResponse> into) {
    return AggregatedDiscoveryServiceGrpc.newStub(channel)
        .streamAggregatedResources(
            new StreamObserver<>() {
              @Override
              public void onNext(DiscoveryResponse value) {
                into.add(value);
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.monitoringPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
