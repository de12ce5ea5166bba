package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Message;
import io.jpilot.translate.GoldenCases.GoldenCase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: each case's generated resources, one YAML file per xDS type, under {@code
 * src/test/resources/golden/<case>/}. Run with {@code -Djpilot.golden.update=true} to rewrite them
 * (and delete stale ones); otherwise a difference fails with a diff. Subdirectories of a case (such
 * as {@code input/}) are left alone.
 */
class GoldenTest {
  private static final Map<XdsType, String> FILES =
      Map.of(
          XdsType.CLUSTER, "clusters.yaml",
          XdsType.ENDPOINT, "endpoints.yaml",
          XdsType.LISTENER, "listeners.yaml",
          XdsType.ROUTE, "routes.yaml");

  private final Translator translator = new Translator();

  static List<GoldenCase> cases() {
    return GoldenCases.all();
  }

  static boolean updating() {
    return Boolean.getBoolean("jpilot.golden.update");
  }

  static Path goldenRoot() {
    String root = System.getProperty("jpilot.repoRoot");
    Path module = root == null ? Paths.get("") : Paths.get(root, "control-plane");
    return module.resolve("src/test/resources/golden").toAbsolutePath().normalize();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesGoldenFiles(GoldenCase c) throws IOException {
    Path dir = goldenRoot().resolve(c.name());
    Map<String, String> expected = new TreeMap<>();
    for (Map.Entry<XdsType, Set<String>> e : c.requested().entrySet()) {
      SortedMap<String, Message> resources =
          translator.generate(c.snapshot(), c.proxy(), e.getKey(), e.getValue());
      XdsYaml.assertValid(resources);
      expected.put(FILES.get(e.getKey()), XdsYaml.toYaml(resources));
    }
    if (updating()) {
      Files.createDirectories(dir);
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
          if (!expected.containsKey(f.getFileName().toString())) {
            Files.delete(f);
          }
        }
      }
      for (Map.Entry<String, String> e : expected.entrySet()) {
        Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
      }
      return;
    }
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Path f = dir.resolve(e.getKey());
      if (!Files.exists(f)) {
        problems.add(f + " is missing (run with -Djpilot.golden.update=true)");
        continue;
      }
      String actual = Files.readString(f, StandardCharsets.UTF_8);
      if (!actual.equals(e.getValue())) {
        problems.add(
            f
                + " differs (- golden, + generated; update with -Djpilot.golden.update=true):\n"
                + LineDiff.diff(actual, e.getValue()));
      }
    }
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        files
            .filter(Files::isRegularFile)
            .map(p -> p.getFileName().toString())
            .filter(n -> !expected.containsKey(n))
            .forEach(n -> problems.add(dir.resolve(n) + " is stale"));
      }
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  @Test
  void everyGoldenDirectoryBelongsToACase() throws IOException {
    Path root = goldenRoot();
    Set<String> names = cases().stream().map(GoldenCase::name).collect(Collectors.toSet());
    if (!Files.isDirectory(root)) {
      return;
    }
    List<Path> dirs;
    try (Stream<Path> s = Files.list(root)) {
      dirs = s.filter(Files::isDirectory).collect(Collectors.toList());
    }
    for (Path d : dirs) {
      String name = d.getFileName().toString();
      if (names.contains(name)) {
        continue;
      }
      if (updating()) {
        try (Stream<Path> s = Files.walk(d)) {
          for (Path p : s.sorted((a, b) -> b.compareTo(a)).collect(Collectors.toList())) {
            Files.delete(p);
          }
        }
      } else {
        assertThat(name).as("golden directory without a case in GoldenCases").isIn(names);
      }
    }
  }
}
