package io.jpilot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpilot.cli.Args.UsageException;
import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.analysis.ConfigAnalyzer;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.parse.Document;
import io.jpilot.model.parse.DocumentReader;
import io.jpilot.model.parse.ObjectParser;
import io.jpilot.model.parse.ParseResult;
import io.jpilot.model.parse.ReadResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads the inputs of {@code jpilot analyze}, parses and validates every object, then runs the
 * cross-object {@link ConfigAnalyzer} over all of them together.
 *
 * <p>Inputs are files, directories (searched recursively for {@code *.yaml}, {@code *.yml}, {@code
 * *.json}, {@code *.md} and {@code *.markdown}; hidden entries are skipped) or {@code -} for
 * standard input. From Markdown only the fenced {@code yaml} blocks are read, each document named
 * {@code file.md:<line>}; blocks that are not Kubernetes objects (prose written as YAML) get an
 * INFO note.
 */
final class InputAnalysis {
  private static final Pattern OBJECT_LINE = Pattern.compile("(?m)^\\s*(apiVersion|kind)\\s*:");

  /**
   * @param files how many files (or standard input) were read
   * @param objects how many Kubernetes objects they held
   * @param diagnostics parse and validation findings in input order, each object's cross-object
   *     findings after its own; notes about checks that could not run come first
   */
  record Result(int files, int objects, List<Diagnostic> diagnostics) {
    Result {
      diagnostics = List.copyOf(diagnostics);
    }

    long count(Severity severity) {
      return diagnostics.stream().filter(d -> d.severity() == severity).count();
    }
  }

  private enum Format {
    YAML,
    JSON,
    MARKDOWN
  }

  private record Input(String source, Path path, Format format) {}

  private final String domainSuffix;
  private final List<Diagnostic> diagnostics = new ArrayList<>();
  private final Map<ConfigKey, MeshObject> objects = new LinkedHashMap<>();
  private final Map<ConfigKey, String> firstSource = new HashMap<>();
  private final Set<ConfigKey> others = new LinkedHashSet<>();
  private final Map<String, Integer> sourceOrder = new HashMap<>();
  private int objectCount;

  private InputAnalysis(String domainSuffix) {
    this.domainSuffix = domainSuffix;
  }

  /**
   * @throws UsageException when an input does not exist
   */
  static Result run(List<String> inputs, String domainSuffix, InputStream stdin) {
    InputAnalysis a = new InputAnalysis(domainSuffix);
    List<Input> files = new ArrayList<>();
    for (String arg : inputs) {
      files.addAll(expand(arg));
    }
    for (Input in : files) {
      a.read(in, stdin);
    }
    return a.finish(files.size());
  }

  // ---- inputs -------------------------------------------------------------------------------

  private static List<Input> expand(String arg) {
    if (arg.equals("-")) {
      return List.of(new Input("<stdin>", null, Format.YAML));
    }
    Path p = Path.of(arg);
    if (Files.isRegularFile(p)) {
      return List.of(new Input(arg, p, formatOf(p)));
    }
    if (!Files.isDirectory(p)) {
      throw new UsageException("analyze: " + arg + ": no such file or directory");
    }
    List<Input> found = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(p, FileVisitOption.FOLLOW_LINKS)) {
      walk.filter(f -> !hiddenBelow(p, f))
          .filter(Files::isRegularFile)
          .filter(f -> formatOf(f) != null)
          .sorted(Comparator.comparing(f -> p.relativize(f).toString()))
          .forEach(f -> found.add(new Input(f.toString(), f, formatOf(f))));
    } catch (IOException | UncheckedIOException e) {
      throw new UsageException("analyze: cannot read directory " + arg + ": " + e.getMessage());
    }
    return found;
  }

  private static boolean hiddenBelow(Path root, Path f) {
    for (Path part : root.relativize(f)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The format by file name, or null for other names: skipped in directories, sniffed when read for
   * a file named explicitly.
   */
  private static Format formatOf(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".yaml") || n.endsWith(".yml")) {
      return Format.YAML;
    }
    if (n.endsWith(".json")) {
      return Format.JSON;
    }
    if (n.endsWith(".md") || n.endsWith(".markdown")) {
      return Format.MARKDOWN;
    }
    return null;
  }

  // ---- reading ------------------------------------------------------------------------------

  private void read(Input in, InputStream stdin) {
    String text;
    try {
      byte[] bytes = in.path() == null ? stdin.readAllBytes() : Files.readAllBytes(in.path());
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      fileError(in.source(), "file is not valid UTF-8 text");
      return;
    } catch (IOException e) {
      fileError(in.source(), "cannot read file: " + e);
      return;
    }
    Format format = in.format();
    if (format == null) {
      format = MarkdownYaml.hasFences(text) ? Format.MARKDOWN : Format.YAML;
    }
    if (format == Format.MARKDOWN) {
      readMarkdown(in.source(), text);
      return;
    }
    // DocumentReader picks JSON by the source name; a sniffed or stdin input is YAML (JSON is YAML)
    ReadResult r = DocumentReader.read(in.source(), text);
    add(in.source(), r.diagnostics());
    for (Document doc : r.documents()) {
      parse(doc.node(), in.source());
    }
  }

  private void readMarkdown(String file, String text) {
    for (MarkdownYaml.Piece piece : MarkdownYaml.pieces(text)) {
      String source = file + ":" + piece.line();
      ReadResult r = DocumentReader.read(source, piece.text());
      if (!r.ok()) {
        if (OBJECT_LINE.matcher(piece.text()).find()) {
          add(source, r.diagnostics());
        } else {
          note(
              source,
              "YAML block is not well-formed YAML and holds no Kubernetes object; not checked");
        }
        continue;
      }
      for (Document doc : r.documents()) {
        JsonNode n = doc.node();
        if (!n.isObject() || (!n.has("apiVersion") && !n.has("kind"))) {
          note(
              source, "YAML block is not a Kubernetes object (no apiVersion or kind); not checked");
          continue;
        }
        parse(n, source);
      }
    }
  }

  private void parse(JsonNode node, String source) {
    objectCount++;
    ParseResult r = ObjectParser.parse(node, source, domainSuffix);
    add(source, r.diagnostics());
    if (r.object().isEmpty()) {
      if (!r.key().name().isEmpty()) {
        others.add(r.key());
      }
      return;
    }
    MeshObject o = r.object().get();
    String first = firstSource.putIfAbsent(o.key(), source);
    if (first != null) {
      add(
          source,
          List.of(
              new Diagnostic(
                  Severity.WARNING,
                  source,
                  o.key().toString(),
                  "",
                  first.equals(source)
                      ? "defined more than once in this file; the first definition is used"
                      : "also defined in " + first + ", which is used (the first one read wins)")));
      return;
    }
    objects.put(o.key(), o);
  }

  private void fileError(String source, String message) {
    add(source, List.of(new Diagnostic(Severity.ERROR, source, "", "", message)));
  }

  private void note(String source, String message) {
    add(source, List.of(new Diagnostic(Severity.INFO, source, "", "", message)));
  }

  private void add(String source, List<Diagnostic> found) {
    sourceOrder.putIfAbsent(source, sourceOrder.size());
    diagnostics.addAll(found);
  }

  private Result finish(int files) {
    List<Diagnostic> all = new ArrayList<>(diagnostics);
    all.addAll(ConfigAnalyzer.analyze(objects.values(), others, domainSuffix));
    // group by input (stable): notes without a source first, then each document's findings
    all.sort(Comparator.comparingInt(d -> sourceOrder.getOrDefault(d.source(), -1)));
    return new Result(files, objectCount, all);
  }
}
