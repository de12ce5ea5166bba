package io.jpilot.source;

import io.jpilot.model.Diagnostic;
import java.util.List;

/**
 * The outcome of {@link FileSource#loadInitial()}.
 *
 * @param files the config files found (read or not)
 * @param objects the objects now served from them
 * @param diagnostics every finding, in file order
 */
public record LoadReport(int files, int objects, List<Diagnostic> diagnostics) {
  public LoadReport {
    diagnostics = List.copyOf(diagnostics);
  }

  /** Number of ERROR diagnostics (malformed files, rejected objects). */
  public long errors() {
    return diagnostics.stream().filter(d -> d.severity() == Diagnostic.Severity.ERROR).count();
  }
}
