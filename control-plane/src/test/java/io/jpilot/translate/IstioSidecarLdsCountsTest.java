package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * The counts istiod's pilot/pkg/xds/lds_test.go asserts for its Sidecar test data, with the same
 * mesh config (root namespace {@code istio-config}) and proxies, on the unmodified input files.
 */
class IstioSidecarLdsCountsTest {
  private static final Path DATA = Path.of("src", "test", "resources", "istio-testdata");
  private static final Translator TRANSLATOR =
      new Translator(MeshConfig.DEFAULT.withRootNamespace("istio-config"));

  private static SortedMap<String, Message> generate(MeshSnapshot s, ProxyView p, XdsType type) {
    SortedMap<String, Message> out = TRANSLATOR.generate(s, p, type, Set.of());
    XdsYaml.assertValid(out);
    return out;
  }

  /** TestLDSWithDefaultSidecar: proxy in ns1 at 100.1.1.2 (an endpoint of http2.ns1). */
  @Test
  void defaultSidecarInTheRootNamespace() {
    MeshSnapshot s = ParsedMesh.load(DATA.resolve("sidecar-ns-scope/configs.yaml"));
    ProxyView proxy = ParsedMesh.sidecar("100.1.1.2", "ns1", Map.of());

    SortedMap<String, Message> listeners = generate(s, proxy, XdsType.LISTENER);
    // 2 virtual listeners, 2 outbound (http on 8080, tcp1)
    assertThat(listeners.keySet())
        .containsExactly("0.0.0.0_8080", "2.1.1.3_3306", "virtualInbound", "virtualOutbound");

    // 2 inbound (inbound|8080||, InboundPassthroughCluster), 2 http services, 2 subsets of
    // http1, 1 tcp service, BlackHoleCluster and PassthroughCluster
    SortedMap<String, Message> clusters = generate(s, proxy, XdsType.CLUSTER);
    assertThat(clusters).hasSize(9);
    assertThat(clusters.keySet())
        .containsExactlyInAnyOrder(
            "BlackHoleCluster",
            "InboundPassthroughCluster",
            "PassthroughCluster",
            "inbound|8080||",
            "outbound|8080||http1.ns1.svc.cluster.local",
            "outbound|8080|v1|http1.ns1.svc.cluster.local",
            "outbound|8080|v2|http1.ns1.svc.cluster.local",
            "outbound|8080||http2.ns1.svc.cluster.local",
            "outbound|3306||tcp1.ns1.svc.cluster.local");

    // http1 and http2 of ns1 plus the catch-all
    RouteConfiguration rc =
        (RouteConfiguration)
            TRANSLATOR.generate(s, proxy, XdsType.ROUTE, Set.of("8080")).get("8080");
    assertThat(rc.getVirtualHostsCount()).isEqualTo(3);
  }

  /** TestLDSWithSidecarForWorkloadWithoutService: proxy app=consumeronly in consumerns. */
  @Test
  void sidecarForAWorkloadWithoutAService() {
    MeshSnapshot s = ParsedMesh.load(DATA.resolve("sidecar-without-service/configs.yaml"));
    ProxyView proxy = ParsedMesh.sidecar("98.1.1.1", "consumerns", Map.of("app", "consumeronly"));

    SortedMap<String, Message> listeners = generate(s, proxy, XdsType.LISTENER);
    Listener http = (Listener) listeners.get("0.0.0.0_8081");
    assertThat(http).isNotNull();
    assertThat(http.getFilterChainsCount()).isEqualTo(1);
    Listener inbound = (Listener) listeners.get("virtualInbound");
    assertThat(inbound).isNotNull();
    // the Sidecar's ingress listener is the one inbound port
    assertThat(inbound.getFilterChainsList())
        .extracting(FilterChain::getName)
        .contains("0.0.0.0_9080");

    SortedMap<String, Message> clusters = generate(s, proxy, XdsType.CLUSTER);
    assertThat(clusters.values())
        .filteredOn(m -> ((Cluster) m).getType() == Cluster.DiscoveryType.EDS)
        .extracting(m -> ((Cluster) m).getName())
        .containsExactly("outbound|8081||http1.ns1.svc.cluster.local");
    Cluster ingress = (Cluster) clusters.get("inbound|9080||");
    assertThat(ingress.getType()).isEqualTo(Cluster.DiscoveryType.STATIC);
  }
}
