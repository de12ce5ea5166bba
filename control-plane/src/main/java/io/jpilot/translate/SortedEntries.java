package io.jpilot.translate;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds a {@link TreeMap} from entries already in key order in linear time (TreeMap copies a
 * sorted map without comparing keys), instead of one comparison-heavy insertion per entry.
 */
final class SortedEntries {
  private SortedEntries() {}

  /**
   * @param entries ascending by key (natural order); of equal keys the last one wins, as with
   *     {@link TreeMap#put}
   * @throws IllegalArgumentException when they are out of order
   */
  static <V> TreeMap<String, V> toTreeMap(List<Map.Entry<String, V>> entries) {
    List<Map.Entry<String, V>> distinct = new ArrayList<>(entries.size());
    for (Map.Entry<String, V> e : entries) {
      int last = distinct.size() - 1;
      int cmp = last < 0 ? 1 : e.getKey().compareTo(distinct.get(last).getKey());
      if (cmp < 0) {
        throw new IllegalArgumentException(
            "entries: " + e.getKey() + " after " + distinct.get(last).getKey()
                + " (expected: ascending keys)");
      }
      if (cmp == 0) {
        distinct.set(last, e);
      } else {
        distinct.add(e);
      }
    }
    return new TreeMap<>(new View<>(distinct));
  }

  /** Just enough of a sorted map for TreeMap's copy constructor: size, entries, comparator. */
  private static final class View<V> extends AbstractMap<String, V>
      implements SortedMap<String, V> {
    private final List<Map.Entry<String, V>> entries;

    View(List<Map.Entry<String, V>> entries) {
      this.entries = entries;
    }

    @Override
    public Set<Map.Entry<String, V>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public Iterator<Map.Entry<String, V>> iterator() {
          return entries.iterator();
        }

        @Override
        public int size() {
          return entries.size();
        }
      };
    }

    @Override
    public Comparator<? super String> comparator() {
      return null;
    }

    @Override
    public SortedMap<String, V> subMap(String fromKey, String toKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedMap<String, V> headMap(String toKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SortedMap<String, V> tailMap(String fromKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String firstKey() {
      return entries.get(0).getKey();
    }

    @Override
    public String lastKey() {
      return entries.get(entries.size() - 1).getKey();
    }
  }
}
