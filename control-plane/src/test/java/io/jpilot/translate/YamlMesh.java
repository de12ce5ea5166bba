package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import io.jpilot.model.registry.Locality;
import java.util.Map;

/** Test meshes from Istio YAML (DestinationRules, ServiceEntries, ...) on top of a TestMesh. */
final class YamlMesh {
  private YamlMesh() {}

  /**
   * {@code base}'s services and workloads plus every object in {@code yaml} (no errors allowed).
   */
  static MeshSnapshot of(TestMesh base, String yaml) {
    ParsedFile f = ConfigFileParser.parse("test.yaml", yaml, TestMesh.SUFFIX);
    assertThat(f.diagnostics()).filteredOn(d -> d.severity() == Severity.ERROR).isEmpty();
    for (MeshObject o : f.objects()) {
      base.add(o);
    }
    return base.build();
  }

  static MeshSnapshot of(String yaml) {
    return of(TestMesh.create(), yaml);
  }

  /** A sidecar in {@code ns} at {@code locality} ({@code region/zone/subzone}). */
  static ProxyView sidecar(String ns, Map<String, String> labels, String locality) {
    return ProxyView.parse(
        "sidecar~10.244.9.9~client." + ns + "~" + ns + ".svc." + TestMesh.SUFFIX,
        Map.of(),
        labels,
        Locality.parse(locality));
  }

  static String dr(String ns, String host, String spec) {
    return """
           apiVersion: networking.istio.io/v1
           kind: DestinationRule
           metadata: {name: rule, namespace: %s}
           spec:
             host: %s
           %s
           ---
           """
        .formatted(ns, host, spec.indent(2).stripTrailing());
  }
}
