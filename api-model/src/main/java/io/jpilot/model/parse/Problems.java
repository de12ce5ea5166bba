package io.jpilot.model.parse;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import java.util.ArrayList;
import java.util.List;

/** Collects the diagnostics about one input object, all naming the same source and object. */
final class Problems {
  private final String source;
  private String object;
  private final List<Diagnostic> diagnostics = new ArrayList<>();

  Problems(String source, String object) {
    this.source = requireNonNull(source, "source");
    this.object = requireNonNull(object, "object");
  }

  /** Names the object once it is known (diagnostics already given keep the old name). */
  void object(String object) {
    this.object = requireNonNull(object, "object");
  }

  void error(String path, String message) {
    add(Severity.ERROR, path, message);
  }

  void warning(String path, String message) {
    add(Severity.WARNING, path, message);
  }

  void add(Severity severity, String path, String message) {
    diagnostics.add(new Diagnostic(severity, source, object, path, message));
  }

  boolean hasErrors() {
    for (Diagnostic d : diagnostics) {
      if (d.severity() == Severity.ERROR) {
        return true;
      }
    }
    return false;
  }

  int errorCount() {
    int n = 0;
    for (Diagnostic d : diagnostics) {
      if (d.severity() == Severity.ERROR) {
        n++;
      }
    }
    return n;
  }

  List<Diagnostic> diagnostics() {
    return List.copyOf(diagnostics);
  }
}
