package io.jpilot.translate;

import static io.jpilot.translate.TestMesh.fqdn;
import static io.jpilot.translate.TestMesh.http;
import static io.jpilot.translate.TestMesh.port;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenerTranslatorTest {
  private static final ProxyView PRODUCTPAGE = BookinfoMesh.productpage();

  private static MeshSnapshot mesh() {
    return TestMesh.create()
        .service("reviews", "default", "10.96.0.12", http(9080))
        .service("api", "default", "10.96.0.30", port("grpc", 7070, 7070), http(9080))
        .service("db", "default", "10.96.0.31", port("tcp", 5432, 5432))
        .service("headless", "default", "None", port("tcp", 6379, 6379))
        .build();
  }

  @Test
  void listenerNames() {
    assertThat(Generated.resources(mesh(), PRODUCTPAGE, XdsType.LISTENER).keySet())
        .containsExactly(
            "0.0.0.0_7070", "0.0.0.0_9080", "10.96.0.31_5432", "virtualInbound", "virtualOutbound");
  }

  @Test
  void virtualOutboundSendsUnknownTrafficToPassthrough() throws Exception {
    Listener l = Generated.listener(mesh(), PRODUCTPAGE, "virtualOutbound");
    assertThat(l.getAddress().getSocketAddress().getPortValue()).isEqualTo(15001);
    assertThat(l.getUseOriginalDst().getValue()).isTrue();
    FilterChain catchAll =
        l.getFilterChainsList().stream()
            .filter(fc -> fc.getName().equals("virtualOutbound-catchall-tcp"))
            .findFirst()
            .orElseThrow();
    TcpProxy tcp = catchAll.getFilters(0).getTypedConfig().unpack(TcpProxy.class);
    assertThat(tcp.getCluster()).isEqualTo("PassthroughCluster");
  }

  @Test
  void httpPortListenerUsesRdsAndEndsWithTheRouter() throws Exception {
    Listener l = Generated.listener(mesh(), PRODUCTPAGE, "0.0.0.0_9080");
    assertThat(l.getBindToPort().getValue()).isFalse();
    assertThat(l.getTrafficDirection()).isEqualTo(TrafficDirection.OUTBOUND);
    assertThat(l.getAddress().getSocketAddress().getAddress()).isEqualTo("0.0.0.0");
    HttpConnectionManager hcm =
        l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(l.getFilterChains(0).getFilters(0).getName())
        .isEqualTo("envoy.filters.network.http_connection_manager");
    assertThat(hcm.getStatPrefix()).isEqualTo("outbound_0.0.0.0_9080;");
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo("9080");
    assertThat(hcm.getRds().getConfigSource().hasAds()).isTrue();
    List<HttpFilter> filters = hcm.getHttpFiltersList();
    HttpFilter last = filters.get(filters.size() - 1);
    assertThat(last.getName()).isEqualTo("envoy.filters.http.router");
    assertThat(last.getTypedConfig().is(Router.class)).isTrue();
  }

  @Test
  void tcpPortsWithAVipGetATcpProxyListener() throws Exception {
    Listener l = Generated.listener(mesh(), PRODUCTPAGE, "10.96.0.31_5432");
    TcpProxy tcp = l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(TcpProxy.class);
    assertThat(tcp.getCluster()).isEqualTo("outbound|5432||" + fqdn("db", "default"));
    assertThat(tcp.getStatPrefix()).isEqualTo(tcp.getCluster());
    assertThat(l.getBindToPort().getValue()).isFalse();
  }
}
