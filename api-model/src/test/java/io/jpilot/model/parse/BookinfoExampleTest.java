package io.jpilot.model.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.Endpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The bundled examples/bookinfo config parses cleanly and joins into a consistent snapshot. */
class BookinfoExampleTest {
  private static final Path DIR = Path.of("..", "examples", "bookinfo");

  @Test
  void loadsWithoutErrors() throws IOException {
    List<MeshObject> objects = new ArrayList<>();
    List<Diagnostic> diagnostics = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(DIR)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "bookinfo-gateway.yaml",
            "endpointslices.yaml",
            "pods.yaml",
            "reviews-destinationrule.yaml",
            "reviews-virtualservice.yaml",
            "services.yaml");
    for (Path f : files) {
      ParsedFile parsed = ConfigFileParser.parse(f, f.toString(), "cluster.local");
      assertThat(parsed.readable()).isTrue();
      objects.addAll(parsed.objects());
      diagnostics.addAll(parsed.diagnostics());
    }

    assertThat(diagnostics).filteredOn(d -> d.severity() == Severity.ERROR).isEmpty();
    assertThat(diagnostics).isEmpty();
    assertThat(objects).hasSize(2 + 5 + 7 + 1 + 1 + 5);

    MeshSnapshot snapshot = MeshSnapshot.build(1, "cluster.local", objects);
    assertThat(snapshot.services().keySet())
        .containsExactly(
            "details.default.svc.cluster.local",
            "istio-ingressgateway.istio-system.svc.cluster.local",
            "productpage.default.svc.cluster.local",
            "ratings.default.svc.cluster.local",
            "reviews.default.svc.cluster.local");
    List<Endpoint> reviews = snapshot.endpoints("reviews.default.svc.cluster.local");
    assertThat(reviews)
        .extracting(Endpoint::address)
        .containsExactly("10.244.2.21", "10.244.2.22", "10.244.3.23");
    assertThat(reviews)
        .extracting(e -> e.labels().get("version"))
        .containsExactly("v1", "v2", "v3");
    assertThat(reviews)
        .allSatisfy(
            e -> {
              assertThat(e.port()).isEqualTo(9080);
              assertThat(e.servicePortName()).isEqualTo("http");
              assertThat(e.locality().region()).isEqualTo("us-east1");
              assertThat(e.ready()).isTrue();
            });
    VirtualService vs =
        snapshot.virtualServices().stream()
            .filter(v -> v.meta().name().equals("reviews"))
            .findFirst()
            .orElseThrow();
    assertThat(vs.http()).hasSize(2);
    assertThat(vs.http().get(1).route()).extracting(r -> r.weight()).containsExactly(80, 20);
    DestinationRule dr =
        snapshot.destinationRule("reviews.default.svc.cluster.local", "default").orElseThrow();
    assertThat(dr.trafficPolicy().orElseThrow().loadBalancer()).isEqualTo(LoadBalancer.RANDOM);
    assertThat(dr.subsets()).extracting(s -> s.name()).containsExactly("v1", "v2", "v3");
    assertThat(snapshot.gateways())
        .extracting(g -> g.qualifiedName())
        .containsExactly("default/bookinfo-gateway");
  }
}
