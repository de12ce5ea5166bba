package io.jpilot.model.parse;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshObject;
import java.util.List;

/**
 * Everything one config file yields.
 *
 * @param readable false when the file could not be read or is not well-formed YAML/JSON; then
 *     {@code objects} and {@code results} are empty and a source should keep what it had
 * @param objects the valid objects, in file order, each key at most once (the first wins)
 * @param results one per document, valid or not, in file order
 * @param diagnostics every diagnostic about the file and its objects
 */
public record ParsedFile(
    boolean readable,
    List<MeshObject> objects,
    List<ParseResult> results,
    List<Diagnostic> diagnostics) {
  public ParsedFile {
    objects = List.copyOf(objects);
    results = List.copyOf(results);
    diagnostics = List.copyOf(diagnostics);
  }
}
