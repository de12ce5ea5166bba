package io.jpilot.model;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Builds {@link TreeMap}s from entries that are usually in key order already, in linear time: a
 * TreeMap copies a sorted map without comparing keys, where inserting entry by entry compares each
 * key about log n times.
 */
public final class SortedMaps {
  private SortedMaps() {}

  /**
   * @param entries ascending by key (natural order); of equal keys the last one wins, as with
   *     {@link TreeMap#put}
   * @throws IllegalArgumentException when they are out of order
   */
  public static <V> TreeMap<String, V> ofAscending(List<Map.Entry<String, V>> entries) {
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

  /**
   * {@code map} as a TreeMap: copied in linear time when its iteration order is ascending (as a
   * map filled in key order iterates), else inserted entry by entry.
   */
  public static <V> TreeMap<String, V> of(Map<String, V> map) {
    String last = null;
    for (String key : map.keySet()) {
      if (last != null && last.compareTo(key) >= 0) {
        return new TreeMap<>(map);
      }
      last = key;
    }
    return new TreeMap<>(new View<>(map.entrySet()));
  }

  /**
   * Just enough of a sorted map for TreeMap's copy constructor (size, entries in ascending order,
   * natural order); nothing else is ever called.
   */
  private static final class View<V> extends AbstractMap<String, V>
      implements SortedMap<String, V> {
    private final Collection<Map.Entry<String, V>> entries;

    View(Collection<Map.Entry<String, V>> entries) {
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
    public int size() {
      return entries.size();
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
      throw new UnsupportedOperationException();
    }

    @Override
    public String lastKey() {
      throw new UnsupportedOperationException();
    }
  }
}
