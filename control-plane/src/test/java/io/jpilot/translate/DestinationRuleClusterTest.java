package io.jpilot.translate;

import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.http;
import static io.jpilot.translate.TestMesh.port;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DestinationRule traffic policy on sidecar clusters, mirroring istiod's cluster_test.go and
 * cluster_builder_test.go expectations.
 */
class DestinationRuleClusterTest {
  static final String REVIEWS = fqdn("reviews", "default");
  static final String HTTP = "outbound|9080||" + REVIEWS;
  static final String GRPC = "outbound|7070||" + REVIEWS;
  static final String SNIFFED = "outbound|9090||" + REVIEWS;
  static final ProxyView PRODUCTPAGE =
      TestMesh.sidecar("productpage", "default", "10.244.0.20", Map.of("app", "productpage"));

  static TestMesh reviews() {
    return TestMesh.create()
        .service(
            "reviews",
            "default",
            "10.96.0.12",
            http(9080),
            port("grpc", 7070, 7070),
            port("auto", 9090, 9090))
        .workload(
            "reviews",
            "default",
            "reviews-v1",
            "10.244.1.1",
            Map.of("app", "reviews", "version", "v1", "security.istio.io/tlsMode", "istio"),
            "");
  }

  static Cluster cluster(String drSpec, String name) {
    MeshSnapshot s = YamlMesh.of(reviews(), YamlMesh.dr("default", "reviews", drSpec));
    return Generated.cluster(s, PRODUCTPAGE, name);
  }

  static HttpProtocolOptions httpOptions(Cluster c) throws InvalidProtocolBufferException {
    return c.getTypedExtensionProtocolOptionsOrThrow(IstioNames.HTTP_PROTOCOL_OPTIONS)
        .unpack(HttpProtocolOptions.class);
  }

  static UpstreamTlsContext tls(Cluster c) throws InvalidProtocolBufferException {
    assertThat(c.getTransportSocket().getName()).isEqualTo("envoy.transport_sockets.tls");
    return c.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
  }

  private static long u32(UInt32Value v) {
    return Integer.toUnsignedLong(v.getValue());
  }

  // ---- connectionPool (TestConnectionPoolSettings, TestCommonHttpProtocolOptions) -------------

  @Test
  void connectionPoolSettingsBecomeThresholdsTimeoutsAndKeepalive() throws Exception {
    Cluster c =
        cluster(
            """
trafficPolicy:
  connectionPool:
    http: {http1MaxPendingRequests: 1, http2MaxRequests: 2, maxRequestsPerConnection: 3, maxRetries: 4}
    tcp:
      maxConnections: 1
      connectTimeout: 2s
      tcpKeepalive: {probes: 3, time: 4s, interval: 5s}
      maxConnectionDuration: 6s
""",
            HTTP);
    CircuitBreakers.Thresholds t = c.getCircuitBreakers().getThresholds(0);
    assertThat(c.getCircuitBreakers().getThresholdsCount()).isEqualTo(1);
    assertThat(u32(t.getMaxConnections())).isEqualTo(1);
    assertThat(u32(t.getMaxPendingRequests())).isEqualTo(1);
    assertThat(u32(t.getMaxRequests())).isEqualTo(2);
    assertThat(u32(t.getMaxRetries())).isEqualTo(4);
    assertThat(t.getTrackRemaining()).isTrue();
    assertThat(c.getConnectTimeout().getSeconds()).isEqualTo(2);
    var ka = c.getUpstreamConnectionOptions().getTcpKeepalive();
    assertThat(ka.getKeepaliveProbes().getValue()).isEqualTo(3);
    assertThat(ka.getKeepaliveTime().getValue()).isEqualTo(4);
    assertThat(ka.getKeepaliveInterval().getValue()).isEqualTo(5);
    HttpProtocolOptions opts = httpOptions(c);
    assertThat(opts.getCommonHttpProtocolOptions().getMaxRequestsPerConnection().getValue())
        .isEqualTo(3);
    assertThat(opts.getCommonHttpProtocolOptions().getMaxConnectionDuration().getSeconds())
        .isEqualTo(6);
    // an HTTP/1 port still gets an explicit upstream protocol (Envoy requires one)
    assertThat(opts.getExplicitHttpConfig().hasHttpProtocolOptions()).isTrue();
  }

