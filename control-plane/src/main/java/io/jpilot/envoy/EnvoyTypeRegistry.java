package io.jpilot.envoy;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the descriptor of any message type carried in the Envoy API jar (envoy.*, xds.*, udpa.*,
 * google.protobuf.*) from its {@code google.protobuf.Any} type URL, so typed_config fields can be
 * unpacked without a hand-kept list of types.
 *
 * <p>The Java class is derived from the proto full name by the packages' fixed {@code java_package}
 * conventions; nested messages are tried as inner classes. Lookups are cached.
 */
public final class EnvoyTypeRegistry {
  private static final EnvoyTypeRegistry DEFAULT = new EnvoyTypeRegistry();

  private final ClassLoader loader;
  private final Map<String, Optional<Descriptor>> byFullName = new ConcurrentHashMap<>();

  private EnvoyTypeRegistry() {
    this.loader = EnvoyTypeRegistry.class.getClassLoader();
  }

  /** The registry over this class's class path. */
  public static EnvoyTypeRegistry defaultRegistry() {
    return DEFAULT;
  }

  /**
   * The descriptor for a type URL such as {@code
   * type.googleapis.com/envoy.config.cluster.v3.Cluster}.
   */
  public Optional<Descriptor> descriptorForTypeUrl(String typeUrl) {
    requireNonNull(typeUrl, "typeUrl");
    int slash = typeUrl.lastIndexOf('/');
    return descriptor(slash < 0 ? typeUrl : typeUrl.substring(slash + 1));
  }

  /** The descriptor for a proto full name such as {@code envoy.config.cluster.v3.Cluster}. */
  public Optional<Descriptor> descriptor(String fullName) {
    requireNonNull(fullName, "fullName");
    return byFullName.computeIfAbsent(fullName, this::load);
  }

  /**
   * Unpacks an Any into a dynamic message of its declared type.
   *
   * @throws IllegalArgumentException when the type is unknown or the bytes do not parse
   */
  public Message unpack(Any any) {
    Descriptor d =
        descriptorForTypeUrl(any.getTypeUrl())
            .orElseThrow(
                () -> new IllegalArgumentException("unknown Any type: " + any.getTypeUrl()));
    try {
      return DynamicMessage.parseFrom(d, any.getValue());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "Any of type " + any.getTypeUrl() + " does not parse: " + e.getMessage(), e);
    }
  }

  /**
   * A JSON type registry that knows every type packed in an Any anywhere inside {@code messages},
   * so {@link JsonFormat} can print them.
   */
  public JsonFormat.TypeRegistry jsonTypeRegistry(Iterable<? extends Message> messages) {
    Map<String, Descriptor> found = new TreeMap<>();
    for (Message m : messages) {
      collectAnyTypes(m, found);
    }
    JsonFormat.TypeRegistry.Builder b = JsonFormat.TypeRegistry.newBuilder();
    found.values().forEach(b::add);
    return b.build();
  }

  private void collectAnyTypes(Message m, Map<String, Descriptor> found) {
    if (m.getDescriptorForType().getFullName().equals(Any.getDescriptor().getFullName())) {
      Any any = m instanceof Any a ? a : toAny(m);
      Optional<Descriptor> d = descriptorForTypeUrl(any.getTypeUrl());
      if (d.isPresent()) {
        found.put(d.get().getFullName(), d.get());
        try {
          collectAnyTypes(DynamicMessage.parseFrom(d.get(), any.getValue()), found);
        } catch (InvalidProtocolBufferException e) {
          // printing will report the bad bytes
        }
      }
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.isRepeated()) {
        for (Object o : (List<?>) e.getValue()) {
          collectAnyTypes((Message) o, found);
        }
      } else {
        collectAnyTypes((Message) e.getValue(), found);
      }
    }
  }

  static Any toAny(Message m) {
    if (m instanceof Any a) {
      return a;
    }
    try {
      return Any.parseFrom(m.toByteString());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an Any: " + m, e);
    }
  }

  private Optional<Descriptor> load(String fullName) {
    for (String candidate : classNames(fullName)) {
      // try the outer class first, then each nested split: a.b.Outer.Inner -> a.b.Outer$Inner
      String name = candidate;
      while (true) {
        Optional<Descriptor> d = descriptorOf(name);
        if (d.isPresent() && d.get().getFullName().equals(fullName)) {
          return d;
        }
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
          break;
        }
        name = name.substring(0, dot) + '$' + name.substring(dot + 1);
      }
    }
    return Optional.empty();
  }

  private static List<String> classNames(String fullName) {
    List<String> out = new ArrayList<>();
    if (fullName.startsWith("google.protobuf.")) {
      out.add("com.google.protobuf." + fullName.substring("google.protobuf.".length()));
    } else if (fullName.startsWith("udpa.")) {
      out.add("com.github.udpa." + fullName);
    } else if (fullName.startsWith("xds.")) {
      out.add("com.github." + fullName);
    } else if (fullName.startsWith("validate.")) {
      out.add("io.envoyproxy.pgv." + fullName);
    } else {
      out.add("io.envoyproxy." + fullName);
    }
    return out;
  }

  private Optional<Descriptor> descriptorOf(String className) {
    try {
      Class<?> c = Class.forName(className, true, loader);
      if (!Message.class.isAssignableFrom(c)) {
        return Optional.empty();
      }
      Object d = c.getMethod("getDescriptor").invoke(null);
      return d instanceof Descriptor desc ? Optional.of(desc) : Optional.empty();
    } catch (ClassNotFoundException | LinkageError e) {
      return Optional.empty();
    } catch (ReflectiveOperationException e) {
      return Optional.empty();
    }
  }
}
