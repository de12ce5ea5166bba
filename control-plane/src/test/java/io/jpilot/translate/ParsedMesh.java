package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test meshes written as YAML and loaded through the real parser (no errors allowed). */
final class ParsedMesh {
  private ParsedMesh() {}

  static MeshSnapshot parse(String... yamlFiles) {
    List<MeshObject> objects = new ArrayList<>();
    for (int i = 0; i < yamlFiles.length; i++) {
      objects.addAll(parseFile("test-" + i + ".yaml", yamlFiles[i]));
    }
    return MeshSnapshot.build(1, TestMesh.SUFFIX, objects);
  }

  static MeshSnapshot load(Path file) {
    try {
      return MeshSnapshot.build(
          1, TestMesh.SUFFIX, parseFile(file.toString(), Files.readString(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<MeshObject> parseFile(String source, String text) {
    ParsedFile f = ConfigFileParser.parse(source, text, TestMesh.SUFFIX);
    assertThat(f.readable()).as(source).isTrue();
    assertThat(f.diagnostics())
        .as("diagnostics of " + source)
        .filteredOn(d -> d.severity() == Diagnostic.Severity.ERROR)
        .isEmpty();
    return f.objects();
  }

  /** A sidecar proxy {@code sidecar~<ip>~<pod>.<ns>~<ns>.svc.cluster.local} with labels. */
  static ProxyView sidecar(String ip, String ns, Map<String, String> labels) {
    return ProxyView.parse(
        "sidecar~"
            + ip
            + "~pod-"
            + ip.replace('.', '-')
            + "."
            + ns
            + "~"
            + ns
            + ".svc.cluster.local",
        Map.of(),
        labels,
        null);
  }
}