  @Test
  void noConnectionPoolStillGetsTheMaximumThresholdsAndTheMeshConnectTimeout() {
    Cluster c = cluster("trafficPolicy: {loadBalancer: {simple: RANDOM}}", HTTP);
    assertThat(c.getCircuitBreakers()).isEqualTo(ClusterTranslator.defaultCircuitBreakers());
    assertThat(c.getConnectTimeout().getSeconds()).isEqualTo(10);
    assertThat(c.hasUpstreamConnectionOptions()).isFalse();
  }

  @Test
  void idleTimeoutFromHttpElseTcpAndSniffedPortsUseTheDownstreamProtocol() throws Exception {
    String spec =
        "trafficPolicy: {connectionPool: {http: {http1MaxPendingRequests: 1, idleTimeout: 15s},"
            + " tcp: {idleTimeout: 1h}}}";
    HttpProtocolOptions http = httpOptions(cluster(spec, HTTP));
    assertThat(http.getCommonHttpProtocolOptions().getIdleTimeout().getSeconds()).isEqualTo(15);
    assertThat(http.hasUseDownstreamProtocolConfig()).isFalse();
    HttpProtocolOptions sniffed = httpOptions(cluster(spec, SNIFFED));
    assertThat(sniffed.getCommonHttpProtocolOptions().getIdleTimeout().getSeconds()).isEqualTo(15);
    assertThat(sniffed.hasUseDownstreamProtocolConfig()).isTrue();
    HttpProtocolOptions tcpOnly =
        httpOptions(cluster("trafficPolicy: {connectionPool: {tcp: {idleTimeout: 1h}}}", HTTP));
    assertThat(tcpOnly.getCommonHttpProtocolOptions().getIdleTimeout().getSeconds())
        .isEqualTo(3600);
  }

  @Test
  void http2OptionsOnlyOnHttp2ClustersAndH2UpgradeMakesOne() throws Exception {
    String spec =
        "trafficPolicy: {connectionPool: {http: {maxConcurrentStreams: 50,"
            + " http2KeepAlive: {interval: 10s, timeout: 3s}}}}";
    var h2 = httpOptions(cluster(spec, GRPC)).getExplicitHttpConfig().getHttp2ProtocolOptions();
    assertThat(h2.getMaxConcurrentStreams().getValue()).isEqualTo(50);
    assertThat(h2.getConnectionKeepalive().getInterval().getSeconds()).isEqualTo(10);
    assertThat(h2.getConnectionKeepalive().getTimeout().getSeconds()).isEqualTo(3);
    // the HTTP/1 port ignores them
    assertThat(httpOptions(cluster(spec, HTTP)).getExplicitHttpConfig().hasHttp2ProtocolOptions())
        .isFalse();
    // UPGRADE turns the HTTP/1 port into HTTP/2
    Cluster upgraded =
        cluster("trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: UPGRADE}}}", HTTP);
    assertThat(httpOptions(upgraded).getExplicitHttpConfig().hasHttp2ProtocolOptions()).isTrue();
    // useClientProtocol: downstream protocol, never an upgrade
    Cluster client =
        cluster("trafficPolicy: {connectionPool: {http: {useClientProtocol: true}}}", HTTP);
    assertThat(httpOptions(client).hasUseDownstreamProtocolConfig()).isTrue();
  }

  // ---- outlierDetection (TestApplyOutlierDetection) -------------------------------------------

