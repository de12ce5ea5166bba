package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/**
 * Istio's StringMatch: exactly one of exact, prefix or regex. An empty match (`{}`) is {@link
 * Kind#PRESENT}: on a header it means "the header is present".
 */
public record StringMatch(Kind kind, String value) {
  public enum Kind {
    EXACT,
    PREFIX,
    REGEX,
    PRESENT
  }

  public static final StringMatch PRESENT_MATCH = new StringMatch(Kind.PRESENT, "");

  public StringMatch {
    requireNonNull(kind, "kind");
    requireNonNull(value, "value");
  }

  public static StringMatch exact(String v) {
    return new StringMatch(Kind.EXACT, v);
  }

  public static StringMatch prefix(String v) {
    return new StringMatch(Kind.PREFIX, v);
  }

  public static StringMatch regex(String v) {
    return new StringMatch(Kind.REGEX, v);
  }
}
