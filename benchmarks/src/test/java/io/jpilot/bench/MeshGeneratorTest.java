package io.jpilot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import io.jpilot.translate.Translator;
import io.jpilot.translate.XdsType;
import io.jpilot.model.registry.Endpoint;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MeshGeneratorTest {
  @Test
  void generatedMeshParsesIntoTheRequestedShape() {
    MeshSnapshot s = MeshGenerator.snapshot(new MeshGenerator.Shape(30, 4, 5, true));
    assertThat(s.services()).hasSize(30);
    assertThat(s.services()).containsKey("svc-7.ns-3.svc.cluster.local");
    assertThat(s.virtualServices()).hasSize(30);
    assertThat(s.destinationRule("svc-7.ns-3.svc.cluster.local", "ns-0")).isPresent();
    List<Endpoint> eps = s.endpoints("svc-7.ns-3.svc.cluster.local");
    assertThat(eps).hasSize(5);
    assertThat(eps).allSatisfy(e -> assertThat(e.labels()).containsKey("version"));
  }

  @Test
  void gatewayShapeRoutesEveryServiceThroughOneGateway() {
    MeshSnapshot s = MeshGenerator.snapshot(new MeshGenerator.Shape(12, 3, 1, true, true));
    assertThat(s.gateways()).hasSize(1);
    assertThat(s.virtualServices()).hasSize(12);
    assertThat(s.virtualServices())
        .allSatisfy(vs -> assertThat(vs.gateways()).containsExactly(MeshGenerator.GATEWAY));
    ProxyView router =
        ProxyView.parse(
            "router~10.200.0.9~gw-0.istio-system~istio-system.svc.cluster.local",
            Map.of("NAMESPACE", "istio-system"),
            MeshGenerator.GATEWAY_LABELS,
            Locality.NONE);
    Translator translator = new Translator();
    assertThat(translator.generate(s, router, XdsType.LISTENER, Set.of())).containsKey("0.0.0.0_80");
    RouteConfiguration rc =
        (RouteConfiguration)
            translator.generate(s, router, XdsType.ROUTE, Set.of("http.80")).get("http.80");
    assertThat(rc.getVirtualHostsList())
        .extracting(VirtualHost::getName)
        .contains("svc-0.example.com:80", "svc-11.example.com:80");
  }

  @Test
  void podAddressesAreDistinctAcrossTheMesh() {
    Set<String> ips = new HashSet<>();
    for (int svc = 0; svc < 200; svc++) {
      for (int pod = 0; pod < 600; pod++) {
        assertThat(ips.add(MeshGenerator.podIp(svc, pod))).isTrue();
      }
    }
  }
}
