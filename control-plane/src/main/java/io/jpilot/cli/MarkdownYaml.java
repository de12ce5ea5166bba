package io.jpilot.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The YAML documents of a Markdown file: the contents of its fenced {@code ```yaml} (or {@code
 * yml}, or {@code ~~~} fenced) blocks, split at {@code ---} lines.
 */
final class MarkdownYaml {
  private static final Pattern OPEN = Pattern.compile("^( *)(`{3,}|~{3,})\\s*([^\\s`]*).*$");
  private static final Pattern SEPARATOR = Pattern.compile("^---(\\s.*)?$");

  private MarkdownYaml() {}

  /**
   * One YAML document of a block.
   *
   * @param line the 1-based file line of its first line that is neither blank nor a comment
   * @param text the document, preceded by blank lines so that YAML line and column numbers are the
   *     file's
   */
  record Piece(int line, String text) {}

  /** Whether {@code text} looks like Markdown with fenced blocks. */
  static boolean hasFences(String text) {
    for (String l : text.split("\n", -1)) {
      if (l.startsWith("```") || l.startsWith("~~~")) {
        return true;
      }
    }
    return false;
  }

  static List<Piece> pieces(String markdown) {
    String[] lines = markdown.replace("\r\n", "\n").split("\n", -1);
    List<Piece> pieces = new ArrayList<>();
    int i = 0;
    while (i < lines.length) {
      Matcher open = OPEN.matcher(lines[i]);
      if (!open.matches()) {
        i++;
        continue;
      }
      int indent = open.group(1).length();
      String fence = open.group(2);
      String info = open.group(3).toLowerCase(Locale.ROOT);
      boolean yaml = info.equals("yaml") || info.equals("yml");
      int start = i + 1;
      int end = start;
      while (end < lines.length && !closes(lines[end], fence)) {
        end++;
      }
      if (yaml) {
        split(lines, start, end, indent, pieces);
      }
      i = end + 1;
    }
    return pieces;
  }

  private static boolean closes(String line, String fence) {
    String t = line.strip();
    if (t.length() < fence.length()) {
      return false;
    }
    for (int k = 0; k < t.length(); k++) {
      if (t.charAt(k) != fence.charAt(0)) {
        return false;
      }
    }
    return true;
  }

  /** Splits block lines [from, to) into documents at {@code ---} lines. */
  private static void split(String[] lines, int from, int to, int indent, List<Piece> out) {
    int docStart = from;
    for (int k = from; k <= to; k++) {
      if (k == to || SEPARATOR.matcher(unindent(lines[k], indent)).matches()) {
        add(lines, docStart, k, out);
        docStart = k + 1;
      }
    }
  }

  private static void add(String[] lines, int from, int to, List<Piece> out) {
    int first = -1;
    for (int k = from; k < to; k++) {
      String t = lines[k].strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        first = k;
        break;
      }
    }
    if (first < 0) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    sb.append("\n".repeat(from));
    for (int k = from; k < to; k++) {
      sb.append(lines[k]).append('\n'); // indented as a whole is still YAML; columns stay true
    }
    out.add(new Piece(first + 1, sb.toString()));
  }

  private static String unindent(String line, int indent) {
    int n = 0;
    while (n < indent && n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return line.substring(n);
  }
}
