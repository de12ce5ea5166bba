package io.jpilot.model.parse;

import io.jpilot.model.Durations;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.jpilot.model.parse.Schema.EnumType;
import io.jpilot.model.parse.Schema.Field;
import io.jpilot.model.parse.Schema.ListOf;
import io.jpilot.model.parse.Schema.MapOf;
import io.jpilot.model.parse.Schema.Message;
import io.jpilot.model.parse.Schema.Scalar;
import io.jpilot.model.parse.Schema.Shape;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a document against a {@link Schema} shape: unknown fields of closed messages, values of
 * the wrong type, more than one member of a oneof, missing required fields, deprecated fields.
 * Every finding names its field path.
 */
final class SchemaChecker {
  private static final BigInteger UINT32_MAX = BigInteger.valueOf(0xFFFF_FFFFL);
  private static final BigInteger UINT64_MAX =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /** Where each Istio field name is legal, for "did you mean to put it there?" hints. */
  private static final Map<String, List<String>> ISTIO_FIELD_LOCATIONS = indexIstioFields();

  /** Well-known fields from other systems whose Istio home is not found by name alone. */
  private static final Map<String, String> KNOWN_MISPLACEMENTS =
      Map.of(
          "circuitbreaker",
          "circuit breaking belongs in a DestinationRule:"
              + " trafficPolicy.connectionPool/outlierDetection",
          "circuitbreakers",
          "circuit breaking belongs in a DestinationRule:"
              + " trafficPolicy.connectionPool/outlierDetection",
          "circuitbreaking",
          "circuit breaking belongs in a DestinationRule:"
              + " trafficPolicy.connectionPool/outlierDetection",
          "loadbalancing",
          "load balancing belongs in a DestinationRule: trafficPolicy.loadBalancer",
          "retrypolicy",
          "retries belong to an HTTP route of a VirtualService: spec.http[].retries",
          "ratelimit",
          "Istio VirtualService and DestinationRule have no rate limit field; rate limits are set"
              + " with an EnvoyFilter or a mesh extension",
          "timeouts",
          "the request timeout is a field of an HTTP route of a VirtualService:"
              + " spec.http[].timeout");

  private final Problems problems;
  private final String kind;

  /**
   * @param kind the kind of the object being checked; hints about where a misplaced field belongs
   *     prefer places in the same kind
   */
  SchemaChecker(Problems problems, String kind) {
    this.problems = problems;
    this.kind = kind;
  }

