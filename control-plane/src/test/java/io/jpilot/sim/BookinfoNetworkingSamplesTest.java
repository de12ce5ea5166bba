package io.jpilot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import io.jpilot.sim.Result.Failure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each of Istio's Bookinfo networking samples ({@code samples/bookinfo/networking/}, copied
 * unchanged into {@code bookinfo-networking/}) applied to {@code examples/bookinfo}, translated for
 * the proxy it affects, and the traffic it is meant to shape simulated through what jpilot sends.
 * Samples whose VirtualServices name subsets are loaded with {@code destination-rule-all.yaml}, as
 * Bookinfo's documentation has it.
 */
class BookinfoNetworkingSamplesTest {
  static final String SAMPLES = "bookinfo-networking";
  static final String DOMAIN = ".default.svc.cluster.local";
  static final String PRODUCTPAGE = "productpage" + DOMAIN;
  static final String REVIEWS = "reviews" + DOMAIN;
  static final String RATINGS = "ratings" + DOMAIN;
  static final String DETAILS = "details" + DOMAIN;
  static final String FAULT_FILTER = "envoy.filters.http.fault";

  /** The files every case below covers, one test each. */
  static final Set<String> COVERED =
      Set.of(
          "bookinfo-gateway.yaml",
          "certmanager-gateway.yaml",
          "destination-rule-all-mtls.yaml",
          "destination-rule-all.yaml",
          "destination-rule-reviews.yaml",
          "egress-rule-google-apis.yaml",
          "fault-injection-details-v1.yaml",
          "virtual-service-all-v1.yaml",
          "virtual-service-details-v2.yaml",
          "virtual-service-ratings-db.yaml",
          "virtual-service-ratings-mysql-vm.yaml",
          "virtual-service-ratings-mysql.yaml",
          "virtual-service-ratings-test-abort.yaml",
          "virtual-service-ratings-test-delay.yaml",
          "virtual-service-reviews-50-v3.yaml",
          "virtual-service-reviews-80-20.yaml",
          "virtual-service-reviews-90-10.yaml",
          "virtual-service-reviews-jason-v2-v3.yaml",
          "virtual-service-reviews-test-v2.yaml",
          "virtual-service-reviews-v2-v3.yaml",
          "virtual-service-reviews-v3.yaml");

  // ---------------------------------------------------------------- fixture

