package io.jpilot.model.parse;

import static io.jpilot.model.parse.IstioObjectParserTest.dr;
import static io.jpilot.model.parse.KubernetesObjectParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.config.ClientTlsSettings;
import io.jpilot.model.config.ConnectionPoolSettings;
import io.jpilot.model.config.ConsistentHash;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.LoadBalancerSettings;
import io.jpilot.model.config.LocalityLbSetting;
import io.jpilot.model.config.OutlierDetection;
import io.jpilot.model.config.PortTrafficPolicy;
import io.jpilot.model.config.TrafficPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DestinationRuleParserTest {

  private static DestinationRule parseDr(String spec) {
    ParseResult r = parse(dr(spec));
    assertThat(r.diagnostics()).filteredOn(d -> d.severity() == Severity.ERROR).isEmpty();
    return (DestinationRule) r.object().orElseThrow();
  }

  @Test
  void consistentHashWithCookieAndRingHash() {
    DestinationRule d =
        parseDr(
            "host: reviews\n"
                + "trafficPolicy:\n"
                + "  loadBalancer:\n"
                + "    consistentHash:\n"
                + "      httpCookie: {name: user, path: /, ttl: 0s, attributes: [{name: SameSite,"
                + " value: Strict}]}\n"
                + "      ringHash: {minimumRingSize: 2048}\n"
                + "    localityLbSetting:\n"
                + "      failover: [{from: us-east, to: us-west}]\n"
                + "      failoverPriority: [topology.istio.io/network]\n"
                + "      enabled: true\n"
                + "    warmup: {duration: 30s, minimumPercent: 20, aggression: 2}\n");
    LoadBalancerSettings lb = d.trafficPolicy().orElseThrow().loadBalancerSettings().orElseThrow();
    assertThat(lb.simple()).isEqualTo(LoadBalancer.UNSPECIFIED);
    ConsistentHash h = lb.consistentHash().orElseThrow();
    assertThat(h.hashKey()).isEqualTo(ConsistentHash.HashKey.HTTP_COOKIE);
    assertThat(h.httpCookie().orElseThrow().name()).isEqualTo("user");
    assertThat(h.httpCookie().orElseThrow().path()).isEqualTo("/");
    assertThat(h.httpCookie().orElseThrow().ttl()).contains(Duration.ZERO);
    assertThat(h.httpCookie().orElseThrow().attributes())
        .containsExactly(new ConsistentHash.Attribute("SameSite", "Strict"));
    assertThat(h.algorithm()).isEqualTo(ConsistentHash.Algorithm.RING_HASH);
    assertThat(h.minimumRingSize()).isEqualTo(2048);
    LocalityLbSetting l = lb.localityLbSetting().orElseThrow();
    assertThat(l.failover()).containsExactly(new LocalityLbSetting.Failover("us-east", "us-west"));
    assertThat(l.failoverPriority()).containsExactly("topology.istio.io/network");
    assertThat(l.enabled()).contains(true);
    assertThat(lb.warmup().orElseThrow().duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(lb.warmup().orElseThrow().minimumPercent()).contains(20.0);
    assertThat(lb.warmup().orElseThrow().aggression()).contains(2.0);
  }

  @Test
  void sourceIpFalseIsStillTheHashKeyAndDeprecatedRingSizeIsKept() {
    DestinationRule d =
        parseDr(
            "host: reviews\n"
                + "trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: false,"
                + " minimumRingSize: 64}}}\n");
    ConsistentHash h =
        d.trafficPolicy()
            .orElseThrow()
            .loadBalancerSettings()
            .orElseThrow()
            .consistentHash()
            .orElseThrow();
    assertThat(h.hashKey()).isEqualTo(ConsistentHash.HashKey.USE_SOURCE_IP);
    assertThat(h.useSourceIp()).isFalse();
    assertThat(h.algorithm()).isEqualTo(ConsistentHash.Algorithm.UNSET);
    assertThat(h.deprecatedMinimumRingSize()).isEqualTo(64);
  }

  @Test
  void connectionPoolOutlierTlsAndPortLevelSettings() {
    DestinationRule d =
        parseDr(
            "host: reviews\n"
                + "workloadSelector: {matchLabels: {app: productpage}}\n"
                + "trafficPolicy:\n"
                + "  connectionPool:\n"
                + "    tcp: {maxConnections: 7, connectTimeout: 2s, maxConnectionDuration: 1h,"
                + " idleTimeout: 5m, tcpKeepalive: {probes: 3, time: 10s, interval: 5s}}\n"
                + "    http: {http1MaxPendingRequests: 1, http2MaxRequests: 2,"
                + " maxRequestsPerConnection: 3, maxRetries: 4, idleTimeout: 15s,"
                + " h2UpgradePolicy: UPGRADE, maxConcurrentStreams: 9,"
                + " http2KeepAlive: {interval: 1s, timeout: 2s}}\n"
                + "  outlierDetection: {consecutiveErrors: 5, consecutiveGatewayErrors: 0,"
                + " maxEjectionPercent: 50, minHealthPercent: 20,"
                + " splitExternalLocalOriginErrors: true, consecutiveLocalOriginFailures: 2}\n"
                + "  tls: {mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem,"
                + " caCertificates: /ca.pem, subjectAltNames: [a.example.com], sni: a.example.com,"
                + " caCrl: /crl.pem}\n"
                + "  portLevelSettings:\n"
                + "  - port: {number: 9080}\n"
                + "    loadBalancer: {simple: ROUND_ROBIN}\n"
                + "    tls: {mode: ISTIO_MUTUAL}\n"
                + "  retryBudget: {percent: 25, minRetryConcurrency: 5}\n");
    TrafficPolicy tp = d.trafficPolicy().orElseThrow();
    ConnectionPoolSettings.Tcp tcp = tp.connectionPool().orElseThrow().tcp().orElseThrow();
    assertThat(tcp.maxConnections()).isEqualTo(7);
    assertThat(tcp.connectTimeout()).contains(Duration.ofSeconds(2));
    assertThat(tcp.maxConnectionDuration()).contains(Duration.ofHours(1));
    assertThat(tcp.idleTimeout()).contains(Duration.ofMinutes(5));
    assertThat(tcp.tcpKeepalive().orElseThrow().probes()).isEqualTo(3);
    ConnectionPoolSettings.Http http = tp.connectionPool().orElseThrow().http().orElseThrow();
    assertThat(http.h2UpgradePolicy()).isEqualTo(ConnectionPoolSettings.H2UpgradePolicy.UPGRADE);
    assertThat(http.maxConcurrentStreams()).isEqualTo(9);
    assertThat(http.http2KeepAlive().orElseThrow().timeout()).contains(Duration.ofSeconds(2));
    OutlierDetection od = tp.outlierDetection().orElseThrow();
    assertThat(od.consecutiveErrors()).isEqualTo(5);
    assertThat(od.consecutive5xxErrors()).isEmpty();
    assertThat(od.consecutiveGatewayErrors()).contains(0);
    assertThat(od.consecutiveLocalOriginFailures()).contains(2);
    ClientTlsSettings tls = tp.tls().orElseThrow();
    assertThat(tls.mode()).isEqualTo(ClientTlsSettings.Mode.MUTUAL);
    assertThat(tls.caCrl()).isEqualTo("/crl.pem");
    PortTrafficPolicy pl = tp.portLevel(9080).orElseThrow();
    assertThat(pl.loadBalancer().orElseThrow().simple()).isEqualTo(LoadBalancer.ROUND_ROBIN);
    assertThat(tp.retryBudget().orElseThrow().percent()).contains(25.0);
    assertThat(d.workloadSelector()).contains(Map.of("app", "productpage"));
  }

  @Test
  void deprecatedConsecutiveErrorsWarnsWithTheReplacement() {
    ParseResult r =
        parse(dr("host: reviews\ntrafficPolicy: {outlierDetection: {consecutiveErrors: 5}}\n"));
    assertThat(r.object()).isPresent();
    assertThat(r.diagnostics())
        .filteredOn(d -> d.severity() == Severity.WARNING)
        .extracting(Diagnostic::message)
        .anySatisfy(m -> assertThat(m).contains("consecutive5xxErrors"));
  }

  @Test
  void portLevelReplacesAndSubsetOverlays() {
    DestinationRule d =
        parseDr(
            "host: reviews\n"
                + "trafficPolicy:\n"
                + "  loadBalancer: {simple: RANDOM}\n"
                + "  connectionPool: {tcp: {maxConnections: 10}}\n"
                + "  portLevelSettings:\n"
                + "  - port: {number: 9080}\n"
                + "    tls: {mode: ISTIO_MUTUAL}\n"
                + "subsets:\n"
                + "- name: v1\n"
                + "  labels: {version: v1}\n"
                + "  trafficPolicy:\n"
                + "    loadBalancer: {simple: ROUND_ROBIN}\n"
                + "    portLevelSettings:\n"
                + "    - port: {number: 9090}\n"
                + "      connectionPool: {tcp: {maxConnections: 3}}\n");
    Optional<TrafficPolicy> top = d.trafficPolicy();
    Optional<TrafficPolicy> v1 = d.subsets().get(0).trafficPolicy();

    // port 9080: the rule's port-level entry replaces its top level (no LB, no pool)
    TrafficPolicy p9080 = TrafficPolicy.forSubset(top, Optional.empty(), 9080);
    assertThat(p9080.loadBalancerSettings()).isEmpty();
    assertThat(p9080.connectionPool()).isEmpty();
    assertThat(p9080.tls().orElseThrow().mode()).isEqualTo(ClientTlsSettings.Mode.ISTIO_MUTUAL);
    // other ports: the top level
    assertThat(TrafficPolicy.forSubset(top, Optional.empty(), 80).loadBalancer())
        .isEqualTo(LoadBalancer.RANDOM);
    // subset on 9080: overlays its loadBalancer, keeps the port-level tls
    TrafficPolicy s9080 = TrafficPolicy.forSubset(top, v1, 9080);
    assertThat(s9080.loadBalancer()).isEqualTo(LoadBalancer.ROUND_ROBIN);
    assertThat(s9080.tls()).isPresent();
    // subset on 9090: its own port-level entry replaces the four fields, even the LB it leaves out
    TrafficPolicy s9090 = TrafficPolicy.forSubset(top, v1, 9090);
    assertThat(s9090.loadBalancerSettings()).isEmpty();
    assertThat(s9090.connectionPool().orElseThrow().tcp().orElseThrow().maxConnections())
        .isEqualTo(3);
  }
}
