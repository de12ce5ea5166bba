package io.jpilot.model.registry;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import java.util.Map;

/** A Kubernetes Namespace and its labels. */
public record Namespace(String name, Map<String, String> labels) implements MeshObject {
  public static final String KIND = "Namespace";

  public Namespace {
    requireNonNull(name, "name");
    labels = Map.copyOf(labels);
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(KIND, "", name);
  }
}
