package io.jpilot.model;

import static java.util.Objects.requireNonNull;

/**
 * One finding about one input object: where it is (file, object, field path) and why.
 *
 * <p>Rendered as {@code ERROR VirtualService default/reviews (examples/x.yaml):
 * spec.http[0].match[0].headers.x-env: expected ...}.
 *
 * @param source the file (or API object) the input came from
 * @param object {@code Kind ns/name}, or empty when the object could not be identified
 * @param path the field path inside the object, e.g. {@code spec.http[0].route}, or empty
 * @param code an istioctl-style analyzer code such as {@code IST0101}, or empty
 */
public record Diagnostic(
    Severity severity, String source, String object, String path, String message, String code) {
  public enum Severity {
    ERROR,
    WARNING,
    INFO
  }

  public Diagnostic {
    requireNonNull(severity, "severity");
    requireNonNull(source, "source");
    requireNonNull(object, "object");
    requireNonNull(path, "path");
    requireNonNull(message, "message");
    requireNonNull(code, "code");
  }

  /** A diagnostic without an analyzer code (schema and semantic checks of one object). */
  public Diagnostic(Severity severity, String source, String object, String path, String message) {
    this(severity, source, object, path, message, "");
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(severity.name());
    if (!code.isEmpty()) {
      sb.append(" [").append(code).append(']');
    }
    if (!object.isEmpty()) {
      sb.append(' ').append(object);
    }
    if (!source.isEmpty()) {
      sb.append(" (").append(source).append(')');
    }
    sb.append(": ");
    if (!path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return sb.append(message).toString();
  }
}
