package io.jpilot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.jpilot.testing.AdsTestClient;
import io.jpilot.testing.LogCapture;
import io.jpilot.translate.XdsType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole jpilot on a config directory that holds the Bookinfo example plus the mistakes people
 * make: a malformed file, an unknown kind, a VirtualService with a field it does not have (a
 * circuit breaker, which belongs in a DestinationRule), and a header match written as a bare
 * string. Each mistake is one log line naming the file, the object and the field; everything else
 * is served to a real ADS client; a good object edited into a bad one keeps its last valid version.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputServeTest {
  private static final String NODE_ID =
      "sidecar~10.244.0.20~productpage-v1-x.default~default.svc.cluster.local";
  private static final String REVIEWS = "reviews.default.svc.cluster.local";
  private static final String REVIEWS_VHOST = REVIEWS + ":9080";
  private static final String RATINGS_VHOST = "ratings.default.svc.cluster.local:9080";

  private static final String MALFORMED =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: broken
        namespace: default
      spec:
        hosts: [reviews
        http:
        - route:
          - destination:
              host: reviews
      """;

  private static final String UNKNOWN_KIND =
      """
      apiVersion: example.com/v1
      kind: Foo
      metadata:
        name: bar
        namespace: default
      spec:
        replicas: 3
      """;

  /** A circuit breaker written into a VirtualService, as one popular guide does. */
  private static final String CIRCUIT_BREAKER =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: productpage-circuit-breaker
        namespace: default
      spec:
        hosts:
        - productpage
        http:
        - route:
          - destination:
              host: productpage
          circuitBreaker:
            simpleCb:
              maxConnections: 1
              httpMaxPendingRequests: 1
              sleepWindow: 15m
      """;

  private static final String BARE_STRING_HEADER =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: details-staging
        namespace: default
      spec:
        hosts:
        - details
        http:
        - match:
          - headers:
              x-env: "staging"
          route:
          - destination:
              host: details
      """;

  /** {@code x-env: {}} is valid: the header must be present, with any value. */
  private static final String PRESENT_HEADER =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: ratings
        namespace: default
      spec:
        hosts:
        - ratings
        http:
        - name: env-present
          match:
          - headers:
              x-env: {}
          route:
          - destination:
              host: ratings
        - name: default
          route:
          - destination:
              host: ratings
      """;

  @TempDir Path dir;
  private LogCapture logs;

  @BeforeEach
  void captureLogs() {
    logs = LogCapture.install();
  }

  @AfterEach
  void restoreLogs() {
    logs.close();
  }

  @Test
  void badFilesAreLoggedOnceAndSkippedWhileTheRestIsServed() throws Exception {
    Path bookinfo = Path.of(System.getProperty("jpilot.repoRoot"), "examples", "bookinfo");
    List<Path> goodFiles = new ArrayList<>();
    try (Stream<Path> s = Files.list(bookinfo)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        goodFiles.add(Files.copy(f, dir.resolve(f.getFileName())));
      }
    }
    assertThat(goodFiles).hasSize(6);
    Path malformed = write("bad-malformed.yaml", MALFORMED);
    Path unknownKind = write("bad-unknown-kind.yaml", UNKNOWN_KIND);
    Path circuitBreaker = write("bad-circuit-breaker.yaml", CIRCUIT_BREAKER);
    Path bareString = write("bad-bare-string-header.yaml", BARE_STRING_HEADER);
    Path present = write("ratings-env-present.yaml", PRESENT_HEADER);
    Path reviewsVs = dir.resolve("reviews-virtualservice.yaml");
    String goodReviews = Files.readString(reviewsVs);

    try (JPilotServer server = JPilotServer.start(JPilotServer.Options.forTest(dir))) {
      // One line per bad file: the file, the object, the field path and the reason.
      assertThat(logs.linesNaming(malformed))
          .as("log lines about %s", malformed)
          .singleElement()
          .satisfies(
              l -> assertThat(l).contains("ERROR", "line 8, column 7", "expected ',' or ']'"));
      assertThat(logs.linesNaming(unknownKind))
          .as("log lines about %s", unknownKind)
          .singleElement()
          .satisfies(l -> assertThat(l).contains("Foo default/bar", "unsupported kind Foo"));
      assertThat(logs.linesNaming(circuitBreaker))
          .as("log lines about %s", circuitBreaker)
          .singleElement()
          .satisfies(
              l ->
                  assertThat(l)
                      .contains(
                          "ERROR",
                          "VirtualService default/productpage-circuit-breaker",
                          "spec.http[0].circuitBreaker",
                          "unknown field \"circuitBreaker\"",
                          "DestinationRule"));
      assertThat(logs.linesNaming(bareString))
          .as("log lines about %s", bareString)
          .singleElement()
          .satisfies(
              l ->
                  assertThat(l)
                      .contains(
                          "ERROR",
                          "VirtualService default/details-staging",
                          "spec.http[0].match[0].headers.x-env",
                          "got string \"staging\"",
                          "{exact: \"staging\"}"));
      assertThat(logs.linesNaming(present)).as("log lines about the valid %s", present).isEmpty();
      for (Path good : goodFiles) {
        assertThat(logs.linesNaming(good)).as("log lines about %s", good).isEmpty();
      }
      assertThat(invalidCounts(server))
          .containsOnly(entry("unknown", 1.0), entry("Foo", 1.0), entry("VirtualService", 2.0));

      // The rest is served to an Envoy sidecar over ADS.
      try (AdsTestClient envoy = new AdsTestClient(server.xdsPort(), sidecarNode(), true, 0)) {
        envoy.subscribe(XdsType.CLUSTER);
        DiscoveryResponse cds = envoy.next(XdsType.CLUSTER);
        envoy.ack(cds);
        assertThat(names(cds, Cluster.class, Cluster::getName))
            .contains(
                "outbound|9080||" + REVIEWS,
                "outbound|9080|v1|" + REVIEWS,
                "outbound|9080|v2|" + REVIEWS,
                "outbound|9080|v3|" + REVIEWS);

        String v3 = "outbound|9080|v3|" + REVIEWS;
        envoy.subscribe(XdsType.ENDPOINT, v3);
        DiscoveryResponse eds = envoy.next(XdsType.ENDPOINT);
        envoy.ack(eds, v3);
        assertThat(addresses(eds, v3)).containsExactly("10.244.3.23");

        envoy.subscribe(XdsType.LISTENER);
        envoy.ack(envoy.next(XdsType.LISTENER));
        envoy.subscribe(XdsType.ROUTE, "9080");
        DiscoveryResponse rds = envoy.next(XdsType.ROUTE);
        envoy.ack(rds, "9080");
        RouteConfiguration routes = routeConfig(rds, "9080");
        assertReviewsSplit(routes, 80, 20);
        Route envPresent = virtualHost(routes, RATINGS_VHOST).getRoutes(0);
        assertThat(envPresent.getName()).isEqualTo("env-present");
        assertThat(envPresent.getMatch().getHeadersList())
            .containsExactly(
                HeaderMatcher.newBuilder().setName("x-env").setPresentMatch(true).build());

        // The good reviews VirtualService edited into a bad one: one line, the old one stays.
        String badReviews =
            goodReviews.replace(
                "        end-user:\n          exact: jason\n", "        end-user: jason\n");
        assertThat(badReviews).isNotEqualTo(goodReviews);
        writeAtomically(reviewsVs, badReviews);
        String badEdit = logs.awaitLineNaming(reviewsVs, "spec.http[0].match[0].headers.end-user");
        assertThat(badEdit)
            .contains(
                "ERROR",
                "VirtualService default/reviews",
                "got string \"jason\"",
                "last valid version stays in use");
        try (AdsTestClient another = new AdsTestClient(server.xdsPort(), sidecarNode(), true, 0)) {
          another.subscribe(XdsType.ROUTE, "9080");
          assertReviewsSplit(routeConfig(another.next(XdsType.ROUTE), "9080"), 80, 20);
        }

        // Fixed again (now 50/50): pushed to the connected sidecar.
        writeAtomically(
            reviewsVs,
            goodReviews.replace("weight: 80", "weight: 50").replace("weight: 20", "weight: 50"));
        RouteConfiguration pushed = awaitRoutePush(envoy);
        assertReviewsSplit(pushed, 50, 50);
        assertThat(logs.linesNaming(reviewsVs))
            .as("log lines about %s", reviewsVs)
            .containsExactly(badEdit);
        assertThat(invalidCounts(server))
            .containsOnly(entry("unknown", 1.0), entry("Foo", 1.0), entry("VirtualService", 3.0));
      }
    }
  }

  // ---- helpers -------------------------------------------------------------------------------

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  /** Replaces a file in one step, as editors and ConfigMap updates do. */
  private static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The node istio-agent sends for the productpage sidecar. */
  private static Node sidecarNode() {
    return Node.newBuilder()
        .setId(NODE_ID)
        .setMetadata(
            Struct.newBuilder()
                .putFields("NAMESPACE", string("default"))
                .putFields("INSTANCE_IPS", string("10.244.0.20"))
                .putFields("CLUSTER_ID", string("Kubernetes"))
                .putFields(
                    "LABELS",
                    Value.newBuilder()
                        .setStructValue(
                            Struct.newBuilder()
                                .putFields("app", string("productpage"))
                                .putFields("version", string("v1")))
                        .build()))
        .build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  /** Reads responses (ACKing each, as Envoy does) until a route configuration push arrives. */
  private static RouteConfiguration awaitRoutePush(AdsTestClient envoy) throws Exception {
    while (true) {
      DiscoveryResponse r = envoy.next();
      XdsType type = XdsType.fromTypeUrl(r.getTypeUrl());
      switch (type) {
        case CLUSTER, LISTENER -> envoy.ack(r);
        case ENDPOINT -> envoy.ack(r, "outbound|9080|v3|" + REVIEWS);
        case ROUTE -> {
          envoy.ack(r, "9080");
          return routeConfig(r, "9080");
        }
      }
    }
  }

  private static void assertReviewsSplit(RouteConfiguration rc, int v1, int v2) {
    List<Route> routes = virtualHost(rc, REVIEWS_VHOST).getRoutesList();
    assertThat(routes).extracting(Route::getName).containsExactly("jason", "split");
    assertThat(routes.get(0).getRoute().getCluster()).isEqualTo("outbound|9080|v3|" + REVIEWS);
    assertThat(routes.get(1).getRoute().getWeightedClusters().getClustersList())
        .extracting(WeightedCluster.ClusterWeight::getName, c -> c.getWeight().getValue())
        .containsExactly(
            tuple("outbound|9080|v1|" + REVIEWS, v1), tuple("outbound|9080|v2|" + REVIEWS, v2));
  }

  private static VirtualHost virtualHost(RouteConfiguration rc, String name) {
    return rc.getVirtualHostsList().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no virtual host " + name + " in " + rc.getName()));
  }

  private static RouteConfiguration routeConfig(DiscoveryResponse rds, String name)
      throws InvalidProtocolBufferException {
    for (Any any : rds.getResourcesList()) {
      RouteConfiguration rc = any.unpack(RouteConfiguration.class);
      if (rc.getName().equals(name)) {
        return rc;
      }
    }
    throw new AssertionError("no route configuration " + name + " in the RDS response");
  }

  private interface Name<T> {
    String of(T t);
  }

  private static <T extends com.google.protobuf.Message> List<String> names(
      DiscoveryResponse r, Class<T> type, Name<T> name) throws InvalidProtocolBufferException {
    List<String> out = new ArrayList<>();
    for (Any any : r.getResourcesList()) {
      out.add(name.of(any.unpack(type)));
    }
    return out;
  }

  private static List<String> addresses(DiscoveryResponse eds, String cluster)
      throws InvalidProtocolBufferException {
    List<String> out = new ArrayList<>();
    for (Any any : eds.getResourcesList()) {
      ClusterLoadAssignment cla = any.unpack(ClusterLoadAssignment.class);
      if (cla.getClusterName().equals(cluster)) {
        for (LocalityLbEndpoints l : cla.getEndpointsList()) {
          for (LbEndpoint e : l.getLbEndpointsList()) {
            out.add(e.getEndpoint().getAddress().getSocketAddress().getAddress());
          }
        }
      }
    }
    return out;
  }

  private static final Pattern INVALID_SAMPLE =
      Pattern.compile("^jpilot_config_invalid_total\\{(.*)} (\\S+)$");
  private static final Pattern KIND_LABEL = Pattern.compile("kind=\"([^\"]*)\"");

  /** {@code jpilot_config_invalid_total} by kind, scraped from {@code GET /metrics}. */
  private static Map<String, Double> invalidCounts(JPilotServer server) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.monitoringPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET /metrics").isEqualTo(200);
    Map<String, Double> out = new TreeMap<>();
    for (String line : r.body().split("\n")) {
      Matcher m = INVALID_SAMPLE.matcher(line);
      if (m.matches()) {
        Matcher kind = KIND_LABEL.matcher(m.group(1));
        assertThat(kind.find()).as("kind label in %s", line).isTrue();
        out.put(kind.group(1), Double.parseDouble(m.group(2)));
      }
    }
    return out;
  }
}
