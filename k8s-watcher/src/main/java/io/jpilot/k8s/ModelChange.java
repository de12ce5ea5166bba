package io.jpilot.k8s;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.config.ConfigKey;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Objects that really changed in the {@link io.jpilot.model.ConfigStore} (written, replaced by a
 * different value, or removed), announced by a source after it updated the store.
 *
 * @param changed the keys of the changed objects, sorted; never empty
 * @param startNanos when the first of these changes was seen ({@link System#nanoTime()})
 */
public record ModelChange(Set<ConfigKey> changed, long startNanos) {
  public ModelChange {
    changed = Collections.unmodifiableSet(new TreeSet<>(requireNonNull(changed, "changed")));
    if (changed.isEmpty()) {
      throw new IllegalArgumentException("changed: [] (expected: at least one key)");
    }
  }
}