  static Stream<Arguments> outliers() {
    UInt32Value zero = UInt32Value.of(0);
    UInt32Value hundred = UInt32Value.of(100);
    return Stream.of(
        Arguments.of("{}", OutlierDetection.newBuilder().setEnforcingSuccessRate(zero).build()),
        Arguments.of(
            "{consecutive5xxErrors: 4, consecutiveGatewayErrors: 3}",
            OutlierDetection.newBuilder()
                .setConsecutive5Xx(UInt32Value.of(4))
                .setEnforcingConsecutive5Xx(hundred)
                .setConsecutiveGatewayFailure(UInt32Value.of(3))
                .setEnforcingConsecutiveGatewayFailure(hundred)
                .setEnforcingSuccessRate(zero)
                .build()),
        Arguments.of(
            "{consecutiveGatewayErrors: 3}",
            OutlierDetection.newBuilder()
                .setConsecutiveGatewayFailure(UInt32Value.of(3))
                .setEnforcingConsecutiveGatewayFailure(hundred)
                .setEnforcingSuccessRate(zero)
                .build()),
        Arguments.of(
            "{consecutive5xxErrors: 3}",
            OutlierDetection.newBuilder()
                .setConsecutive5Xx(UInt32Value.of(3))
                .setEnforcingConsecutive5Xx(hundred)
                .setEnforcingSuccessRate(zero)
                .build()),
        Arguments.of(
            "{consecutiveGatewayErrors: 0}",
            OutlierDetection.newBuilder()
                .setConsecutiveGatewayFailure(zero)
                .setEnforcingConsecutiveGatewayFailure(zero)
                .setEnforcingSuccessRate(zero)
                .build()),
        Arguments.of(
            "{consecutive5xxErrors: 0}",
            OutlierDetection.newBuilder()
                .setConsecutive5Xx(zero)
                .setEnforcingConsecutive5Xx(zero)
                .setEnforcingSuccessRate(zero)
                .build()),
        Arguments.of(
            "{splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 10}",
            OutlierDetection.newBuilder()
                .setEnforcingSuccessRate(zero)
                .setSplitExternalLocalOriginErrors(true)
                .setConsecutiveLocalOriginFailure(UInt32Value.of(10))
                .setEnforcingLocalOriginSuccessRate(zero)
                .setEnforcingConsecutiveLocalOriginFailure(hundred)
                .build()),
        // the deprecated consecutiveErrors is ignored, as istiod ignores it
        Arguments.of(
            "{consecutiveErrors: 7, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}",
            OutlierDetection.newBuilder()
                .setEnforcingSuccessRate(zero)
                .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(10))
                .setBaseEjectionTime(com.google.protobuf.Duration.newBuilder().setSeconds(30))
                .setMaxEjectionPercent(UInt32Value.of(50))
                .build()));
  }

  @ParameterizedTest
  @MethodSource("outliers")
  void outlierDetectionFields(String outlier, OutlierDetection expected) {
    Cluster c = cluster("trafficPolicy: {outlierDetection: " + outlier + "}", HTTP);
    assertThat(c.getOutlierDetection()).isEqualTo(expected);
    // panic mode is off unless minHealthPercent says otherwise
    assertThat(c.getCommonLbConfig().hasHealthyPanicThreshold()).isTrue();
    assertThat(c.getCommonLbConfig().getHealthyPanicThreshold().getValue()).isEqualTo(0.0);
  }

  @Test
  void minHealthPercentIsThePanicThresholdAndNoOutlierDetectionLeavesItUnset() {
    Cluster c = cluster("trafficPolicy: {outlierDetection: {minHealthPercent: 10}}", HTTP);
    assertThat(c.getCommonLbConfig().getHealthyPanicThreshold().getValue()).isEqualTo(10.0);
    Cluster none = cluster("trafficPolicy: {loadBalancer: {simple: RANDOM}}", HTTP);
    assertThat(none.hasOutlierDetection()).isFalse();
    assertThat(none.getCommonLbConfig().hasHealthyPanicThreshold()).isFalse();
  }

  // ---- loadBalancer (TestApplyRingHashLoadBalancer, TestWarmup, TestSlowStartConfig) ----------

  static Stream<Arguments> consistentHashes() {
    return Stream.of(
        Arguments.of("{httpHeaderName: x-user}", Cluster.LbPolicy.RING_HASH, 1024L),
        Arguments.of(
            "{httpHeaderName: x-user, minimumRingSize: 10}", Cluster.LbPolicy.RING_HASH, 10L),
        Arguments.of(
            "{useSourceIp: true, maglev: {tableSize: 65537}}", Cluster.LbPolicy.MAGLEV, 65537L),
        Arguments.of("{useSourceIp: true, ringHash: {}}", Cluster.LbPolicy.RING_HASH, -1L),
        Arguments.of(
            "{httpQueryParameterName: u, ringHash: {minimumRingSize: 10}}",
            Cluster.LbPolicy.RING_HASH,
            10L));
  }

  @ParameterizedTest
  @MethodSource("consistentHashes")
  void consistentHashChoosesTheRing(String hash, Cluster.LbPolicy policy, long size) {
    Cluster c = cluster("trafficPolicy: {loadBalancer: {consistentHash: " + hash + "}}", HTTP);
    assertThat(c.getLbPolicy()).isEqualTo(policy);
    if (policy == Cluster.LbPolicy.MAGLEV) {
      assertThat(c.getMaglevLbConfig().getTableSize().getValue()).isEqualTo(size);
    } else if (size < 0) {
      assertThat(c.hasRingHashLbConfig()).isFalse(); // ringHash {} leaves Envoy's default
    } else {
      assertThat(c.getRingHashLbConfig().getMinimumRingSize().getValue()).isEqualTo(size);
    }
  }

  @Test
  void simplePoliciesAndTheDefault() {
    assertThat(cluster("trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}", HTTP).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(cluster("trafficPolicy: {loadBalancer: {simple: LEAST_CONN}}", HTTP).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(cluster("trafficPolicy: {loadBalancer: {simple: RANDOM}}", HTTP).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(cluster("trafficPolicy: {tls: {mode: DISABLE}}", HTTP).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    Cluster passthrough = cluster("trafficPolicy: {loadBalancer: {simple: PASSTHROUGH}}", HTTP);
    assertThat(passthrough.getType()).isEqualTo(Cluster.DiscoveryType.ORIGINAL_DST);
    assertThat(passthrough.getLbPolicy()).isEqualTo(Cluster.LbPolicy.CLUSTER_PROVIDED);
    assertThat(passthrough.hasEdsClusterConfig()).isFalse();
  }

  @Test
  void warmupIsSlowStartOnRoundRobinAndLeastRequest() {
    Cluster rr =
        cluster(
            "trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN, warmup: {duration: 30s}}}", HTTP);
    Cluster.SlowStartConfig s = rr.getRoundRobinLbConfig().getSlowStartConfig();
    assertThat(s.getSlowStartWindow().getSeconds()).isEqualTo(30);
    assertThat(s.getAggression().getDefaultValue()).isEqualTo(1.0);
    assertThat(s.getAggression().getRuntimeKey()).isEqualTo("(");
    assertThat(s.getMinWeightPercent().getValue()).isEqualTo(10.0);
    Cluster lr =
        cluster(
            "trafficPolicy: {loadBalancer: {warmup: {duration: 1m, minimumPercent: 25,"
                + " aggression: 2}}}",
            HTTP);
    Cluster.SlowStartConfig l = lr.getLeastRequestLbConfig().getSlowStartConfig();
    assertThat(l.getSlowStartWindow().getSeconds()).isEqualTo(60);
    assertThat(l.getAggression().getDefaultValue()).isEqualTo(2.0);
    assertThat(l.getMinWeightPercent().getValue()).isEqualTo(25.0);
    Cluster deprecated =
        cluster(
            "trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST, warmupDurationSecs: 15s}}",
            HTTP);
    Cluster.SlowStartConfig d = deprecated.getLeastRequestLbConfig().getSlowStartConfig();
    assertThat(d.getSlowStartWindow().getSeconds()).isEqualTo(15);
    assertThat(d.hasAggression()).isFalse();
    assertThat(d.hasMinWeightPercent()).isFalse();
  }

  @Test
  void localityWeightedLbConfigOnlyWithDistributionOrFailoverAndOutlierDetection() {
    assertThat(
            cluster("trafficPolicy: {outlierDetection: {consecutive5xxErrors: 1}}", HTTP)
                .getCommonLbConfig()
                .hasLocalityWeightedLbConfig())
        .isFalse();
    assertThat(
            cluster(
                    "trafficPolicy: {loadBalancer: {localityLbSetting: {failover: [{from: a, to:"
                        + " b}]}}, outlierDetection: {consecutive5xxErrors: 1}}",
                    HTTP)
                .getCommonLbConfig()
                .hasLocalityWeightedLbConfig())
        .isTrue();
    assertThat(
            cluster(
                    "trafficPolicy: {loadBalancer: {localityLbSetting: {failover: [{from: a, to:"
                        + " b}]}}}",
                    HTTP)
                .getCommonLbConfig()
                .hasLocalityWeightedLbConfig())
        .isFalse();
    assertThat(
            cluster(
                    "trafficPolicy: {loadBalancer: {localityLbSetting: {distribute: [{from:"
                        + " \"a/*\", to: {\"a/*\": 100}}]}}}",
                    HTTP)
                .getCommonLbConfig()
                .hasLocalityWeightedLbConfig())
        .isTrue();
  }

  // ---- tls (cluster_tls_test.go) --------------------------------------------------------------

  @Test
  void noTlsMeansAutoMutualTlsForInMeshServices() throws Exception {
    Cluster c = cluster("trafficPolicy: {loadBalancer: {simple: RANDOM}}", HTTP);
    assertThat(c.hasTransportSocket()).isFalse();
    assertThat(c.getTransportSocketMatchesList())
        .extracting(Cluster.TransportSocketMatch::getName)
        .containsExactly("tlsMode-istio", "tlsMode-disabled");
    Cluster.TransportSocketMatch istio = c.getTransportSocketMatches(0);
    assertThat(istio.getMatch().getFieldsOrThrow("tlsMode").getStringValue()).isEqualTo("istio");
    UpstreamTlsContext ctx =
        istio.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    assertThat(ctx.getSni()).isEqualTo("outbound_.9080_._." + REVIEWS);
    assertThat(ctx.getCommonTlsContext().getAlpnProtocolsList())
        .containsExactly("istio-peer-exchange", "istio");
    assertThat(c.getTransportSocketMatches(1).getMatch().getFieldsCount()).isZero();
    assertThat(c.getTransportSocketMatches(1).getTransportSocket().getName())
        .isEqualTo("envoy.transport_sockets.raw_buffer");
  }

  @Test
  void istioMutualUsesSdsDefaultAndRootcaWithTheServiceIdentities() throws Exception {
    UpstreamTlsContext ctx = tls(cluster("trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}", GRPC));
    CommonTlsContext common = ctx.getCommonTlsContext();
    assertThat(common.getTlsCertificateSdsSecretConfigs(0).getName()).isEqualTo("default");
    var sds = common.getTlsCertificateSdsSecretConfigs(0).getSdsConfig();
    assertThat(sds.getApiConfigSource().getGrpcServices(0).getEnvoyGrpc().getClusterName())
        .isEqualTo("sds-grpc");
    assertThat(sds.getInitialFetchTimeout().getSeconds()).isZero();
    var combined = common.getCombinedValidationContext();
    assertThat(combined.getValidationContextSdsSecretConfig().getName()).isEqualTo("ROOTCA");
    assertThat(combined.getDefaultValidationContext().getMatchSubjectAltNamesList())
        .extracting(m -> m.getExact())
        .containsExactly("spiffe://cluster.local/ns/default/sa/default");
    assertThat(ctx.getSni()).isEqualTo("outbound_.7070_._." + REVIEWS);
    assertThat(common.getAlpnProtocolsList()).containsExactly("istio-peer-exchange", "istio", "h2");
    assertThat(common.getTlsParams().getTlsMinimumProtocolVersion().name()).isEqualTo("TLSv1_2");
    assertThat(common.getTlsParams().getTlsMaximumProtocolVersion().name()).isEqualTo("TLSv1_3");
    // an explicit SNI and SANs win
    UpstreamTlsContext custom =
        tls(
            cluster(
                "trafficPolicy: {tls: {mode: ISTIO_MUTUAL, sni: custom.sni, subjectAltNames:"
                    + " [spiffe://x/y]}}",
                HTTP));
    assertThat(custom.getSni()).isEqualTo("custom.sni");
    assertThat(
            custom
                .getCommonTlsContext()
                .getCombinedValidationContext()
                .getDefaultValidationContext()
                .getMatchSubjectAltNames(0)
                .getExact())
        .isEqualTo("spiffe://x/y");
  }

  @Test
  void simpleTlsValidatesWithTheSystemRootsAndAutoSni() throws Exception {
    Cluster c = cluster("trafficPolicy: {tls: {mode: SIMPLE}}", HTTP);
    UpstreamTlsContext ctx = tls(c);
    assertThat(ctx.getSni()).isEmpty();
    assertThat(ctx.getCommonTlsContext().getTlsCertificateSdsSecretConfigsCount()).isZero();
    var combined = ctx.getCommonTlsContext().getCombinedValidationContext();
    assertThat(combined.getValidationContextSdsSecretConfig().getName())
        .isEqualTo("file-root:system");
    assertThat(
            combined.getValidationContextSdsSecretConfig().getSdsConfig().hasInitialFetchTimeout())
        .isFalse();
    var upstream = httpOptions(c).getUpstreamHttpProtocolOptions();
    assertThat(upstream.getAutoSni()).isTrue();
    assertThat(upstream.getAutoSanValidation()).isTrue();
    assertThat(
            c.getMetadata()
                .getFilterMetadataOrThrow("istio")
                .getFieldsOrThrow("alpn_override")
                .getStringValue())
        .isEqualTo("false");
    assertThat(c.getTransportSocketMatchesCount()).isZero();
  }

  @Test
  void mutualTlsUsesFileCertificatesOverSds() throws Exception {
    Cluster c =
        cluster(
            "trafficPolicy: {tls: {mode: MUTUAL, clientCertificate: /certs/cert.pem, privateKey:"
                + " /certs/key.pem, caCertificates: /certs/ca.pem, sni: db.example.com,"
                + " subjectAltNames: [db.example.com]}}",
            GRPC);
    UpstreamTlsContext ctx = tls(c);
    assertThat(ctx.getSni()).isEqualTo("db.example.com");
    assertThat(ctx.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName())
        .isEqualTo("file-cert:/certs/cert.pem~/certs/key.pem");
    assertThat(
            ctx.getCommonTlsContext()
                .getCombinedValidationContext()
                .getValidationContextSdsSecretConfig()
                .getName())
        .isEqualTo("file-root:/certs/ca.pem");
    assertThat(ctx.getCommonTlsContext().getAlpnProtocolsList()).containsExactly("h2");
    // SNI and SANs given: no auto_sni / auto_san_validation
    assertThat(httpOptions(c).hasUpstreamHttpProtocolOptions()).isFalse();
  }

  @Test
  void insecureSkipVerifyAndCredentialNames() throws Exception {
    UpstreamTlsContext skip =
        tls(cluster("trafficPolicy: {tls: {mode: SIMPLE, insecureSkipVerify: true}}", HTTP));
    assertThat(skip.getCommonTlsContext().hasValidationContext()).isTrue();
    assertThat(skip.getCommonTlsContext().getValidationContext().getMatchSubjectAltNamesCount())
        .isZero();
    // credentialName on a sidecar needs a rule with a workload selector
    Cluster ignored = cluster("trafficPolicy: {tls: {mode: SIMPLE, credentialName: my-ca}}", HTTP);
    assertThat(ignored.hasTransportSocket()).isFalse();
    assertThat(ignored.getTransportSocketMatchesCount()).isZero();
    Cluster selected =
        cluster(
            "workloadSelector: {matchLabels: {app: productpage}}\n"
                + "trafficPolicy: {tls: {mode: MUTUAL, credentialName: client-cert}}",
            HTTP);
    CommonTlsContext common = tls(selected).getCommonTlsContext();
    assertThat(common.getTlsCertificateSdsSecretConfigs(0).getName())
        .isEqualTo("kubernetes://client-cert");
    assertThat(common.getTlsCertificateSdsSecretConfigs(0).getSdsConfig().hasAds()).isTrue();
    assertThat(
            common.getCombinedValidationContext().getValidationContextSdsSecretConfig().getName())
        .isEqualTo("kubernetes://client-cert-cacert");
  }

  @Test
  void disableMeansPlainTextWithoutAutoMtls() {
    Cluster c = cluster("trafficPolicy: {tls: {mode: DISABLE}}", HTTP);
    assertThat(c.hasTransportSocket()).isFalse();
    assertThat(c.getTransportSocketMatchesCount()).isZero();
    // and EDS stops advertising mTLS for the endpoints
    MeshSnapshot s =
        YamlMesh.of(
            reviews(), YamlMesh.dr("default", "reviews", "trafficPolicy: {tls: {mode: DISABLE}}"));
    var cla = Generated.endpoints(s, PRODUCTPAGE, HTTP);
    assertThat(cla.getEndpoints(0).getLbEndpoints(0).hasMetadata()).isFalse();
    var auto = Generated.endpoints(reviews().build(), PRODUCTPAGE, HTTP);
    assertThat(
            auto.getEndpoints(0)
                .getLbEndpoints(0)
                .getMetadata()
                .getFilterMetadataOrThrow("envoy.transport_socket_match")
                .getFieldsOrThrow("tlsMode")
                .getStringValue())
        .isEqualTo("istio");
  }

  // ---- precedence and metadata (TestApplyDestinationRule) -------------------------------------

  @Test
  void portLevelReplacesSubsetOverlaysAndSubsetPortLevelReplaces() {
    MeshSnapshot s =
        YamlMesh.of(
            reviews(),
            YamlMesh.dr(
                "default",
                "reviews",
                """
                trafficPolicy:
                  loadBalancer: {simple: RANDOM}
                  connectionPool: {tcp: {maxConnections: 100}}
                  portLevelSettings:
                  - port: {number: 7070}
                    loadBalancer: {simple: ROUND_ROBIN}
                subsets:
                - name: v1
                  labels: {version: v1}
                  trafficPolicy:
                    connectionPool: {tcp: {maxConnections: 7}}
                    portLevelSettings:
                    - port: {number: 9090}
                      outlierDetection: {consecutive5xxErrors: 2}
                """));
    Cluster top = Generated.cluster(s, PRODUCTPAGE, HTTP);
    assertThat(top.getLbPolicy()).isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(u32(top.getCircuitBreakers().getThresholds(0).getMaxConnections())).isEqualTo(100);
    // port 7070: the port-level entry replaces everything (pool back to the defaults)
    Cluster port = Generated.cluster(s, PRODUCTPAGE, GRPC);
    assertThat(port.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(port.getCircuitBreakers()).isEqualTo(ClusterTranslator.defaultCircuitBreakers());
    // subset v1 on 9080: the subset's pool over the rule's LB
    Cluster v1 = Generated.cluster(s, PRODUCTPAGE, "outbound|9080|v1|" + REVIEWS);
    assertThat(v1.getLbPolicy()).isEqualTo(Cluster.LbPolicy.RANDOM);
    assertThat(u32(v1.getCircuitBreakers().getThresholds(0).getMaxConnections())).isEqualTo(7);
    // subset v1 on 7070: the rule's port-level LB, the subset's pool
    Cluster v1Port = Generated.cluster(s, PRODUCTPAGE, "outbound|7070|v1|" + REVIEWS);
    assertThat(v1Port.getLbPolicy()).isEqualTo(Cluster.LbPolicy.ROUND_ROBIN);
    assertThat(u32(v1Port.getCircuitBreakers().getThresholds(0).getMaxConnections())).isEqualTo(7);
    // subset v1 on 9090: the subset's port-level entry replaces all four fields
    Cluster v1Sniffed = Generated.cluster(s, PRODUCTPAGE, "outbound|9090|v1|" + REVIEWS);
    assertThat(v1Sniffed.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(v1Sniffed.getCircuitBreakers())
        .isEqualTo(ClusterTranslator.defaultCircuitBreakers());
    assertThat(v1Sniffed.getOutlierDetection().getConsecutive5Xx().getValue()).isEqualTo(2);
    var meta = v1Sniffed.getMetadata().getFilterMetadataOrThrow("istio");
    assertThat(meta.getFieldsOrThrow("config").getStringValue())
        .isEqualTo("/apis/networking.istio.io/v1/namespaces/default/destination-rule/rule");
    assertThat(meta.getFieldsOrThrow("subset").getStringValue()).isEqualTo("v1");
    assertThat(v1Sniffed.getTransportSocketMatches(0).getTransportSocket().getTypedConfig())
        .satisfies(
            any ->
                assertThat(any.unpack(UpstreamTlsContext.class).getSni())
                    .isEqualTo("outbound_.9090_.v1_." + REVIEWS));
  }

  @Test
  void exportToHidesARuleFromOtherNamespaces() {
    String rule =
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: rule, namespace: default}
        spec:
          host: reviews
          exportTo: ["."]
          trafficPolicy: {loadBalancer: {simple: RANDOM}}
        """;
    MeshSnapshot s = YamlMesh.of(reviews(), rule);
    assertThat(Generated.cluster(s, PRODUCTPAGE, HTTP).getLbPolicy())
        .isEqualTo(Cluster.LbPolicy.RANDOM);
    ProxyView elsewhere = TestMesh.sidecar("client", "shop", "10.244.3.3", Map.of());
    Cluster c = Generated.cluster(s, elsewhere, HTTP);
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(c.getMetadata().getFilterMetadataOrThrow("istio").containsFields("config"))
        .isFalse();
  }
}
