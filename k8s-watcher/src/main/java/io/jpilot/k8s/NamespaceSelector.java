package io.jpilot.k8s;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which namespaces the mesh sees, like istiod's {@code discoverySelectors}: a list of label
 * selectors, any of which may match a namespace's labels. No selectors means every namespace.
 *
 * <p>Each selector is written in the Kubernetes label selector syntax ({@code kubectl -l}):
 * comma-separated requirements that must all hold, each one of {@code key}, {@code !key}, {@code
 * key=value}, {@code key==value}, {@code key!=value}, {@code key in (a,b)} and {@code key notin
 * (a,b)}.
 */
public final class NamespaceSelector {
  private static final NamespaceSelector ALL = new NamespaceSelector(List.of(), List.of());
  private static final Pattern KEY =
      Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  private final List<String> texts;
  private final List<List<Requirement>> selectors;

  private NamespaceSelector(List<String> texts, List<List<Requirement>> selectors) {
    this.texts = texts;
    this.selectors = selectors;
  }

  /** Every namespace. */
  public static NamespaceSelector all() {
    return ALL;
  }

  /**
   * Parses label selectors; an empty list selects every namespace.
   *
   * @throws IllegalArgumentException naming the selector and the problem
   */
  public static NamespaceSelector parse(List<String> selectors) {
    requireNonNull(selectors, "selectors");
    if (selectors.isEmpty()) {
      return ALL;
    }
    List<List<Requirement>> parsed = new ArrayList<>();
    for (String s : selectors) {
      parsed.add(parseOne(requireNonNull(s, "selector")));
    }
    return new NamespaceSelector(List.copyOf(selectors), List.copyOf(parsed));
  }

  /** True when no selector is set, so every namespace is selected. */
  public boolean selectsAll() {
    return selectors.isEmpty();
  }

  /** Whether a namespace with these labels is part of the mesh. */
  public boolean matches(Map<String, String> labels) {
    requireNonNull(labels, "labels");
    if (selectors.isEmpty()) {
      return true;
    }
    for (List<Requirement> selector : selectors) {
      if (selector.stream().allMatch(r -> r.matches(labels))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return selectors.isEmpty() ? "all namespaces" : String.join(" | ", texts);
  }

  private enum Op {
    EXISTS,
    NOT_EXISTS,
    EQUALS,
    NOT_EQUALS,
    IN,
    NOT_IN
  }

  private record Requirement(String key, Op op, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      switch (op) {
        case EXISTS:
          return v != null;
        case NOT_EXISTS:
          return v == null;
        case EQUALS:
        case IN:
          return v != null && values.contains(v);
        case NOT_EQUALS:
        case NOT_IN:
          return v == null || !values.contains(v);
        default:
          throw new AssertionError(op);
      }
    }
  }

  private static List<Requirement> parseOne(String selector) {
    List<Requirement> out = new ArrayList<>();
    for (String part : splitTopLevel(selector)) {
      String p = part.strip();
      if (p.isEmpty()) {
        if (selector.isBlank()) {
          continue;
        }
        throw invalid(selector, "empty requirement");
      }
      out.add(requirement(selector, p));
    }
    return List.copyOf(out);
  }

  /** Splits at commas outside parentheses. */
  private static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    return parts;
  }

  private static Requirement requirement(String selector, String p) {
    if (p.startsWith("!")) {
      return new Requirement(key(selector, p.substring(1).strip()), Op.NOT_EXISTS, Set.of());
    }
    int ne = p.indexOf("!=");
    if (ne >= 0) {
      return new Requirement(
          key(selector, p.substring(0, ne).strip()),
          Op.NOT_EQUALS,
          Set.of(value(selector, p.substring(ne + 2).strip())));
    }
    int eq = p.indexOf('=');
    if (eq >= 0) {
      int valueStart = p.startsWith("==", eq) ? eq + 2 : eq + 1;
      return new Requirement(
          key(selector, p.substring(0, eq).strip()),
          Op.EQUALS,
          Set.of(value(selector, p.substring(valueStart).strip())));
    }
    String[] words = p.split("\\s+", 2);
    if (words.length == 2) {
      String rest = words[1].strip();
      Op op;
      if (rest.startsWith("notin")) {
        op = Op.NOT_IN;
        rest = rest.substring("notin".length()).strip();
      } else if (rest.startsWith("in")) {
        op = Op.IN;
        rest = rest.substring("in".length()).strip();
      } else {
        throw invalid(selector, "expected =, ==, !=, in or notin after \"" + words[0] + "\"");
      }
      if (!rest.startsWith("(") || !rest.endsWith(")")) {
        throw invalid(selector, "expected a parenthesized value list, got \"" + rest + "\"");
      }
      Set<String> values = new TreeSet<>();
      for (String v : rest.substring(1, rest.length() - 1).split(",", -1)) {
        values.add(value(selector, v.strip()));
      }
      return new Requirement(key(selector, words[0]), op, Set.copyOf(values));
    }
    return new Requirement(key(selector, p), Op.EXISTS, Set.of());
  }

  private static String key(String selector, String key) {
    if (!KEY.matcher(key).matches()) {
      throw invalid(selector, "invalid label key \"" + key + "\"");
    }
    return key;
  }

  private static String value(String selector, String value) {
    if (value.length() > 63 || !VALUE.matcher(value).matches()) {
      throw invalid(selector, "invalid label value \"" + value + "\"");
    }
    return value;
  }

  private static IllegalArgumentException invalid(String selector, String why) {
    return new IllegalArgumentException("label selector \"" + selector + "\": " + why);
  }
}
