package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import java.util.List;

/** Istio config written as YAML, parsed and validated as jpilot reads files, for tests. */
final class IstioYaml {
  private IstioYaml() {}

  /** Every object in {@code yaml}; fails the test on any error diagnostic. */
  static List<MeshObject> objects(String yaml) {
    ParsedFile f = ConfigFileParser.parse("test.yaml", yaml, TestMesh.SUFFIX);
    assertThat(f.diagnostics())
        .as("diagnostics of\n%s", yaml)
        .noneMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
    return f.objects();
  }

  /**
   * A VirtualService {@code name} in {@code namespace} whose spec is {@code spec} (YAML, indented
   * as a top-level block), created at {@code created} (RFC 3339).
   */
  static VirtualService vs(String namespace, String name, String created, String spec) {
    StringBuilder yaml = new StringBuilder();
    yaml.append("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n")
        .append("  name: ")
        .append(name)
        .append("\n  namespace: ")
        .append(namespace)
        .append("\n  creationTimestamp: \"")
        .append(created)
        .append("\"\nspec:\n");
    for (String line : spec.stripIndent().split("\n")) {
      yaml.append("  ").append(line).append('\n');
    }
    List<MeshObject> objects = objects(yaml.toString());
    assertThat(objects).hasSize(1);
    return (VirtualService) objects.get(0);
  }

  static VirtualService vs(String namespace, String name, String spec) {
    return vs(namespace, name, "2024-01-01T00:00:00Z", spec);
  }
}
