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
