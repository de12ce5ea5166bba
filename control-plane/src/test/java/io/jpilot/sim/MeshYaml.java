package io.jpilot.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Test input from plain Kubernetes and Istio YAML, parsed the way the file source parses it. */
final class MeshYaml {
  private final List<MeshObject> objects = new ArrayList<>();
  private final List<Diagnostic> diagnostics = new ArrayList<>();

  /** Parses {@code yaml}; ERROR diagnostics fail the test, warnings are kept. */
  MeshYaml add(String source, String yaml) {
    return add(source, yaml, d -> false);
  }

  /**
   * Parses {@code yaml}; ERROR diagnostics fail the test unless {@code tolerated} (the object is
   * then left out, as the server would leave it out).
   */
  MeshYaml add(String source, String yaml, java.util.function.Predicate<Diagnostic> tolerated) {
    ParsedFile f = ConfigFileParser.parse(source, yaml, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX);
    List<Diagnostic> errors =
        f.diagnostics().stream()
            .filter(d -> d.severity() == Diagnostic.Severity.ERROR)
            .filter(tolerated.negate())
            .collect(Collectors.toList());
    assertThat(errors).as("errors parsing %s", source).isEmpty();
    objects.addAll(f.objects());
    diagnostics.addAll(f.diagnostics());
    return this;
  }

  /** Every {@code *.yaml} file of a directory, in name order. */
  MeshYaml addDirectory(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p :
          s.filter(x -> x.getFileName().toString().endsWith(".yaml"))
              .sorted()
              .collect(Collectors.toList())) {
        add(dir.relativize(p).toString(), Files.readString(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** True when an object of {@code kind} was parsed (false when the kind is not supported). */
  boolean has(String kind) {
    return objects.stream().anyMatch(o -> o.key().kind().equals(kind));
  }

  List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  MeshSnapshot snapshot() {
    return MeshSnapshot.build(1, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX, objects);
  }

  static Path repoRoot() {
    String root = System.getProperty("jpilot.repoRoot");
    return root == null ? Path.of("..").toAbsolutePath().normalize() : Path.of(root);
  }

  static Path testResource(String relative) {
    return repoRoot().resolve("control-plane/src/test/resources").resolve(relative);
  }
}
