package io.jpilot.model.parse;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of parsing one document: the object, unless an ERROR diagnostic (or an unsupported
 * kind) made it skip, and every diagnostic about it.
 *
 * @param key the object's identity as far as it could be read: kind, namespace and name, each empty
 *     when missing; lets a source keep serving the last valid version of a now-invalid object
 */
public record ParseResult(
    Optional<MeshObject> object, List<Diagnostic> diagnostics, ConfigKey key) {
  private static final ConfigKey UNKNOWN = new ConfigKey("", "", "");

  public ParseResult {
    requireNonNull(object, "object");
    diagnostics = List.copyOf(diagnostics);
    requireNonNull(key, "key");
  }

  public ParseResult(Optional<MeshObject> object, List<Diagnostic> diagnostics) {
    this(object, diagnostics, object.map(MeshObject::key).orElse(UNKNOWN));
  }

  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(d -> d.severity() == Diagnostic.Severity.ERROR);
  }
}
