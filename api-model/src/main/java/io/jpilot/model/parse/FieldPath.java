package io.jpilot.model.parse;

import com.fasterxml.jackson.databind.node.TextNode;
import java.util.regex.Pattern;

/** Builds field paths such as {@code spec.http[0].match[0].headers.x-env}. */
final class FieldPath {
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

  private FieldPath() {}

  static String field(String parent, String name) {
    return parent.isEmpty() ? name : parent + "." + name;
  }

  static String index(String parent, int i) {
    return parent + "[" + i + "]";
  }

  /** A map key: {@code .key} when it is a plain word, else {@code ["app.kubernetes.io/name"]}. */
  static String key(String parent, String key) {
    if (PLAIN_KEY.matcher(key).matches()) {
      return field(parent, key);
    }
    return parent + "[" + new TextNode(key) + "]";
  }
}
