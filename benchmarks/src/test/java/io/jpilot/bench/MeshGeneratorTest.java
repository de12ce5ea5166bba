package io.jpilot.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.registry.Endpoint;
import java.util.HashSet;
import java.util.List;
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
  void podAddressesAreDistinctAcrossTheMesh() {
    Set<String> ips = new HashSet<>();
    for (int svc = 0; svc < 200; svc++) {
      for (int pod = 0; pod < 600; pod++) {
        assertThat(ips.add(MeshGenerator.podIp(svc, pod))).isTrue();
      }
    }
  }
}