  void check(JsonNode node, Shape shape, String path) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return;
    }
    if (shape instanceof Message m) {
      checkMessage(node, m, path);
    } else if (shape instanceof ListOf l) {
      checkList(node, l, path);
    } else if (shape instanceof MapOf m) {
      checkMap(node, m, path);
    } else if (shape instanceof EnumType e) {
      checkEnum(node, e, path);
    } else {
      checkScalar(node, (Scalar) shape, path);
    }
  }

  private void checkMessage(JsonNode node, Message m, String path) {
    if (!node.isObject()) {
      StringBuilder msg =
          new StringBuilder("expected ").append(m.describe()).append(", got ").append(got(node));
      if (!m.wrapHint().isEmpty() && node.isValueNode()) {
        msg.append("; write ").append(String.format(Locale.ROOT, m.wrapHint(), render(node)));
      }
      problems.error(path, msg.toString());
      return;
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String childPath = FieldPath.field(path, e.getKey());
      Field f = m.fields().get(e.getKey());
      if (f == null) {
        if (!m.open()) {
          problems.error(childPath, unknownField(m, e.getKey(), kind));
        }
        continue;
      }
      if (!f.deprecation().isEmpty() && !e.getValue().isNull()) {
        problems.warning(childPath, f.deprecation());
      }
      check(e.getValue(), f.shape(), childPath);
    }
    for (Field f : m.fields().values()) {
      if (f.required() && isUnset(node.get(f.name()))) {
        problems.error(FieldPath.field(path, f.name()), "required field is missing");
      }
    }
    for (List<String> group : m.oneofs()) {
      List<String> set = new ArrayList<>();
      for (String name : group) {
        if (!isUnset(node.get(name))) {
          set.add(name);
        }
      }
      if (set.size() > 1) {
        problems.error(
            path,
            "only one of "
                + String.join(", ", group)
                + " may be set in "
                + m.name()
                + "; got "
                + String.join(" and ", set));
      }
    }
  }

  private void checkList(JsonNode node, ListOf l, String path) {
    if (!node.isArray()) {
      StringBuilder msg =
          new StringBuilder("expected ").append(l.describe()).append(", got ").append(got(node));
      if (node.isValueNode()) {
        msg.append("; write [").append(render(node)).append(']');
      } else if (node.isObject()) {
        msg.append("; make it a list item by starting it with \"- \"");
      }
      problems.error(path, msg.toString());
      return;
    }
    for (int i = 0; i < node.size(); i++) {
      JsonNode e = node.get(i);
      String p = FieldPath.index(path, i);
      if (e.isNull()) {
        problems.error(p, "list items may not be null (expected " + l.element().describe() + ")");
      } else {
        check(e, l.element(), p);
      }
    }
  }

  private void checkMap(JsonNode node, MapOf m, String path) {
    if (!node.isObject()) {
      problems.error(path, "expected " + m.describe() + ", got " + got(node));
      return;
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String p = FieldPath.key(path, e.getKey());
      if (e.getValue().isNull()) {
        String msg = "expected " + m.value().describe() + ", got null";
        if (m.value() instanceof Message) {
          msg += "; write {} for an empty " + ((Message) m.value()).name();
        } else if (m.value() == Scalar.STRING) {
          msg += "; write \"\" for an empty string";
        }
        problems.error(p, msg);
      } else {
        check(e.getValue(), m.value(), p);
      }
    }
  }

  private void checkEnum(JsonNode node, EnumType e, String path) {
    if (node.isTextual()) {
      String v = node.textValue();
      if (e.values().contains(v)) {
        return;
      }
      StringBuilder msg =
          new StringBuilder("unknown value ")
              .append(render(node))
              .append(" for ")
              .append(e.name())
              .append(" (expected one of ")
              .append(String.join(", ", e.values()))
              .append(')');
      for (String known : e.values()) {
        if (known.equalsIgnoreCase(v)) {
          msg.append("; did you mean \"").append(known).append("\"?");
        }
      }
      problems.error(path, msg.toString());
      return;
    }
    if (node.isIntegralNumber()
        && node.bigIntegerValue().signum() >= 0
        && node.bigIntegerValue().compareTo(BigInteger.valueOf(e.values().size())) < 0) {
      return; // protobuf JSON also accepts an enum's number
    }
    problems.error(
        path,
        "expected one of "
            + String.join(", ", e.values())
            + " for "
            + e.name()
            + ", got "
            + got(node));
  }

  private void checkScalar(JsonNode node, Scalar s, String path) {
    switch (s) {
      case ANY:
        return;
      case STRING:
        if (!node.isTextual()) {
          String msg = "expected a string, got " + got(node);
          if (node.isValueNode()) {
            msg += "; quote it: \"" + node.asText() + "\"";
          }
          problems.error(path, msg);
        }
        return;
      case BOOL:
        if (!node.isBoolean()) {
          String msg = "expected a boolean (true or false), got " + got(node);
          if (node.isTextual()
              && (node.textValue().equals("true") || node.textValue().equals("false"))) {
            msg += "; remove the quotes";
          }
          problems.error(path, msg);
        }
        return;
      case INT32:
      case UINT32:
      case UINT64:
        checkInteger(node, s, path);
        return;
      case DOUBLE:
        if (!node.isNumber()) {
          problems.error(path, "expected a number, got " + got(node));
        }
        return;
      case DURATION:
        if (!node.isTextual()) {
          String msg = "expected " + s.describe() + ", got " + got(node);
          if (node.isNumber()) {
            msg += "; write \"" + node.asText() + "s\" for seconds";
          }
          problems.error(path, msg);
          return;
        }
        try {
          Durations.parse(node.textValue());
        } catch (IllegalArgumentException e) {
          problems.error(path, e.getMessage());
        }
        return;
      case BYTES:
        if (!node.isTextual() || !isBase64(node.textValue())) {
          problems.error(path, "expected a base64 string, got " + got(node));
        }
        return;
      case INT_OR_STRING:
        if (!node.isTextual() && !node.isIntegralNumber()) {
          problems.error(path, "expected an integer or a string, got " + got(node));
        }
        return;
      default:
        throw new AssertionError(s);
    }
  }

  private void checkInteger(JsonNode node, Scalar s, String path) {
    if (!node.isIntegralNumber()) {
      String msg = "expected " + s.describe() + ", got " + got(node);
      if (node.isTextual() && node.textValue().matches("-?[0-9]+")) {
        msg += "; remove the quotes";
      }
      problems.error(path, msg);
      return;
    }
    BigInteger v = node.bigIntegerValue();
    BigInteger min;
    BigInteger max;
    switch (s) {
      case INT32:
        min = BigInteger.valueOf(Integer.MIN_VALUE);
        max = BigInteger.valueOf(Integer.MAX_VALUE);
        break;
      case UINT32:
        min = BigInteger.ZERO;
        max = UINT32_MAX;
        break;
      default:
        min = BigInteger.ZERO;
        max = UINT64_MAX;
        break;
    }
    if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
      problems.error(path, "value " + v + " is out of range (expected: " + min + ".." + max + ")");
    }
  }

  private static boolean isBase64(String s) {
    try {
      Base64.getDecoder().decode(s);
      return true;
    } catch (IllegalArgumentException e) {
      try {
        Base64.getUrlDecoder().decode(s);
        return true;
      } catch (IllegalArgumentException e2) {
        return false;
      }
    }
  }

  static boolean isUnset(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode();
  }

  /** "string \"staging\"", "number 5", "a list", ... */
  static String got(JsonNode n) {
    if (n.isTextual()) {
      return "string " + new TextNode(n.textValue());
    }
    if (n.isNumber()) {
      return "number " + n.asText();
    }
    if (n.isBoolean()) {
      return "boolean " + n.asText();
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isObject()) {
      return "an object";
    }
    if (n.isNull()) {
      return "null";
    }
    return n.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** A scalar as it would be written back in YAML flow style: strings quoted. */
  static String render(JsonNode n) {
    return n.isTextual() ? new TextNode(n.textValue()).toString() : n.asText();
  }

  // ---- unknown field hints ------------------------------------------------------------------

  static String unknownField(Message m, String name, String kind) {
    String base = "unknown field \"" + name + "\"";
    String normalized = name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    String known = KNOWN_MISPLACEMENTS.get(normalized);
    if (known != null) {
      return base + "; " + known;
    }
    String camel = snakeToCamel(name);
    if (!camel.equals(name) && m.fields().containsKey(camel)) {
      return base + "; did you mean \"" + camel + "\"? (field names are camelCase)";
    }
    String close = closest(m, name);
    if (close != null) {
      return base + "; did you mean \"" + close + "\"?";
    }
    List<String> elsewhere = ISTIO_FIELD_LOCATIONS.getOrDefault(camel, List.of());
    List<String> sameKind = elsewhere.stream().filter(w -> w.startsWith(kind + " ")).toList();
    if (!sameKind.isEmpty()) {
      elsewhere = sameKind;
    }
    if (!elsewhere.isEmpty()) {
      return base
          + " in "
          + m.name()
          + "; \""
          + camel
          + "\" is a field of "
          + String.join(" and of ", elsewhere.subList(0, Math.min(2, elsewhere.size())));
    }
    return base + " (" + m.name() + " fields: " + String.join(", ", m.fields().keySet()) + ")";
  }

  private static String snakeToCamel(String name) {
    StringBuilder sb = new StringBuilder();
    boolean upper = false;
    for (char c : name.toCharArray()) {
      if (c == '_' || c == '-') {
        upper = sb.length() > 0;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }

  private static String closest(Message m, String name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String f : m.fields().keySet()) {
      if (f.equalsIgnoreCase(name)) {
        return f;
      }
      int d = editDistance(f.toLowerCase(Locale.ROOT), name.toLowerCase(Locale.ROOT));
      int limit = Math.min(f.length(), name.length()) <= 4 ? 1 : 2;
      if (d <= limit && d < bestDistance) {
        best = f;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** Breadth-first from both roots, so each field's shortest home comes first. */
  private static Map<String, List<String>> indexIstioFields() {
    Map<String, List<String>> index = new TreeMap<>();
    record Item(String kind, String path, Message message) {}
    Deque<Item> queue = new ArrayDeque<>();
    queue.add(new Item("VirtualService", "spec", IstioSchema.VIRTUAL_SERVICE));
    queue.add(new Item("DestinationRule", "spec", IstioSchema.DESTINATION_RULE));
    Map<Message, Boolean> seen = new IdentityHashMap<>();
    Set<String> added = new HashSet<>();
    while (!queue.isEmpty()) {
      Item item = queue.poll();
      if (seen.put(item.message(), Boolean.TRUE) != null) {
        continue;
      }
      for (Field f : item.message().fields().values()) {
        String p = item.path() + "." + f.name();
        Shape shape = f.shape();
        String suffix = "";
        while (shape instanceof ListOf || shape instanceof MapOf) {
          if (shape instanceof ListOf l) {
            shape = l.element();
            suffix += "[]";
          } else {
            shape = ((MapOf) shape).value();
            suffix += ".<name>";
          }
        }
        String where = item.kind() + " " + p;
        if (added.add(f.name() + "|" + where)) {
          index.computeIfAbsent(f.name(), k -> new ArrayList<>()).add(where);
        }
        if (shape instanceof Message child) {
          queue.add(new Item(item.kind(), p + suffix, child));
        }
      }
    }
    index.replaceAll(
        (k, v) -> {
          List<String> sorted = new ArrayList<>(v);
          sorted.sort(Comparator.comparingInt(String::length));
          return List.copyOf(sorted);
        });
    return index;
  }
}
