package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/** Identifies one config object: its kind (e.g. VirtualService), namespace and name. */
public record ConfigKey(String kind, String namespace, String name) implements Comparable<ConfigKey> {
  private static final Comparator<ConfigKey> ORDER =
      Comparator.comparing(ConfigKey::kind)
          .thenComparing(ConfigKey::namespace)
          .thenComparing(ConfigKey::name);

  public ConfigKey {
    requireNonNull(kind, "kind");
    requireNonNull(namespace, "namespace");
    requireNonNull(name, "name");
  }

  /**
   * Written out, with the 31-based combination over kind, namespace and name that Java 17 generates
   * for records (so hashed collections order keys as before): keys are hashed on hot paths, and the
   * generated method goes through a method-handle chain.
   */
  @Override
  public int hashCode() {
    return (31 * kind.hashCode() + namespace.hashCode()) * 31 + name.hashCode();
  }

  @Override
  public int compareTo(ConfigKey o) {
    return ORDER.compare(this, o);
  }

  /** {@code Kind ns/name}, the form used in diagnostics and logs. */
  @Override
  public String toString() {
    return namespace.isEmpty() ? kind + " " + name : kind + " " + namespace + "/" + name;
  }
}
