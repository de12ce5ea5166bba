package io.jpilot.model.parse;

import io.jpilot.model.Diagnostic;
import java.util.List;

/**
 * What {@link DocumentReader} read from one file: its documents, or (for a malformed or unreadable
 * file) no documents and one ERROR diagnostic saying where and why.
 */
public record ReadResult(List<Document> documents, List<Diagnostic> diagnostics) {
  public ReadResult {
    documents = List.copyOf(documents);
    diagnostics = List.copyOf(diagnostics);
  }

  /** False when the file could not be read or parsed at all. */
  public boolean ok() {
    return diagnostics.stream().noneMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
  }
}
