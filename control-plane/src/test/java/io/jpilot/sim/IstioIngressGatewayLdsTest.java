package io.jpilot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import io.jpilot.sim.Result.Failure;
import io.jpilot.translate.XdsType;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * istiod's TestLDSWithIngressGateway on its own test data ({@code
 * istio-testdata/ingress-gateway/configs.yaml}): one Gateway with an HTTP server redirecting to
 * https, an HTTPS server terminating TLS and two passthrough servers on 443, routed by
 * VirtualServices. istiod asserts 2 listeners and 3 filter chains on {@code 0.0.0.0_443}; the calls
 * below check that each chain leads where its server says.
 */
class IstioIngressGatewayLdsTest {
  static final String FILE = "istio-testdata/ingress-gateway/configs.yaml";

  static Map<XdsType, SortedMap<String, Message>> xds;
  static TrafficSimulator sim;

  @BeforeAll
  static void translate() throws IOException {
    MeshYaml mesh =
        new MeshYaml()
            .add(
                FILE,
                Files.readString(MeshYaml.testResource(FILE)),
                // istiod's test data names a ServiceEntry BACKEND, which Kubernetes would refuse
                d -> d.object().equals("ServiceEntry istio-system/BACKEND"));
    ProxyView router =
        ProxyView.parse(
            "router~99.1.1.1~istio-ingressgateway-xyz.istio-system~istio-system.svc.cluster.local",
            Map.of("NAMESPACE", "istio-system"),
            Map.of("istio", "ingressgateway"),
            Locality.NONE);
    xds = Xds.walk(mesh.snapshot(), router);
    sim = TrafficSimulator.of(xds);
  }

  static Call.Builder tls(String sni) {
    return Call.tls(sni, 443).mode(Call.Mode.GATEWAY).address("99.1.1.1");
  }

  @Test
  void twoListeners() {
    assertThat(xds.get(XdsType.LISTENER).keySet()).containsExactly("0.0.0.0_443", "0.0.0.0_80");
  }

  @Test
  void httpsListenerHasThreeFilterChains() {
    assertThat(((Listener) xds.get(XdsType.LISTENER).get("0.0.0.0_443")).getFilterChainsCount())
        .isEqualTo(3);
  }

  @Test
  void plainHttpIsRedirectedToHttps() {
    Result r =
        sim.run(Call.http("www.bookinfo.com", 80).mode(Call.Mode.GATEWAY).path("/a").build());
    assertThat(r.error()).contains(Failure.TLS_REDIRECT);
    assertThat(r.routeConfig()).isEqualTo("http.80");
    assertThat(r.virtualHost()).isEqualTo("*.bookinfo.com:80");
  }

  @Test
  void httpsIsTerminatedAndRouted() {
    Result r =
        sim.run(
            Call.http("www.bookinfo.com", 443)
                .mode(Call.Mode.GATEWAY)
                .tls(Call.Tls.TLS)
                .path("/productpage")
                .build());
    assertThat(r.ok()).as("%s", r).isTrue();
    assertThat(r.routeConfig()).isEqualTo("https.443.https.istio-ingressgateway.istio-system");
    assertThat(r.virtualHost()).isEqualTo("*.bookinfo.com:443");
    assertThat(r.cluster()).isEqualTo("outbound|80||www.bookinfo.com");
  }

  @Test
  void passthroughServersForwardBySni() {
    for (String sni : new String[] {"https.secure.com", "tls.secure.com"}) {
      Result r = sim.run(tls(sni).build());
      assertThat(r.ok()).as("%s -> %s", sni, r).isTrue();
      assertThat(r.cluster()).as(sni).isEqualTo("outbound|443||https.secure.com");
    }
  }

  @Test
  void unknownServerNamesFindNoChain() {
    assertThat(sim.run(tls("other.secure.com").build()).error()).contains(Failure.NO_FILTER_CHAIN);
  }
}
