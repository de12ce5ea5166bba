package io.jpilot.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.Int32Range;
import io.jpilot.sim.Result.Failure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The simulator itself, on hand-made Envoy resources. */
class TrafficSimulatorTest {

  // ---- resource builders -------------------------------------------------------------------

  static Address addr(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }

  static Filter tcpProxy(String cluster) {
    return Filter.newBuilder()
        .setName(TrafficSimulator.TCP_PROXY)
        .setTypedConfig(
            Any.pack(TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build()))
        .build();
  }

  static Filter rds(String routeName) {
    return Filter.newBuilder()
        .setName(TrafficSimulator.HCM)
        .setTypedConfig(
            Any.pack(
                HttpConnectionManager.newBuilder()
                    .setStatPrefix("x")
                    .setRds(Rds.newBuilder().setRouteConfigName(routeName))
                    .build()))
        .build();
  }

  static Filter inlineRoutes(RouteConfiguration rc) {
    return Filter.newBuilder()
        .setName(TrafficSimulator.HCM)
        .setTypedConfig(
            Any.pack(
                HttpConnectionManager.newBuilder().setStatPrefix("x").setRouteConfig(rc).build()))
        .build();
  }

  static Listener virtualOutbound() {
    return Listener.newBuilder()
        .setName("virtualOutbound")
        .setAddress(addr("0.0.0.0", 15001))
        .setUseOriginalDst(BoolValue.of(true))
        .addFilterChains(
            FilterChain.newBuilder()
                .setName("virtualOutbound-blackhole")
                .setFilterChainMatch(
                    FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(15001)))
                .addFilters(tcpProxy("BlackHoleCluster")))
        .addFilterChains(
            FilterChain.newBuilder()
                .setName("virtualOutbound-catchall-tcp")
                .addFilters(tcpProxy("PassthroughCluster")))
        .build();
  }

  static Listener sidecarHttp(int port) {
    return Listener.newBuilder()
        .setName("0.0.0.0_" + port)
        .setAddress(addr("0.0.0.0", port))
        .setBindToPort(BoolValue.of(false))
        .addFilterChains(FilterChain.newBuilder().addFilters(rds(Integer.toString(port))))
        .build();
  }

  static Route route(String name, RouteMatch match, String cluster) {
    return Route.newBuilder()
        .setName(name)
        .setMatch(match)
        .setRoute(RouteAction.newBuilder().setCluster(cluster))
        .build();
  }

  static RouteMatch prefix(String p) {
    return RouteMatch.newBuilder().setPrefix(p).build();
  }

  static HeaderMatcher exactHeader(String name, String value) {
    return HeaderMatcher.newBuilder()
        .setName(name)
        .setStringMatch(StringMatcher.newBuilder().setExact(value))
        .build();
  }

  static VirtualHost vhost(String name, List<String> domains, Route... routes) {
    return VirtualHost.newBuilder()
        .setName(name)
        .addAllDomains(domains)
        .addAllRoutes(List.of(routes))
        .build();
  }

  static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).build();
  }

  static final String REVIEWS = "reviews.default.svc.cluster.local";
  static final String V1 = "outbound|9080|v1|" + REVIEWS;
  static final String V2 = "outbound|9080|v2|" + REVIEWS;
  static final String V3 = "outbound|9080|v3|" + REVIEWS;

  /** A sidecar with bookinfo-like reviews routing on 9080 and a TCP listener on a VIP. */
  static TrafficSimulator sidecar() {
    RouteConfiguration rc =
        RouteConfiguration.newBuilder()
            .setName("9080")
            .setIgnorePortInHostMatching(true)
            .addVirtualHosts(
                vhost(
                    REVIEWS + ":9080",
                    List.of(REVIEWS, "reviews", "10.96.0.12"),
                    Route.newBuilder()
                        .setName("jason")
                        .setMatch(
                            RouteMatch.newBuilder()
                                .setPrefix("/")
                                .addHeaders(exactHeader("end-user", "jason")))
                        .setRoute(RouteAction.newBuilder().setCluster(V3))
                        .build(),
                    Route.newBuilder()
                        .setName("split")
                        .setMatch(prefix("/"))
                        .setRoute(
                            RouteAction.newBuilder()
                                .setWeightedClusters(
                                    WeightedCluster.newBuilder()
                                        .addClusters(weight(V1, 80))
                                        .addClusters(weight(V2, 20))
                                        .addClusters(weight(V3, 0))))
                        .build()))
            .addVirtualHosts(
                vhost(
                    "allow_any",
                    List.of("*"),
                    route("allow_any", prefix("/"), "PassthroughCluster")))
            .build();
    Listener mysql =
        Listener.newBuilder()
            .setName("10.96.0.40_3306")
            .setAddress(addr("10.96.0.40", 3306))
            .setBindToPort(BoolValue.of(false))
            .addFilterChains(FilterChain.newBuilder().addFilters(tcpProxy("outbound|3306||mysql")))
            .build();
    return new TrafficSimulator(
        List.of(virtualOutbound(), sidecarHttp(9080), mysql),
        List.of(rc),
        List.of(
            cluster(V1), cluster(V2), cluster("PassthroughCluster"), cluster("BlackHoleCluster")));
  }

  static WeightedCluster.ClusterWeight weight(String name, int w) {
    return WeightedCluster.ClusterWeight.newBuilder()
        .setName(name)
        .setWeight(UInt32Value.of(w))
        .build();
  }

  // ---- listeners ---------------------------------------------------------------------------

  @Nested
  class Listeners {
    @Test
    void outboundHttpIsHandedToThePortListener() {
      Result r = sidecar().run(Call.http("reviews", 9080).header("end-user", "jason").build());
      assertThat(r.ok()).as("%s", r).isTrue();
      assertThat(r.listener()).isEqualTo("0.0.0.0_9080");
      assertThat(r.routeConfig()).isEqualTo("9080");
      assertThat(r.virtualHost()).isEqualTo(REVIEWS + ":9080");
      assertThat(r.route()).isEqualTo("jason");
      assertThat(r.cluster()).isEqualTo(V3);
      assertThat(r.undefinedClusters()).as("v3 has no cluster here").containsExactly(V3);
    }

    @Test
    void unknownPortStaysOnVirtualOutbound() {
      Result r = sidecar().run(Call.tcp("192.168.1.1", 5432).build());
      assertThat(r.listener()).isEqualTo("virtualOutbound");
      assertThat(r.filterChain()).isEqualTo("virtualOutbound-catchall-tcp");
      assertThat(r.cluster()).isEqualTo("PassthroughCluster");
    }

    @Test
    void connectionsToTheCapturePortItselfAreBlackHoled() {
      Result r = sidecar().run(Call.tcp("10.0.0.1", 15001).build());
      assertThat(r.filterChain()).isEqualTo("virtualOutbound-blackhole");
      assertThat(r.cluster()).isEqualTo("BlackHoleCluster");
    }

    @Test
    void exactAddressListenerOnlyForItsAddress() {
      TrafficSimulator sim = sidecar();
      assertThat(sim.run(Call.tcp("10.96.0.40", 3306).build()).cluster())
          .isEqualTo("outbound|3306||mysql");
      Result other = sim.run(Call.tcp("10.96.0.41", 3306).build());
      assertThat(other.listener()).isEqualTo("virtualOutbound");
      assertThat(other.cluster()).isEqualTo("PassthroughCluster");
    }

    @Test
    void outboundWithoutCaptureListenerMatchesNothing() {
      TrafficSimulator sim = new TrafficSimulator(List.of(sidecarHttp(9080)), List.of(), List.of());
      assertThat(sim.run(Call.http("reviews", 9080).build()).error()).contains(Failure.NO_LISTENER);
    }

    @Test
    void gatewayModeNeedsABoundPort() {
      TrafficSimulator sim = sidecar();
      Result r = sim.run(Call.http("reviews", 9080).mode(Call.Mode.GATEWAY).build());
      assertThat(r.error()).as("0.0.0.0_9080 does not bind").contains(Failure.NO_LISTENER);
    }

    @Test
    void gatewayModePrefersTheExactAddress() {
      Listener wildcard =
          Listener.newBuilder()
              .setName("0.0.0.0_8080")
              .setAddress(addr("0.0.0.0", 8080))
              .addFilterChains(FilterChain.newBuilder().addFilters(tcpProxy("wild")))
              .build();
      Listener exact =
          Listener.newBuilder()
              .setName("10.0.0.9_8080")
              .setAddress(addr("10.0.0.9", 8080))
              .addFilterChains(FilterChain.newBuilder().addFilters(tcpProxy("exact")))
              .build();
      TrafficSimulator sim = new TrafficSimulator(List.of(wildcard, exact), List.of(), List.of());
      assertThat(sim.run(Call.tcp("10.0.0.9", 8080).mode(Call.Mode.GATEWAY).build()).cluster())
          .isEqualTo("exact");
      assertThat(sim.run(Call.tcp("10.0.0.8", 8080).mode(Call.Mode.GATEWAY).build()).cluster())
          .isEqualTo("wild");
      assertThat(sim.run(Call.tcp("10.0.0.8", 8081).mode(Call.Mode.GATEWAY).build()).error())
          .contains(Failure.NO_LISTENER);
    }

    @Test
    void inboundModeUsesVirtualInbound() {
      Listener inbound =
          Listener.newBuilder()
              .setName("virtualInbound")
              .setAddress(addr("0.0.0.0", 15006))
              .setUseOriginalDst(BoolValue.of(true))
              .addFilterChains(
                  FilterChain.newBuilder()
                      .setName("0.0.0.0_9080")
                      .setFilterChainMatch(
                          FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(9080)))
                      .addFilters(tcpProxy("inbound|9080||")))
              .addFilterChains(
                  FilterChain.newBuilder()
                      .setName("virtualInbound")
                      .addFilters(tcpProxy("InboundPassthroughCluster")))
              .build();
      TrafficSimulator sim =
          new TrafficSimulator(List.of(virtualOutbound(), inbound), List.of(), List.of());
      assertThat(sim.run(Call.tcp("10.244.0.1", 9080).mode(Call.Mode.INBOUND).build()).cluster())
          .isEqualTo("inbound|9080||");
      assertThat(sim.run(Call.tcp("10.244.0.1", 9999).mode(Call.Mode.INBOUND).build()).cluster())
          .isEqualTo("InboundPassthroughCluster");
      assertThat(sim.run(Call.tcp("10.244.0.1", 9080).build()).listener())
          .as("outbound capture does not use virtualInbound")
          .isEqualTo("virtualOutbound");
    }
  }

  // ---- virtual hosts and routes ----------------------------------------------------------

  @Nested
  class Routing {
    @Test
    void weightedClustersAreReportedAsASetWithoutZeroWeights() {
      Result r = sidecar().run(Call.http("reviews.default.svc.cluster.local", 9080).build());
      assertThat(r.route()).isEqualTo("split");
      assertThat(r.cluster()).isEmpty();
      assertThat(r.weights()).isEqualTo(Map.of(V1, 80, V2, 20));
      assertThat(r.clusters()).containsExactly(V1, V2);
      assertThat(r.undefinedClusters()).isEmpty();
    }

    @Test
    void portInHostIsIgnoredOnlyWhenConfigured() {
      assertThat(sidecar().run(Call.http("reviews:9080", 9080).build()).virtualHost())
          .isEqualTo(REVIEWS + ":9080");
      RouteConfiguration strict =
          RouteConfiguration.newBuilder()
              .setName("80")
              .addVirtualHosts(vhost("a", List.of("a.com"), route("r", prefix("/"), "a")))
              .build();
      TrafficSimulator sim =
          new TrafficSimulator(
              List.of(virtualOutbound(), sidecarHttp(80)), List.of(strict), List.of());
      assertThat(sim.run(Call.http("a.com", 80).build()).cluster()).isEqualTo("a");
      assertThat(sim.run(Call.http("a.com:80", 80).build()).error())
          .contains(Failure.NO_VIRTUAL_HOST);
    }

    TrafficSimulator domains() {
      RouteConfiguration rc =
          RouteConfiguration.newBuilder()
              .setName("80")
              .addVirtualHosts(
                  vhost("exact", List.of("www.example.com"), route("", prefix("/"), "exact")))
              .addVirtualHosts(
                  vhost("suffix", List.of("*.example.com"), route("", prefix("/"), "suffix")))
              .addVirtualHosts(
                  vhost(
                      "longer-suffix",
                      List.of("*.api.example.com"),
                      route("", prefix("/"), "longer-suffix")))
              .addVirtualHosts(
                  vhost("prefix", List.of("example.*"), route("", prefix("/"), "prefix")))
              .addVirtualHosts(vhost("any", List.of("*"), route("", prefix("/"), "any")))
              .build();
      return new TrafficSimulator(
          List.of(virtualOutbound(), sidecarHttp(80)), List.of(rc), List.of());
    }

    @Test
    void virtualHostSearchOrder() {
      TrafficSimulator sim = domains();
      assertThat(sim.run(Call.http("www.example.com", 80).build()).virtualHost())
          .isEqualTo("exact");
      assertThat(sim.run(Call.http("WWW.Example.COM", 80).build()).virtualHost())
          .as("case-insensitive")
          .isEqualTo("exact");
      assertThat(sim.run(Call.http("a.example.com", 80).build()).virtualHost()).isEqualTo("suffix");
      assertThat(sim.run(Call.http("v1.api.example.com", 80).build()).virtualHost())
          .as("longest suffix wins")
          .isEqualTo("longer-suffix");
      assertThat(sim.run(Call.http("example.org", 80).build()).virtualHost()).isEqualTo("prefix");
      assertThat(sim.run(Call.http("example.com", 80).build()).virtualHost())
          .as("*.example.com needs at least one character before .example.com")
          .isEqualTo("prefix");
      assertThat(sim.run(Call.http("other.net", 80).build()).virtualHost()).isEqualTo("any");
    }

    @Test
    void noDefaultVirtualHost() {
      RouteConfiguration rc =
          RouteConfiguration.newBuilder()
              .setName("80")
              .addVirtualHosts(vhost("a", List.of("a.com"), route("r", prefix("/"), "a")))
              .build();
      TrafficSimulator sim =
          new TrafficSimulator(List.of(virtualOutbound(), sidecarHttp(80)), List.of(rc), List.of());
      Result r = sim.run(Call.http("b.com", 80).build());
      assertThat(r.error()).contains(Failure.NO_VIRTUAL_HOST);
      assertThat(r.routeConfig()).isEqualTo("80");
      assertThat(r.virtualHost()).isEmpty();
    }

    @Test
    void missingRouteConfiguration() {
      TrafficSimulator sim =
          new TrafficSimulator(List.of(virtualOutbound(), sidecarHttp(80)), List.of(), List.of());
      Result r = sim.run(Call.http("a.com", 80).build());
      assertThat(r.error()).contains(Failure.NO_ROUTE_CONFIG);
      assertThat(r.routeConfig()).isEqualTo("80");
    }

    TrafficSimulator matches() {
      VirtualHost vh =
          vhost(
              "vh",
              List.of("*"),
              route("exact", RouteMatch.newBuilder().setPath("/exact").build(), "exact"),
              route(
                  "insensitive",
                  RouteMatch.newBuilder()
                      .setPrefix("/CI/")
                      .setCaseSensitive(BoolValue.of(false))
                      .build(),
                  "insensitive"),
              route(
                  "regex",
                  RouteMatch.newBuilder()
                      .setSafeRegex(RegexMatcher.newBuilder().setRegex("/r/[0-9]+"))
                      .build(),
                  "regex"),
              route(
                  "query",
                  RouteMatch.newBuilder()
                      .setPrefix("/q")
                      .addQueryParameters(
                          QueryParameterMatcher.newBuilder()
                              .setName("v")
                              .setStringMatch(StringMatcher.newBuilder().setExact("2")))
                      .build(),
                  "query"),
              route(
                  "not-canary",
                  RouteMatch.newBuilder()
                      .setPrefix("/h")
                      .addHeaders(
                          HeaderMatcher.newBuilder()
                              .setName("x-canary")
                              .setPresentMatch(true)
                              .setInvertMatch(true))
                      .build(),
                  "stable"),
              route(
                  "beta-user",
                  RouteMatch.newBuilder()
                      .setPrefix("/h")
                      .addHeaders(
                          HeaderMatcher.newBuilder()
                              .setName("user")
                              .setStringMatch(
                                  StringMatcher.newBuilder()
                                      .setSafeRegex(RegexMatcher.newBuilder().setRegex("beta-.*"))))
                      .addHeaders(
                          HeaderMatcher.newBuilder()
                              .setName(":method")
                              .setStringMatch(StringMatcher.newBuilder().setExact("POST")))
                      .build(),
                  "beta"),
              route("rest", prefix("/h"), "canary"));
      RouteConfiguration rc =
          RouteConfiguration.newBuilder().setName("80").addVirtualHosts(vh).build();
      return new TrafficSimulator(
          List.of(virtualOutbound(), sidecarHttp(80)), List.of(rc), List.of());
    }

    @Test
    void pathMatches() {
      TrafficSimulator sim = matches();
      assertThat(sim.run(Call.http("x", 80).path("/exact").build()).route()).isEqualTo("exact");
      assertThat(sim.run(Call.http("x", 80).path("/exact?a=b").build()).route())
          .as("exact path ignores the query")
          .isEqualTo("exact");
      assertThat(sim.run(Call.http("x", 80).path("/exact/more").build()).error())
          .contains(Failure.NO_ROUTE);
      assertThat(sim.run(Call.http("x", 80).path("/ci/x").build()).route())
          .isEqualTo("insensitive");
      assertThat(sim.run(Call.http("x", 80).path("/r/123").build()).route()).isEqualTo("regex");
      assertThat(sim.run(Call.http("x", 80).path("/r/123x").build()).error())
          .as("regex must match the whole path")
          .contains(Failure.NO_ROUTE);
    }

    @Test
    void queryParameterMatches() {
      TrafficSimulator sim = matches();
      assertThat(sim.run(Call.http("x", 80).path("/q?a=1&v=2").build()).route()).isEqualTo("query");
      assertThat(sim.run(Call.http("x", 80).path("/q?v=3").build()).error())
          .contains(Failure.NO_ROUTE);
      assertThat(sim.run(Call.http("x", 80).path("/q").build()).error()).contains(Failure.NO_ROUTE);
    }

    @Test
    void headerMatchesInRouteOrder() {
      TrafficSimulator sim = matches();
      assertThat(sim.run(Call.http("x", 80).path("/h").build()).cluster())
          .as("inverted presence: no x-canary header")
          .isEqualTo("stable");
      Call.Builder canary = Call.http("x", 80).path("/h").header("X-Canary", "1");
      assertThat(sim.run(canary.build()).cluster()).isEqualTo("canary");
      assertThat(sim.run(canary.header("user", "beta-7").build()).cluster())
          .as("all header matchers must hold (method is GET)")
          .isEqualTo("canary");
      assertThat(sim.run(canary.method("POST").build()).cluster()).isEqualTo("beta");
    }

    @Test
    void moreHeaderMatchersAndClusterFromHeader() {
      VirtualHost vh =
          vhost(
              "vh",
              List.of("*"),
              route(
                  "range",
                  RouteMatch.newBuilder()
                      .setPrefix("/")
                      .addHeaders(
                          HeaderMatcher.newBuilder()
                              .setName("x-version")
                              .setRangeMatch(
                                  io.envoyproxy.envoy.type.v3.Int64Range.newBuilder()
                                      .setStart(2)
                                      .setEnd(5)))
                      .build(),
                  "range"),
              route(
                  "suffix-ignore-case",
                  RouteMatch.newBuilder()
                      .setPrefix("/")
                      .addHeaders(
                          HeaderMatcher.newBuilder()
                              .setName("user-agent")
                              .setStringMatch(
                                  StringMatcher.newBuilder().setSuffix("BOT").setIgnoreCase(true)))
                      .build(),
                  "bots"),
              route(
                  "missing-as-empty",
                  RouteMatch.newBuilder()
                      .setPrefix("/empty")
                      .addHeaders(
                          HeaderMatcher.newBuilder()
                              .setName("x-tenant")
                              .setTreatMissingHeaderAsEmpty(true)
                              .setStringMatch(StringMatcher.newBuilder().setExact("")))
                      .build(),
                  "no-tenant"),
              Route.newBuilder()
                  .setName("by-header")
                  .setMatch(RouteMatch.newBuilder().setPathSeparatedPrefix("/dyn"))
                  .setRoute(RouteAction.newBuilder().setClusterHeader("x-cluster"))
                  .build());
      TrafficSimulator sim =
          new TrafficSimulator(
              List.of(virtualOutbound(), sidecarHttp(80)),
              List.of(RouteConfiguration.newBuilder().setName("80").addVirtualHosts(vh).build()),
              List.of(cluster("range")));
      assertThat(sim.run(Call.http("x", 80).header("x-version", "4").build()).cluster())
          .isEqualTo("range");
      assertThat(sim.run(Call.http("x", 80).header("x-version", "5").build()).error())
          .as("range end is exclusive")
          .contains(Failure.NO_ROUTE);
      assertThat(sim.run(Call.http("x", 80).header("User-Agent", "GoogleBot").build()).cluster())
          .isEqualTo("bots");
      assertThat(sim.run(Call.http("x", 80).path("/empty").build()).cluster())
          .isEqualTo("no-tenant");
      Result dyn = sim.run(Call.http("x", 80).path("/dyn/a").header("x-cluster", "c1").build());
      assertThat(dyn.cluster()).isEqualTo("c1");
      assertThat(dyn.undefinedClusters()).containsExactly("c1");
      assertThat(sim.run(Call.http("x", 80).path("/dynamo").build()).error())
          .as("path_separated_prefix needs a separator")
          .contains(Failure.NO_ROUTE);
      assertThat(sim.run(Call.http("x", 80).path("/dyn").build()).error())
          .contains(Failure.NO_CLUSTER);
    }

    @Test
    void requireTlsRedirectsPlaintext() {
      RouteConfiguration rc =
          RouteConfiguration.newBuilder()
              .setName("80")
              .addVirtualHosts(
                  VirtualHost.newBuilder()
                      .setName("example.com:80")
                      .addDomains("example.com")
                      .setRequireTls(VirtualHost.TlsRequirementType.ALL)
                      .addRoutes(route("r", prefix("/"), "c")))
              .build();
      TrafficSimulator sim =
          new TrafficSimulator(List.of(virtualOutbound(), sidecarHttp(80)), List.of(rc), List.of());
      Result r = sim.run(Call.http("example.com", 80).path("/a").build());
      assertThat(r.error()).contains(Failure.TLS_REDIRECT);
      assertThat(r.status()).isEqualTo(301);
      assertThat(r.detail()).isEqualTo("https://example.com/a");
      assertThat(r.virtualHost()).isEqualTo("example.com:80");
      assertThat(r.route()).isEmpty();
    }

    @Test
    void redirectsAndDirectResponses() {
      VirtualHost vh =
          vhost(
              "vh",
              List.of("*"),
              Route.newBuilder()
                  .setName("moved")
                  .setMatch(prefix("/old/"))
                  .setRedirect(
                      RedirectAction.newBuilder()
                          .setPrefixRewrite("/new/")
                          .setHostRedirect("b.com")
                          .setResponseCode(RedirectAction.RedirectResponseCode.FOUND))
                  .build(),
              Route.newBuilder()
                  .setName("secure")
                  .setMatch(prefix("/s"))
                  .setRedirect(RedirectAction.newBuilder().setHttpsRedirect(true))
                  .build(),
              Route.newBuilder()
                  .setName("teapot")
                  .setMatch(prefix("/"))
                  .setDirectResponse(
                      DirectResponseAction.newBuilder()
                          .setStatus(418)
                          .setBody(DataSource.newBuilder().setInlineString("short and stout")))
                  .build());
      TrafficSimulator sim =
          new TrafficSimulator(
              List.of(virtualOutbound(), sidecarHttp(80)),
              List.of(RouteConfiguration.newBuilder().setName("80").addVirtualHosts(vh).build()),
              List.of());
      Result moved = sim.run(Call.http("a.com", 80).path("/old/x?q=1").build());
      assertThat(moved.error()).contains(Failure.REDIRECT);
      assertThat(moved.status()).isEqualTo(302);
      assertThat(moved.detail()).isEqualTo("http://b.com/new/x?q=1");
      Result secure = sim.run(Call.http("a.com", 80).path("/s").build());
      assertThat(secure.status()).isEqualTo(301);
      assertThat(secure.detail()).isEqualTo("https://a.com/s");
      Result teapot = sim.run(Call.http("a.com", 80).path("/x").build());
      assertThat(teapot.error()).contains(Failure.DIRECT_RESPONSE);
      assertThat(teapot.status()).isEqualTo(418);
      assertThat(teapot.detail()).isEqualTo("418 short and stout");
    }
  }

  // ---- filter chains and TLS -----------------------------------------------------------------

  @Nested
  class FilterChains {
    static ListenerFilter tlsInspector() {
      return ListenerFilter.newBuilder()
          .setName(TrafficSimulator.TLS_INSPECTOR)
          .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance()))
          .build();
    }

    static TransportSocket tls(boolean requireClientCert) {
      return TransportSocket.newBuilder()
          .setName("envoy.transport_sockets.tls")
          .setTypedConfig(
              Any.pack(
                  DownstreamTlsContext.newBuilder()
                      .setRequireClientCertificate(BoolValue.of(requireClientCert))
                      .build()))
          .build();
    }

    static FilterChain sni(String name, String... serverNames) {
      return FilterChain.newBuilder()
          .setName(name)
          .setFilterChainMatch(
              FilterChainMatch.newBuilder().addAllServerNames(List.of(serverNames)))
          .addFilters(tcpProxy(name))
          .build();
    }

    /** A gateway-like 443 listener: SNI chains plus a default. */
    TrafficSimulator gateway(boolean inspector) {
      Listener.Builder l =
          Listener.newBuilder()
              .setName("0.0.0.0_443")
              .setAddress(addr("0.0.0.0", 443))
              .addFilterChains(sni("exact", "a.example.com"))
              .addFilterChains(sni("wild", "*.example.com"))
              .addFilterChains(sni("deep-wild", "*.b.example.com"))
              .addFilterChains(
                  FilterChain.newBuilder()
                      .setName("raw")
                      .setFilterChainMatch(
                          FilterChainMatch.newBuilder().setTransportProtocol("raw_buffer"))
                      .addFilters(tcpProxy("raw")));
      if (inspector) {
        l.addListenerFilters(tlsInspector());
      }
      return new TrafficSimulator(List.of(l.build()), List.of(), List.of());
    }

    Call.Builder tlsCall(String sni) {
      return Call.tls(sni, 443).mode(Call.Mode.GATEWAY);
    }

    @Test
    void serverNamesExactBeforeLongestWildcard() {
      TrafficSimulator sim = gateway(true);
      assertThat(sim.run(tlsCall("a.example.com").build()).filterChain()).isEqualTo("exact");
      assertThat(sim.run(tlsCall("c.example.com").build()).filterChain()).isEqualTo("wild");
      assertThat(sim.run(tlsCall("x.y.example.com").build()).filterChain())
          .as("a wildcard covers several labels")
          .isEqualTo("wild");
      assertThat(sim.run(tlsCall("x.b.example.com").build()).filterChain()).isEqualTo("deep-wild");
      assertThat(sim.run(tlsCall("other.org").build()).error()).contains(Failure.NO_FILTER_CHAIN);
      assertThat(sim.run(Call.tcp("1.2.3.4", 443).mode(Call.Mode.GATEWAY).build()).filterChain())
          .isEqualTo("raw");
    }

    @Test
    void withoutTlsInspectorNothingIsKnownAboutTls() {
      TrafficSimulator sim = gateway(false);
      Result r = sim.run(tlsCall("a.example.com").build());
      assertThat(r.filterChain()).as("transport protocol stays raw_buffer").isEqualTo("raw");
    }

    @Test
    void disabledInspectorOnSomePorts() {
      Listener l =
          Listener.newBuilder()
              .setName("0.0.0.0_443")
              .setAddress(addr("0.0.0.0", 443))
              .addListenerFilters(
                  tlsInspector().toBuilder()
                      .setFilterDisabled(
                          ListenerFilterChainMatchPredicate.newBuilder()
                              .setDestinationPortRange(
                                  Int32Range.newBuilder().setStart(443).setEnd(444))))
              .addFilterChains(sni("exact", "a.example.com"))
              .build();
      TrafficSimulator sim = new TrafficSimulator(List.of(l), List.of(), List.of());
      assertThat(sim.run(tlsCall("a.example.com").build()).error())
          .contains(Failure.NO_FILTER_CHAIN);
    }

    @Test
    void defaultFilterChainCatchesTheRest() {
      Listener l =
          Listener.newBuilder()
              .setName("0.0.0.0_443")
              .setAddress(addr("0.0.0.0", 443))
              .addListenerFilters(tlsInspector())
              .addFilterChains(sni("exact", "a.example.com"))
              .setDefaultFilterChain(
                  FilterChain.newBuilder().setName("default").addFilters(tcpProxy("default")))
              .build();
      TrafficSimulator sim = new TrafficSimulator(List.of(l), List.of(), List.of());
      assertThat(sim.run(tlsCall("b.example.com").build()).cluster()).isEqualTo("default");
    }

    @Test
    void destinationPortAndMostSpecificPrefixRange() {
      FilterChain wide =
          FilterChain.newBuilder()
              .setName("wide")
              .setFilterChainMatch(
                  FilterChainMatch.newBuilder()
                      .addPrefixRanges(
                          CidrRange.newBuilder()
                              .setAddressPrefix("10.0.0.0")
                              .setPrefixLen(UInt32Value.of(8))))
              .addFilters(tcpProxy("wide"))
              .build();
      FilterChain narrow =
          FilterChain.newBuilder()
              .setName("narrow")
              .setFilterChainMatch(
                  FilterChainMatch.newBuilder()
                      .addPrefixRanges(
                          CidrRange.newBuilder()
                              .setAddressPrefix("10.1.0.0")
                              .setPrefixLen(UInt32Value.of(16))))
              .addFilters(tcpProxy("narrow"))
              .build();
      FilterChain port =
          FilterChain.newBuilder()
              .setName("port")
              .setFilterChainMatch(
                  FilterChainMatch.newBuilder().setDestinationPort(UInt32Value.of(7000)))
              .addFilters(tcpProxy("port"))
              .build();
      Listener l =
          Listener.newBuilder()
              .setName("virtualOutbound")
              .setAddress(addr("0.0.0.0", 15001))
              .setUseOriginalDst(BoolValue.of(true))
              .addFilterChains(wide)
              .addFilterChains(narrow)
              .addFilterChains(port)
              .build();
      TrafficSimulator sim = new TrafficSimulator(List.of(l), List.of(), List.of());
      assertThat(sim.run(Call.tcp("10.1.2.3", 80).build()).filterChain()).isEqualTo("narrow");
      assertThat(sim.run(Call.tcp("10.2.2.3", 80).build()).filterChain()).isEqualTo("wide");
      assertThat(sim.run(Call.tcp("10.1.2.3", 7000).build()).filterChain())
          .as("destination port is decided first")
          .isEqualTo("port");
      assertThat(sim.run(Call.tcp("192.168.0.1", 80).build()).error())
          .contains(Failure.NO_FILTER_CHAIN);
    }

    @Test
    void applicationProtocols() {
      FilterChain h2 =
          FilterChain.newBuilder()
              .setName("h2")
              .setFilterChainMatch(
                  FilterChainMatch.newBuilder()
                      .setTransportProtocol("tls")
                      .addApplicationProtocols("h2"))
              .addFilters(tcpProxy("h2"))
              .build();
      FilterChain other =
          FilterChain.newBuilder()
              .setName("other")
              .setFilterChainMatch(FilterChainMatch.newBuilder().setTransportProtocol("tls"))
              .addFilters(tcpProxy("other"))
              .build();
      Listener l =
          Listener.newBuilder()
              .setName("0.0.0.0_443")
              .setAddress(addr("0.0.0.0", 443))
              .addListenerFilters(tlsInspector())
              .addFilterChains(h2)
              .addFilterChains(other)
              .build();
      TrafficSimulator sim = new TrafficSimulator(List.of(l), List.of(), List.of());
      assertThat(sim.run(tlsCall("a").alpn("h2", "http/1.1").build()).filterChain())
          .isEqualTo("h2");
      assertThat(sim.run(tlsCall("a").alpn("http/1.1").build()).filterChain()).isEqualTo("other");
    }

    TrafficSimulator terminating(boolean requireClientCert) {
      RouteConfiguration rc =
          RouteConfiguration.newBuilder()
              .setName("inline")
              .addVirtualHosts(vhost("vh", List.of("*"), route("r", prefix("/"), "backend")))
              .build();
      Listener l =
          Listener.newBuilder()
              .setName("0.0.0.0_443")
              .setAddress(addr("0.0.0.0", 443))
              .addListenerFilters(tlsInspector())
              .addFilterChains(
                  FilterChain.newBuilder()
                      .setName("https")
                      .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames("a.com"))
                      .setTransportSocket(tls(requireClientCert))
                      .addFilters(inlineRoutes(rc)))
              .addFilterChains(
                  FilterChain.newBuilder()
                      .setName("plain-http")
                      .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames("p.com"))
                      .addFilters(inlineRoutes(rc)))
              .build();
      return new TrafficSimulator(List.of(l), List.of(), List.of(cluster("backend")));
    }

    @Test
    void tlsTermination() {
      TrafficSimulator sim = terminating(false);
      Result ok =
          sim.run(
              Call.http("a.com", 443).tls(Call.Tls.TLS).mode(Call.Mode.GATEWAY).path("/x").build());
      assertThat(ok.ok()).as("%s", ok).isTrue();
      assertThat(ok.routeConfig()).as("inline route config has no RDS name").isEmpty();
      assertThat(ok.cluster()).isEqualTo("backend");
      assertThat(ok.undefinedClusters()).isEmpty();

      Result tcp = sim.run(Call.tls("a.com", 443).mode(Call.Mode.GATEWAY).build());
      assertThat(tcp.error()).as("raw bytes inside TLS to HCM").contains(Failure.PROTOCOL_ERROR);

      Result plainHcm =
          sim.run(Call.http("p.com", 443).tls(Call.Tls.TLS).mode(Call.Mode.GATEWAY).build());
      assertThat(plainHcm.error())
          .as("TLS to an HCM that does not terminate it")
          .contains(Failure.PROTOCOL_ERROR);
    }

    @Test
    void plaintextToTlsChain() {
      Listener l =
          Listener.newBuilder()
              .setName("0.0.0.0_443")
              .setAddress(addr("0.0.0.0", 443))
              .addFilterChains(
                  FilterChain.newBuilder()
                      .setName("https")
                      .setTransportSocket(tls(false))
                      .addFilters(tcpProxy("x")))
              .build();
      TrafficSimulator sim = new TrafficSimulator(List.of(l), List.of(), List.of());
      assertThat(sim.run(Call.http("a.com", 443).mode(Call.Mode.GATEWAY).build()).error())
          .contains(Failure.TLS_ERROR);
    }

    @Test
    void clientCertificateRequired() {
      TrafficSimulator sim = terminating(true);
      Call.Builder c = Call.http("a.com", 443).mode(Call.Mode.GATEWAY);
      assertThat(sim.run(c.tls(Call.Tls.TLS).build()).error()).contains(Failure.MTLS_ERROR);
      assertThat(sim.run(c.tls(Call.Tls.MTLS).alpn("h2").build()).ok()).isTrue();
    }

    @Test
    void alpnOnPlaintextIsAnInvalidCall() {
      Call c = Call.http("a.com", 80).alpn("h2").build();
      assertThat(sidecar().run(c).error()).contains(Failure.INVALID_CALL);
    }
  }

  // ---- configuration Envoy rejects -----------------------------------------------------------

  @Nested
  class Rejections {
    @Test
    void duplicateDomainsAcrossVirtualHosts() {
      RouteConfiguration rc =
          RouteConfiguration.newBuilder()
              .setName("80")
              .addVirtualHosts(vhost("a", List.of("x.com", "y.com"), route("", prefix("/"), "a")))
              .addVirtualHosts(vhost("b", List.of("Y.com"), route("", prefix("/"), "b")))
              .build();
      assertThatThrownBy(() -> new TrafficSimulator(List.of(), List.of(rc), List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("route configuration 80: domain Y.com is in virtual hosts a and b");
    }

    @Test
    void identicalFilterChainMatches() {
      Listener l =
          Listener.newBuilder()
              .setName("l")
              .setAddress(addr("0.0.0.0", 443))
              .addFilterChains(FilterChains.sni("one", "a.com"))
              .addFilterChains(FilterChains.sni("two", "a.com"))
              .build();
      assertThatThrownBy(() -> new TrafficSimulator(List.of(l), List.of(), List.of()))
          .hasMessageContaining(
              "listener l: filter chains one and two have the same matching rules");
    }

    @Test
    void twoListenersBindingOneAddress() {
      Listener a =
          Listener.newBuilder()
              .setName("a")
              .setAddress(addr("0.0.0.0", 8080))
              .addFilterChains(FilterChain.newBuilder().addFilters(tcpProxy("a")))
              .build();
      Listener b = a.toBuilder().setName("b").build();
      assertThatThrownBy(() -> new TrafficSimulator(List.of(a, b), List.of(), List.of()))
          .hasMessageContaining("listener b: address 0.0.0.0:8080 already bound by a");
      Listener c = b.toBuilder().setBindToPort(BoolValue.of(false)).build();
      assertThat(TrafficSimulator.envoyRejections(List.of(a, c), List.of(), List.of()))
          .as("a listener that does not bind does not conflict")
          .isEmpty();
    }

    @Test
    void duplicateNames() {
      assertThat(
              TrafficSimulator.envoyRejections(
                  List.of(),
                  List.of(
                      RouteConfiguration.newBuilder().setName("80").build(),
                      RouteConfiguration.newBuilder().setName("80").build()),
                  List.of(cluster("c"), cluster("c"))))
          .containsExactly("route configuration 80: duplicate name", "cluster c: duplicate name");
    }
  }
}
