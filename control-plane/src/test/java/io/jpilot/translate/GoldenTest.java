package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Message;
import io.jpilot.debug.SubscriptionWalker;
import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import io.jpilot.model.registry.Locality;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files. Each case is a directory {@code src/test/resources/golden/<case>/} holding
 *
 * <ul>
 *   <li>{@code input/*.yaml}: plain Kubernetes and Istio YAML, read by {@link ConfigFileParser}
 *       exactly as the server reads a config directory (an ERROR diagnostic fails the case);
 *   <li>{@code proxy.yaml}: the proxy's node ({@code id}, {@code metadata}, {@code labels}) and,
 *       for proxyless gRPC, the {@code listeners} ({@code host:port} targets) it dials;
 *   <li>{@code clusters.yaml}, {@code endpoints.yaml}, {@code listeners.yaml}, {@code routes.yaml}:
 *       what that proxy ends up subscribed to, resolved the way a client does (listeners, the route
 *       configs they name, clusters, endpoints of EDS clusters; see {@link SubscriptionWalker}), as
 *       YAML lists with protobuf field names.
 * </ul>
 *
 * <p>Run with {@code -Djpilot.golden.update=true} to rewrite the outputs, delete output files no
 * case produces and delete directories that hold only outputs of a removed case; otherwise any
 * difference fails with a diff. Every generated resource must pass Envoy's validate.rules.
 */
class GoldenTest {
  private static final Map<XdsType, String> FILES =
      Map.of(
          XdsType.CLUSTER, "clusters.yaml",
          XdsType.ENDPOINT, "endpoints.yaml",
          XdsType.LISTENER, "listeners.yaml",
          XdsType.ROUTE, "routes.yaml");
  private static final String INPUT = "input";
  private static final String PROXY = "proxy.yaml";
  private static final YAMLMapper YAML = new YAMLMapper();

  private final Translator translator = new Translator();

  /**
   * A case's {@code proxy.yaml}. Unknown keys are an error, so a misspelt key cannot silently
   * change what a case tests.
   *
   * @param id the node id, e.g. {@code sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local}
   * @param metadata string-valued node metadata: NAMESPACE, INSTANCE_IPS, GENERATOR, ...
   * @param labels the LABELS metadata (the pod's labels)
   * @param listeners for proxyless gRPC: the {@code host:port} targets the client dials
   */
  record ProxyFile(
      String id, Map<String, String> metadata, Map<String, String> labels, List<String> listeners) {
    ProxyFile {
      metadata = metadata == null ? Map.of() : metadata;
      labels = labels == null ? Map.of() : labels;
      listeners = listeners == null ? List.of() : listeners;
    }

    /** The proxy this file describes, without a locality. */
    ProxyView view() {
      return ProxyView.parse(id, metadata, labels, Locality.NONE);
    }
  }

  static List<String> cases() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(goldenRoot())) {
      dirs.filter(d -> Files.isRegularFile(d.resolve(PROXY)))
          .map(d -> d.getFileName().toString())
          .sorted()
          .forEach(names::add);
    }
    assertThat(names)
        .as("golden cases (directories with a %s) in %s", PROXY, goldenRoot())
        .isNotEmpty();
    return names;
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
  void matchesGoldenFiles(String name) throws IOException {
    Path dir = goldenRoot().resolve(name);
    MeshSnapshot snapshot = readInput(dir.resolve(INPUT));
    ProxyFile proxyFile = readProxy(dir.resolve(PROXY));
    ProxyView proxy = proxyFile.view();
    if (!proxy.isProxylessGrpc()) {
      assertThat(proxyFile.listeners())
          .as("%s: listeners are for proxyless gRPC (GENERATOR: grpc); Envoy gets all", PROXY)
          .isEmpty();
    }

    Map<XdsType, SortedMap<String, Message>> walked =
        SubscriptionWalker.walk(translator, snapshot, proxy, new TreeSet<>(proxyFile.listeners()));
    assertThat(walked.get(XdsType.LISTENER))
        .as("listeners for %s (is %s right?)", proxy.nodeId(), PROXY)
        .isNotEmpty();
    Map<String, String> expected = new TreeMap<>();
    for (Map.Entry<XdsType, SortedMap<String, Message>> e : new EnumMap<>(walked).entrySet()) {
      XdsYaml.assertValid(e.getValue());
      expected.put(FILES.get(e.getKey()), XdsYaml.toYaml(e.getValue()));
    }
    assertThat(expected.keySet()).containsExactlyInAnyOrderElementsOf(FILES.values());

    if (updating()) {
      for (String stale : staleFiles(dir, expected.keySet())) {
        Files.delete(dir.resolve(stale));
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
    for (String stale : staleFiles(dir, expected.keySet())) {
      problems.add(
          dir.resolve(stale)
              + " is stale (no case output; -Djpilot.golden.update=true deletes it)");
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems));
    }
  }

  /**
   * A directory without {@code proxy.yaml} is not a case. If it holds only outputs (a removed or
   * renamed case) it is stale: the update deletes it, otherwise the test fails. One that still has
   * an {@code input/} directory is never deleted; it is a case missing its proxy.
   */
  @Test
  void everyGoldenDirectoryIsACase() throws IOException {
    Path root = goldenRoot();
    List<Path> dirs;
    try (Stream<Path> s = Files.list(root)) {
      dirs = s.filter(Files::isDirectory).sorted().collect(Collectors.toList());
    }
    List<String> problems = new ArrayList<>();
    for (Path d : dirs) {
      boolean hasProxy = Files.isRegularFile(d.resolve(PROXY));
      boolean hasInput = Files.isDirectory(d.resolve(INPUT));
      if (hasProxy && hasInput) {
        continue;
      }
      if (hasInput || hasProxy) {
        problems.add(d + ": a case needs both " + PROXY + " and " + INPUT + "/");
      } else if (updating()) {
        deleteTree(d);
      } else {
        problems.add(d + " holds outputs of no case (-Djpilot.golden.update=true deletes it)");
      }
    }
    assertThat(problems).as("golden directories").isEmpty();
  }

  /**
   * Parses every {@code *.yaml} under {@code input/} (sorted) into one snapshot. Any ERROR
   * diagnostic, and any object defined in two files, fails the case.
   */
  static MeshSnapshot readInput(Path inputDir) throws IOException {
    assertThat(inputDir).as("input directory").isDirectory();
    List<Path> files;
    try (Stream<Path> s = Files.walk(inputDir)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(p -> p.getFileName().toString().endsWith(".yaml"))
              .sorted(Comparator.comparing(p -> inputDir.relativize(p).toString()))
              .collect(Collectors.toList());
    }
    assertThat(files).as("input files in %s", inputDir).isNotEmpty();
    Map<ConfigKey, String> definedIn = new LinkedHashMap<>();
    List<MeshObject> objects = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (Path f : files) {
      String source = INPUT + "/" + inputDir.relativize(f).toString().replace('\\', '/');
      ParsedFile parsed = ConfigFileParser.parse(f, source, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX);
      for (Diagnostic d : parsed.diagnostics()) {
        if (d.severity() == Diagnostic.Severity.ERROR) {
          errors.add(d.toString());
        }
      }
      for (MeshObject o : parsed.objects()) {
        String first = definedIn.putIfAbsent(o.key(), source);
        if (first != null) {
          errors.add(o.key() + " is defined in both " + first + " and " + source);
        } else {
          objects.add(o);
        }
      }
    }
    assertThat(errors).as("errors in the input of %s", inputDir.getParent()).isEmpty();
    return MeshSnapshot.build(1, MeshSnapshot.DEFAULT_DOMAIN_SUFFIX, objects);
  }

  static ProxyFile readProxy(Path file) throws IOException {
    ProxyFile p = YAML.readValue(file.toFile(), ProxyFile.class);
    assertThat(p).as("%s", file).isNotNull();
    assertThat(p.id()).as("id in %s", file).isNotBlank();
    return p;
  }

  /** Regular files in a case directory that are neither its proxy nor an expected output. */
  private static Set<String> staleFiles(Path dir, Set<String> outputs) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(PROXY) && !outputs.contains(n))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static void deleteTree(Path d) throws IOException {
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.delete(p);
      }
    }
  }
}
