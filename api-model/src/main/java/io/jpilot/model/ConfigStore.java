package io.jpilot.model;

import io.jpilot.model.config.ConfigKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The current set of mesh objects, keyed by {@link ConfigKey}. Sources write to it; the push engine
 * copies it into an immutable {@link MeshSnapshot}. Writes report whether anything really changed,
 * so a re-list or a re-read of an unchanged file causes no push.
 */
public final class ConfigStore {
  private final Map<ConfigKey, MeshObject> objects = new ConcurrentHashMap<>();

  /** Stores {@code object}; returns false when an equal object was already stored. */
  public boolean put(MeshObject object) {
    Objects.requireNonNull(object, "object");
    MeshObject previous = objects.put(object.key(), object);
    return !object.equals(previous);
  }

  /** Removes the object; returns false when there was none. */
  public boolean remove(ConfigKey key) {
    return objects.remove(key) != null;
  }

  public MeshObject get(ConfigKey key) {
    return objects.get(key);
  }

  /** A point-in-time copy of every object, in no particular order. */
  public List<MeshObject> all() {
    return new ArrayList<>(objects.values());
  }

  public int size() {
    return objects.size();
  }
}
