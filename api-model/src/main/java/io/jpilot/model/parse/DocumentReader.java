package io.jpilot.model.parse;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a config file's text into JSON documents: YAML (several documents separated by {@code ---})
 * or, for {@code *.json} files, JSON. Empty documents are skipped and {@code kind: List} documents
 * are expanded into their items. Duplicate keys in a mapping are an error, as they are for kubectl.
 *
 * <p>A malformed file yields no documents and exactly one ERROR diagnostic naming the file, the
 * line and column, and the parser's reason, e.g. {@code ERROR (examples/bad.yaml): line 7, column
 * 3: mapping values are not allowed here}.
 */
public final class DocumentReader {
  private static final ObjectMapper YAML =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
  private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

  private DocumentReader() {}

  /** Reads {@code file}; {@code source} is how diagnostics name it (usually the path as given). */
  public static ReadResult read(Path file, String source) {
    requireNonNull(file, "file");
    requireNonNull(source, "source");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (MalformedInputException e) {
      return failed(source, "file is not valid UTF-8 text");
    } catch (IOException e) {
      return failed(source, "cannot read file: " + e);
    }
    return read(source, text);
  }

  /** Parses {@code text}; JSON when {@code source} ends with .json, else YAML. */
  public static ReadResult read(String source, String text) {
    requireNonNull(source, "source");
    requireNonNull(text, "text");
    boolean json = source.toLowerCase(Locale.ROOT).endsWith(".json");
    List<Document> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        (json ? JSON : YAML).readerFor(JsonNode.class).readValues(text)) {
      int index = 0;
      while (it.hasNextValue()) {
        JsonNode node = it.nextValue();
        add(documents, index++, node);
      }
    } catch (IOException | RuntimeException e) {
      return failed(source, describe(e));
    }
    return new ReadResult(documents, List.of());
  }

  private static void add(List<Document> out, int index, JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return; // an empty document
    }
    JsonNode items = node.get("items");
    JsonNode kind = node.get("kind");
    if (node.isObject()
        && kind != null
        && kind.isTextual()
        && kind.textValue().endsWith("List")
        && items != null
        && items.isArray()) {
      for (JsonNode item : items) {
        if (item != null && !item.isNull()) {
          out.add(new Document(index, item));
        }
      }
      return;
    }
    out.add(new Document(index, node));
  }

  private static ReadResult failed(String source, String message) {
    return new ReadResult(
        List.of(), List.of(new Diagnostic(Severity.ERROR, source, "", "", message)));
  }

  /** "line 7, column 3: mapping values are not allowed here", on one line. */
  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException y) {
        Mark problemMark = y.getProblemMark();
        Mark contextMark = y.getContextMark();
        String problem = y.getProblem() == null ? "" : y.getProblem();
        String context = y.getContext() == null ? "" : y.getContext();
        Mark at = problemMark != null ? problemMark : contextMark;
        StringBuilder sb = new StringBuilder();
        if (at != null) {
          sb.append(position(at.getLine() + 1, at.getColumn() + 1)).append(": ");
        }
        sb.append(oneLine(problem.isEmpty() ? context : problem));
        if (!problem.isEmpty() && !context.isEmpty()) {
          sb.append(" (").append(oneLine(context));
          if (contextMark != null) {
            sb.append(" started at ")
                .append(position(contextMark.getLine() + 1, contextMark.getColumn() + 1));
          }
          sb.append(')');
        }
        return sb.toString();
      }
    }
    if (e instanceof JsonProcessingException j) {
      String message = firstLine(j.getOriginalMessage());
      Matcher m = DUPLICATE.matcher(message);
      if (m.matches()) {
        message = "duplicate key \"" + m.group(1) + "\"";
      }
      JsonLocation loc = j.getLocation();
      if (loc != null && loc.getLineNr() > 0) {
        return position(loc.getLineNr(), loc.getColumnNr()) + ": " + message;
      }
      return message;
    }
    return oneLine(String.valueOf(e.getMessage()));
  }

  private static String position(int line, int column) {
    return "line " + line + ", column " + column;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }

  private static String oneLine(String s) {
    return s.replace("\r", "").replace('\n', ' ').trim();
  }
}
