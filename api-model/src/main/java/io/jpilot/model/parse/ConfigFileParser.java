package io.jpilot.model.parse;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one config file and parses every document in it: {@link DocumentReader} then {@link
 * ObjectParser}.
 */
public final class ConfigFileParser {
  private ConfigFileParser() {}

  /**
   * @param source how diagnostics and {@code ConfigMeta.source} name the file (the path as given)
   */
  public static ParsedFile parse(Path file, String source, String domainSuffix) {
    return parse(DocumentReader.read(file, source), source, domainSuffix);
  }

  public static ParsedFile parse(String source, String text, String domainSuffix) {
    return parse(DocumentReader.read(source, text), source, domainSuffix);
  }

  private static ParsedFile parse(ReadResult read, String source, String domainSuffix) {
    requireNonNull(domainSuffix, "domainSuffix");
    if (!read.ok()) {
      return new ParsedFile(false, List.of(), List.of(), read.diagnostics());
    }
    List<MeshObject> objects = new ArrayList<>();
    List<ParseResult> results = new ArrayList<>();
    List<Diagnostic> diagnostics = new ArrayList<>(read.diagnostics());
    Set<ConfigKey> seen = new HashSet<>();
    for (Document doc : read.documents()) {
      ParseResult r = ObjectParser.parse(doc.node(), source, domainSuffix);
      results.add(r);
      diagnostics.addAll(r.diagnostics());
      if (r.object().isEmpty()) {
        continue;
      }
      MeshObject o = r.object().get();
      if (!seen.add(o.key())) {
        diagnostics.add(
            new Diagnostic(
                Severity.WARNING,
                source,
                o.key().toString(),
                "",
                "defined more than once in this file; the first definition is used"));
        continue;
      }
      objects.add(o);
    }
    return new ParsedFile(true, objects, results, diagnostics);
  }
}
