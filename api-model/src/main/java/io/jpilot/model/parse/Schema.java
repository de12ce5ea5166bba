package io.jpilot.model.parse;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON shapes an API object's fields may hold: scalars, enums, messages (objects with known
 * fields), lists and maps. {@link SchemaChecker} walks a document against these shapes.
 */
final class Schema {
  private Schema() {}

  /** Anything a field can hold. */
  sealed interface Shape permits Scalar, EnumType, Message, ListOf, MapOf {
    /** "a string", "a StringMatch object", "a list of HTTPRoute objects", ... */
    String describe();

    /** The plural form used inside "a list of ...". */
    String describePlural();
  }

  /** JSON scalars as the protobuf JSON mapping and the Kubernetes CRD schema accept them. */
  enum Scalar implements Shape {
    STRING("a string", "strings"),
    BOOL("a boolean (true or false)", "booleans"),
    INT32("an integer", "integers"),
    UINT32("a non-negative integer", "non-negative integers"),
    UINT64("a non-negative integer", "non-negative integers"),
    DOUBLE("a number", "numbers"),
    DURATION("a duration string such as \"1.5s\", \"100ms\" or \"1m\"", "duration strings"),
    BYTES("a base64 string", "base64 strings"),
    INT_OR_STRING("an integer or a string", "integers or strings"),
    /** Anything at all (used for parts of objects that are not read, such as status). */
    ANY("any value", "values");

    private final String description;
    private final String plural;

    Scalar(String description, String plural) {
      this.description = description;
      this.plural = plural;
    }

    @Override
    public String describe() {
      return description;
    }

    @Override
    public String describePlural() {
      return plural;
    }
  }

  /** A protobuf enum, written as its value name (or, as protobuf JSON allows, its number). */
  record EnumType(String name, List<String> values) implements Shape {
    EnumType {
      requireNonNull(name, "name");
      values = List.copyOf(values);
    }

    static EnumType of(String name, String... values) {
      return new EnumType(name, Arrays.asList(values));
    }

    @Override
    public String describe() {
      return "one of " + String.join(", ", values);
    }

    @Override
    public String describePlural() {
      return name + " values";
    }
  }

  record ListOf(Shape element) implements Shape {
    ListOf {
      requireNonNull(element, "element");
    }

    @Override
    public String describe() {
      return "a list of " + element.describePlural();
    }

    @Override
    public String describePlural() {
      return "lists";
    }
  }

  record MapOf(Shape value) implements Shape {
    MapOf {
      requireNonNull(value, "value");
    }

    @Override
    public String describe() {
      return "a map of names to " + value.describePlural();
    }

    @Override
    public String describePlural() {
      return "maps";
    }
  }

  /**
   * One field of a message.
   *
   * @param deprecation a warning to give when the field is set, or empty
   * @param required whether the checker itself reports a missing value (Istio's required fields are
   *     left to the semantic checks, which use istiod's own texts)
   */
  record Field(String name, Shape shape, String deprecation, boolean required) {
    Field {
      requireNonNull(name, "name");
      requireNonNull(shape, "shape");
      requireNonNull(deprecation, "deprecation");
    }
  }

  /**
   * An object with known fields. A closed message (every Istio message) rejects unknown fields; an
   * open one (the parts of Kubernetes objects jpilot reads) accepts and ignores them.
   */
  static final class Message implements Shape {
    private final String name;
    private final Map<String, Field> fields;
    private final List<List<String>> oneofs;
    private final boolean open;
    private final String wrapHint;

    private Message(
        String name,
        Map<String, Field> fields,
        List<List<String>> oneofs,
        boolean open,
        String wrapHint) {
      this.name = name;
      this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
      this.oneofs = List.copyOf(oneofs);
      this.open = open;
      this.wrapHint = wrapHint;
    }

    static Builder builder(String name) {
      return new Builder(name);
    }

    String name() {
      return name;
    }

    Map<String, Field> fields() {
      return fields;
    }

    /** Groups of fields of which at most one may be set. */
    List<List<String>> oneofs() {
      return oneofs;
    }

    boolean open() {
      return open;
    }

    /**
     * How to write a scalar the user gave where this message belongs: a format with one {@code %s}
     * for the value, e.g. {@code {exact: %s}}; empty when there is no obvious rewrite.
     */
    String wrapHint() {
      return wrapHint;
    }

    /**
     * True when every field belongs to one oneof group (StringMatch: one of exact, prefix, regex).
     */
    boolean isPureOneof() {
      return oneofs.size() == 1 && oneofs.get(0).size() == fields.size();
    }

    @Override
    public String describe() {
      if (isPureOneof()) {
        return "a " + name + " object (one of " + String.join(", ", oneofs.get(0)) + ")";
      }
      return "a " + name + " object";
    }

    @Override
    public String describePlural() {
      return name + " objects";
    }

    @Override
    public String toString() {
      return name;
    }

    static final class Builder {
      private final String name;
      private final Map<String, Field> fields = new LinkedHashMap<>();
      private final List<List<String>> oneofs = new ArrayList<>();
      private boolean open;
      private String wrapHint = "";

      private Builder(String name) {
        this.name = requireNonNull(name, "name");
      }

      Builder field(String fieldName, Shape shape) {
        return add(new Field(fieldName, shape, "", false));
      }

      Builder required(String fieldName, Shape shape) {
        return add(new Field(fieldName, shape, "", true));
      }

      Builder deprecated(String fieldName, Shape shape, String warning) {
        return add(new Field(fieldName, shape, warning, false));
      }

      Builder list(String fieldName, Shape element) {
        return field(fieldName, new ListOf(element));
      }

      Builder map(String fieldName, Shape value) {
        return field(fieldName, new MapOf(value));
      }

      Builder oneof(String... names) {
        for (String n : names) {
          if (!fields.containsKey(n)) {
            throw new IllegalStateException(name + ": oneof names unknown field " + n);
          }
        }
        oneofs.add(List.of(names));
        return this;
      }

      Builder open() {
        this.open = true;
        return this;
      }

      Builder wrapHint(String format) {
        this.wrapHint = requireNonNull(format, "format");
        return this;
      }

      private Builder add(Field f) {
        if (fields.put(f.name(), f) != null) {
          throw new IllegalStateException(name + ": duplicate field " + f.name());
        }
        return this;
      }

      Message build() {
        return new Message(name, fields, oneofs, open, wrapHint);
      }
    }
  }
}
