package io.jpilot.model.config;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Istio's HeaderOperations on a request or a response: {@code set} overwrites, {@code add} appends,
 * {@code remove} deletes. Maps are kept sorted by header name.
 */
public record HeaderOperations(
    SortedMap<String, String> set, SortedMap<String, String> add, List<String> remove) {
  public static final HeaderOperations EMPTY =
      new HeaderOperations(new TreeMap<>(), new TreeMap<>(), List.of());

  public HeaderOperations {
    set = Collections.unmodifiableSortedMap(new TreeMap<>(set == null ? Map.of() : set));
    add = Collections.unmodifiableSortedMap(new TreeMap<>(add == null ? Map.of() : add));
    remove = remove == null ? List.of() : List.copyOf(remove);
  }

  public boolean isEmpty() {
    return set.isEmpty() && add.isEmpty() && remove.isEmpty();
  }
}