  /** The mesh of examples/bookinfo (registry objects only) plus the given samples. */
  static MeshSnapshot mesh(String... samples) {
    MeshYaml y = new MeshYaml();
    Path bookinfo = MeshYaml.repoRoot().resolve("examples/bookinfo");
    try {
      for (String f : List.of("services.yaml", "pods.yaml", "endpointslices.yaml")) {
        y.add(f, Files.readString(bookinfo.resolve(f)));
      }
      for (String s : samples) {
        y.add(s, Files.readString(MeshYaml.testResource(SAMPLES).resolve(s)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return y.snapshot();
  }

  static TrafficSimulator productpage(MeshSnapshot m) {
    return Xds.simulate(
        m,
        ProxyView.parse(
            "sidecar~10.244.3.15~productpage-v1-7d4f9c8b6-x2k9m.default~default.svc.cluster.local",
            Map.of("NAMESPACE", "default"),
            Map.of("app", "productpage", "version", "v1"),
            Locality.NONE));
  }

  static TrafficSimulator reviewsV3(MeshSnapshot m) {
    return Xds.simulate(
        m,
        ProxyView.parse(
            "sidecar~10.244.3.23~reviews-v3-8c7b6d5f9-t5r6k.default~default.svc.cluster.local",
            Map.of("NAMESPACE", "default"),
            Map.of("app", "reviews", "version", "v3"),
            Locality.NONE));
  }

  static TrafficSimulator ingress(MeshSnapshot m) {
    return Xds.simulate(
        m,
        ProxyView.parse(
            "router~10.244.0.5~istio-ingressgateway-abc.istio-system~istio-system.svc.cluster.local",
            Map.of("NAMESPACE", "istio-system"),
            Map.of("app", "istio-ingressgateway", "istio", "ingressgateway"),
            Locality.NONE));
  }

  static Call toService(String service, String user) {
    Call.Builder b = Call.http(service, 9080);
    return user == null ? b.build() : b.header("end-user", user).build();
  }

  static String subset(String host, String subset) {
    return "outbound|9080|" + subset + "|" + host;
  }

  /** Runs {@code call}; it must be forwarded, and to clusters the proxy has. */
  static Result forwarded(TrafficSimulator sim, Call call) {
    Result r = sim.run(call);
    assertThat(r.ok()).as("%s -> %s", call, r).isTrue();
    assertThat(r.undefinedClusters()).as("%s -> %s", call, r).isEmpty();
    return r;
  }

  static void goesTo(TrafficSimulator sim, Call call, String cluster) {
    Result r = forwarded(sim, call);
    assertThat(r.cluster()).as("%s -> %s", call, r).isEqualTo(cluster);
  }

  static void splits(TrafficSimulator sim, Call call, Map<String, Integer> weights) {
    Result r = forwarded(sim, call);
    assertThat(r.weights()).as("%s -> %s", call, r).isEqualTo(weights);
  }

  /** The Envoy route the simulated call went through. */
  static Route matchedRoute(TrafficSimulator sim, Call call, Result r) {
    RouteConfiguration rc = sim.routeConfiguration(r.routeConfig()).orElseThrow();
    VirtualHost vh =
        rc.getVirtualHostsList().stream()
            .filter(v -> v.getName().equals(r.virtualHost()))
            .findFirst()
            .orElseThrow();
    return RouteSelector.route(vh, call).orElseThrow();
  }

  static HTTPFault fault(Route route) {
    Any any = route.getTypedPerFilterConfigMap().get(FAULT_FILTER);
    assertThat(any).as("fault filter config of %s", route).isNotNull();
    try {
      return any.unpack(HTTPFault.class);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  static UpstreamTlsContext tls(Cluster c) {
    assertThat(c.hasTransportSocket()).as("transport socket of %s", c.getName()).isTrue();
    try {
      return c.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  static HttpProtocolOptions httpOptions(Cluster c) {
    Any any =
        c.getTypedExtensionProtocolOptionsMap()
            .get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    assertThat(any).as("HttpProtocolOptions of %s", c.getName()).isNotNull();
    try {
      return any.unpack(HttpProtocolOptions.class);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  static Cluster cluster(TrafficSimulator sim, String name) {
    Cluster c = sim.clusters().get(name);
    assertThat(c).as("cluster %s among %s", name, sim.clusters().keySet()).isNotNull();
    return c;
  }

  /** Calls from the productpage sidecar to every Bookinfo service reach its default cluster. */
  static void defaultRoutes(TrafficSimulator pp) {
    for (String host : List.of(PRODUCTPAGE, REVIEWS, RATINGS, DETAILS)) {
      Result r = forwarded(pp, toService(host.substring(0, host.indexOf('.')), null));
      assertThat(r.route()).isEqualTo("default");
      assertThat(r.cluster()).isEqualTo("outbound|9080||" + host);
    }
  }

  // ---------------------------------------------------------------- coverage

  @Test
  void everySampleHasACase() throws IOException {
    try (Stream<Path> s = Files.list(MeshYaml.testResource(SAMPLES))) {
      Set<String> files =
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml"))
              .collect(Collectors.toCollection(TreeSet::new));
      assertThat(files).hasSize(21).isEqualTo(new TreeSet<>(COVERED));
    }
    List<String> methods =
        Arrays.stream(getClass().getDeclaredMethods())
            .filter(m -> m.isAnnotationPresent(Test.class))
            .map(m -> m.getName())
            .collect(Collectors.toList());
    List<String> missing = new ArrayList<>();
    for (String f : COVERED) {
      String camel = camel(f.replace(".yaml", ""));
      if (!methods.contains(camel)) {
        missing.add(f + " (" + camel + ")");
      }
    }
    assertThat(missing).as("samples without a test method").isEmpty();
  }

  static String camel(String name) {
    StringBuilder sb = new StringBuilder();
    boolean up = false;
    for (char c : name.toCharArray()) {
      if (c == '-') {
        up = true;
      } else {
        sb.append(up ? Character.toUpperCase(c) : c);
        up = false;
      }
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- gateways

  @Test
  void bookinfoGateway() {
    TrafficSimulator gw = ingress(mesh("bookinfo-gateway.yaml"));
    for (String path :
        List.of(
            "/productpage",
            "/static/bootstrap/css/bootstrap.min.css",
            "/login",
            "/logout",
            "/api/v1/products",
            "/api/v1/products/0/reviews")) {
      Call c = Call.http("bookinfo.example.com", 8080).path(path).mode(Call.Mode.GATEWAY).build();
      Result r = forwarded(gw, c);
      assertThat(r.listener()).isEqualTo("0.0.0.0_8080");
      assertThat(r.routeConfig()).isEqualTo("http.8080");
      assertThat(r.cluster()).as(path).isEqualTo("outbound|9080||" + PRODUCTPAGE);
    }
    for (String path : List.of("/", "/productpage/x", "/login/x", "/admin")) {
      Call c = Call.http("bookinfo.example.com", 8080).path(path).mode(Call.Mode.GATEWAY).build();
      assertThat(gw.run(c).error()).as(path).contains(Failure.NO_ROUTE);
    }
  }

  /**
   * The server's port 80 is the ingress Service's port 80, whose target port is 8080: the gateway
   * pod listens on 8080 and the route configuration keeps the server's port in its name.
   */
  @Test
  void certmanagerGateway() {
    TrafficSimulator gw = ingress(mesh("certmanager-gateway.yaml"));
    String resolver = "outbound|8089||cert-manager-resolver.istio-system.svc.cluster.local";
    Call challenge =
        Call.http("bookinfo.example.com", 8080)
            .path("/.well-known/acme-challenge/abc123")
            .mode(Call.Mode.GATEWAY)
            .build();
    Result r = gw.run(challenge);
    assertThat(r.listener()).isEqualTo("0.0.0.0_8080");
    // istiod names the route configuration after the resolved (target) port, the virtual host
    // after the server's port
    assertThat(r.routeConfig()).isEqualTo("http.8080");
    assertThat(r.virtualHost()).isEqualTo("*:80");
    assertThat(r.cluster()).isEqualTo(resolver);
    assertThat(r.undefinedClusters())
        .as("no cert-manager-resolver service in the mesh: Envoy answers 503")
        .containsExactly(resolver);
    for (String path : List.of("/productpage", "/.well-known/other", "/")) {
      Call other =
          Call.http("bookinfo.example.com", 8080).path(path).mode(Call.Mode.GATEWAY).build();
      assertThat(gw.run(other).error()).as(path).contains(Failure.NO_ROUTE);
    }
    assertThat(gw.run(Call.http("x", 80).mode(Call.Mode.GATEWAY).build()).error())
        .as("nothing listens on the Service port itself")
        .contains(Failure.NO_LISTENER);
  }

  // ---------------------------------------------------------------- destination rules only

  @Test
  void destinationRuleAll() {
    TrafficSimulator pp = productpage(mesh("destination-rule-all.yaml"));
    defaultRoutes(pp);
    for (String c :
        List.of(
            subset(PRODUCTPAGE, "v1"),
            subset(REVIEWS, "v1"),
            subset(REVIEWS, "v2"),
            subset(REVIEWS, "v3"),
            subset(RATINGS, "v1"),
            subset(RATINGS, "v2"),
            subset(RATINGS, "v2-mysql"),
            subset(RATINGS, "v2-mysql-vm"),
            subset(DETAILS, "v1"),
            subset(DETAILS, "v2"))) {
      assertThat(cluster(pp, c).getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    }
  }

  @Test
  void destinationRuleAllMtls() {
    TrafficSimulator pp = productpage(mesh("destination-rule-all-mtls.yaml"));
    defaultRoutes(pp);
    UpstreamTlsContext v1 = tls(cluster(pp, subset(REVIEWS, "v1")));
    assertThat(v1.getSni()).isEqualTo("outbound_.9080_.v1_." + REVIEWS);
    assertThat(v1.getCommonTlsContext().getTlsCertificateSdsSecretConfigsList())
        .extracting(s -> s.getName())
        .containsExactly("default");
    UpstreamTlsContext all = tls(cluster(pp, "outbound|9080||" + REVIEWS));
    assertThat(all.getSni()).isEqualTo("outbound_.9080_._." + REVIEWS);
    assertThat(tls(cluster(pp, subset(RATINGS, "v2-mysql"))).getSni())
        .isEqualTo("outbound_.9080_.v2-mysql_." + RATINGS);
  }

  @Test
  void destinationRuleReviews() {
    TrafficSimulator pp = productpage(mesh("destination-rule-reviews.yaml"));
    defaultRoutes(pp);
    for (String s : List.of("", "v1", "v2", "v3")) {
      assertThat(cluster(pp, subset(REVIEWS, s)).getLbPolicy())
          .as(s)
          .isEqualTo(Cluster.LbPolicy.RANDOM);
    }
    assertThat(cluster(pp, "outbound|9080||" + RATINGS).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(pp.clusters()).doesNotContainKey(subset(RATINGS, "v1"));
  }

  // ---------------------------------------------------------------- egress

  @Test
  void egressRuleGoogleApis() {
    TrafficSimulator pp = productpage(mesh("egress-rule-google-apis.yaml"));
    String http = "outbound|80||www.googleapis.com";
    String https = "outbound|443||www.googleapis.com";
    Cluster c443 = cluster(pp, https);
    Cluster c80 = cluster(pp, http);
    assertThat(c443.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(c80.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
    assertThat(c80.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    // the port-level entry replaces the whole top-level policy: no ROUND_ROBIN on 443
    assertThat(c443.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(c80.hasTransportSocket()).as("port 80 is plain HTTP").isFalse();
    UpstreamTlsContext t = tls(c443);
    // SIMPLE without an sni: Envoy takes the SNI (and checks the SAN) from the request's host
    assertThat(t.getSni()).isEmpty();
    HttpProtocolOptions o = httpOptions(c443);
    assertThat(o.getUpstreamHttpProtocolOptions().getAutoSni()).isTrue();
    assertThat(o.getUpstreamHttpProtocolOptions().getAutoSanValidation()).isTrue();

    Call plain = Call.http("www.googleapis.com", 80).path("/books/v1/volumes").build();
    Result r = forwarded(pp, plain);
    assertThat(r.listener()).isEqualTo("0.0.0.0_80");
    assertThat(r.cluster()).as("the VirtualService rewrites port 80 to 443").isEqualTo(https);

    Call direct = Call.tls("www.googleapis.com", 443).address("142.250.0.1").build();
    Result d = forwarded(pp, direct);
    assertThat(d.cluster()).isEqualTo(https);
  }

  // ---------------------------------------------------------------- faults

  @Test
  void faultInjectionDetailsV1() {
    TrafficSimulator pp = productpage(mesh("fault-injection-details-v1.yaml"));
    for (String user : new String[] {null, "jason"}) {
      Call c = toService("details", user);
      Result r = forwarded(pp, c);
      assertThat(r.cluster()).isEqualTo(subset(DETAILS, "v1"));
      HTTPFault f = fault(matchedRoute(pp, c, r));
      assertThat(f.getAbort().getHttpStatus()).isEqualTo(555);
      assertThat(f.getAbort().getPercentage().getNumerator()).isEqualTo(1_000_000);
      assertThat(f.hasDelay()).isFalse();
    }
    assertThat(pp.clusters()).doesNotContainKey(subset(DETAILS, "v2"));
  }

  @Test
  void virtualServiceRatingsTestAbort() {
    TrafficSimulator rv =
        reviewsV3(mesh("virtual-service-ratings-test-abort.yaml", "destination-rule-all.yaml"));
    Call jason = toService("ratings", "jason");
    Result r = forwarded(rv, jason);
    assertThat(r.cluster()).isEqualTo(subset(RATINGS, "v1"));
    HTTPFault f = fault(matchedRoute(rv, jason, r));
    assertThat(f.getAbort().getHttpStatus()).isEqualTo(500);
    assertThat(f.getAbort().getPercentage().getNumerator()).isEqualTo(1_000_000);
    assertThat(f.hasDelay()).isFalse();

    Call other = toService("ratings", "mike");
    Result o = forwarded(rv, other);
    assertThat(o.cluster()).isEqualTo(subset(RATINGS, "v1"));
    assertThat(matchedRoute(rv, other, o).getTypedPerFilterConfigMap())
        .doesNotContainKey(FAULT_FILTER);
    Result anon = forwarded(rv, toService("ratings", null));
    assertThat(anon.cluster()).isEqualTo(subset(RATINGS, "v1"));
  }

  @Test
  void virtualServiceRatingsTestDelay() {
    TrafficSimulator rv =
        reviewsV3(mesh("virtual-service-ratings-test-delay.yaml", "destination-rule-all.yaml"));
    Call jason = toService("ratings", "jason");
    Result r = forwarded(rv, jason);
    assertThat(r.cluster()).isEqualTo(subset(RATINGS, "v1"));
    HTTPFault f = fault(matchedRoute(rv, jason, r));
    assertThat(f.getDelay().getFixedDelay().getSeconds()).isEqualTo(7);
    assertThat(f.getDelay().getFixedDelay().getNanos()).isZero();
    assertThat(f.getDelay().getPercentage().getNumerator()).isEqualTo(1_000_000);
    assertThat(f.hasAbort()).isFalse();

    Call other = toService("ratings", "mike");
    Result o = forwarded(rv, other);
    assertThat(o.cluster()).isEqualTo(subset(RATINGS, "v1"));
    assertThat(matchedRoute(rv, other, o).getTypedPerFilterConfigMap())
        .doesNotContainKey(FAULT_FILTER);
  }

  // ---------------------------------------------------------------- virtual services

  @Test
  void virtualServiceAllV1() {
    MeshSnapshot m = mesh("virtual-service-all-v1.yaml", "destination-rule-all.yaml");
    TrafficSimulator pp = productpage(m);
    for (String user : new String[] {null, "jason"}) {
      goesTo(pp, toService("productpage", user), subset(PRODUCTPAGE, "v1"));
      goesTo(pp, toService("reviews", user), subset(REVIEWS, "v1"));
      goesTo(pp, toService("details", user), subset(DETAILS, "v1"));
      goesTo(reviewsV3(m), toService("ratings", user), subset(RATINGS, "v1"));
    }
    goesTo(pp, Call.http(REVIEWS, 9080).path("/reviews/0").build(), subset(REVIEWS, "v1"));
    goesTo(pp, Call.http("reviews", 9080).address("10.96.114.47").build(), subset(REVIEWS, "v1"));
  }

  @Test
  void virtualServiceDetailsV2() {
    TrafficSimulator pp =
        productpage(mesh("virtual-service-details-v2.yaml", "destination-rule-all.yaml"));
    goesTo(pp, toService("details", null), subset(DETAILS, "v2"));
    // no pod carries version v2: the subset cluster exists, without endpoints
    assertThat(cluster(pp, subset(DETAILS, "v2")).getType()).isEqualTo(Cluster.DiscoveryType.EDS);
    goesTo(pp, toService("reviews", null), "outbound|9080||" + REVIEWS);
  }

  @Test
  void virtualServiceRatingsDb() {
    MeshSnapshot m = mesh("virtual-service-ratings-db.yaml", "destination-rule-all.yaml");
    goesTo(productpage(m), toService("reviews", null), subset(REVIEWS, "v3"));
    goesTo(reviewsV3(m), toService("ratings", null), subset(RATINGS, "v2"));
  }

  @Test
  void virtualServiceRatingsMysql() {
    MeshSnapshot m = mesh("virtual-service-ratings-mysql.yaml", "destination-rule-all.yaml");
    goesTo(productpage(m), toService("reviews", null), subset(REVIEWS, "v3"));
    goesTo(reviewsV3(m), toService("ratings", "jason"), subset(RATINGS, "v2-mysql"));
  }

  @Test
  void virtualServiceRatingsMysqlVm() {
    MeshSnapshot m = mesh("virtual-service-ratings-mysql-vm.yaml", "destination-rule-all.yaml");
    goesTo(productpage(m), toService("reviews", null), subset(REVIEWS, "v3"));
    goesTo(reviewsV3(m), toService("ratings", "jason"), subset(RATINGS, "v2-mysql-vm"));
  }

  /** Without destination-rule-all.yaml the subsets are undefined: Envoy would answer 503. */
  @Test
  void subsetsWithoutDestinationRulesAreUndefinedClusters() {
    TrafficSimulator rv = reviewsV3(mesh("virtual-service-ratings-mysql.yaml"));
    Result r = rv.run(toService("ratings", null));
    assertThat(r.cluster()).isEqualTo(subset(RATINGS, "v2-mysql"));
    assertThat(r.undefinedClusters()).containsExactly(subset(RATINGS, "v2-mysql"));
  }

  @Test
  void virtualServiceReviews50V3() {
    TrafficSimulator pp =
        productpage(mesh("virtual-service-reviews-50-v3.yaml", "destination-rule-all.yaml"));
    for (String user : new String[] {null, "jason"}) {
      splits(
          pp,
          toService("reviews", user),
          Map.of(subset(REVIEWS, "v1"), 50, subset(REVIEWS, "v3"), 50));
    }
  }

  @Test
  void virtualServiceReviews8020() {
    TrafficSimulator pp =
        productpage(mesh("virtual-service-reviews-80-20.yaml", "destination-rule-all.yaml"));
    for (String user : new String[] {null, "jason"}) {
      splits(
          pp,
          toService("reviews", user),
          Map.of(subset(REVIEWS, "v1"), 80, subset(REVIEWS, "v2"), 20));
    }
  }

  @Test
  void virtualServiceReviews9010() {
    TrafficSimulator pp =
        productpage(mesh("virtual-service-reviews-90-10.yaml", "destination-rule-all.yaml"));
    for (String user : new String[] {null, "jason"}) {
      splits(
          pp,
          toService("reviews", user),
          Map.of(subset(REVIEWS, "v1"), 90, subset(REVIEWS, "v2"), 10));
    }
  }

  @Test
  void virtualServiceReviewsV2V3() {
    TrafficSimulator pp =
        productpage(mesh("virtual-service-reviews-v2-v3.yaml", "destination-rule-all.yaml"));
    for (String user : new String[] {null, "jason"}) {
      splits(
          pp,
          toService("reviews", user),
          Map.of(subset(REVIEWS, "v2"), 50, subset(REVIEWS, "v3"), 50));
    }
  }

  @Test
  void virtualServiceReviewsV3() {
    TrafficSimulator pp =
        productpage(mesh("virtual-service-reviews-v3.yaml", "destination-rule-all.yaml"));
    for (String user : new String[] {null, "jason", "mike"}) {
      goesTo(pp, toService("reviews", user), subset(REVIEWS, "v3"));
    }
    goesTo(pp, toService("details", null), "outbound|9080||" + DETAILS);
  }

  @Test
  void virtualServiceReviewsTestV2() {
    TrafficSimulator pp =
        productpage(mesh("virtual-service-reviews-test-v2.yaml", "destination-rule-all.yaml"));
    goesTo(pp, toService("reviews", "jason"), subset(REVIEWS, "v2"));
    goesTo(pp, toService("reviews", "mike"), subset(REVIEWS, "v1"));
    goesTo(pp, toService("reviews", null), subset(REVIEWS, "v1"));
    goesTo(pp, toService("reviews", "Jason"), subset(REVIEWS, "v1"));
  }

  @Test
  void virtualServiceReviewsJasonV2V3() {
    TrafficSimulator pp =
        productpage(mesh("virtual-service-reviews-jason-v2-v3.yaml", "destination-rule-all.yaml"));
    goesTo(pp, toService("reviews", "jason"), subset(REVIEWS, "v2"));
    goesTo(pp, toService("reviews", "mike"), subset(REVIEWS, "v3"));
    goesTo(pp, toService("reviews", null), subset(REVIEWS, "v3"));
  }
}
