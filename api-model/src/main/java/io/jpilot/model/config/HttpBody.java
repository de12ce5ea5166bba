package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Base64;

/**
 * Istio's HTTPBody: a text body ({@code string}) or a binary one ({@code bytes}, kept here as
 * standard base64 so the record compares by value).
 */
public record HttpBody(Kind kind, String value) {
  public enum Kind {
    STRING,
    BYTES
  }

  public HttpBody {
    requireNonNull(kind, "kind");
    requireNonNull(value, "value");
  }

  public static HttpBody ofString(String s) {
    return new HttpBody(Kind.STRING, s);
  }

  public static HttpBody ofBytes(byte[] bytes) {
    return new HttpBody(Kind.BYTES, Base64.getEncoder().encodeToString(bytes));
  }

  /** The body's bytes: the decoded base64 for BYTES, the UTF-8 text for STRING. */
  public byte[] bytes() {
    return kind == Kind.BYTES
        ? Base64.getDecoder().decode(value)
        : value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
