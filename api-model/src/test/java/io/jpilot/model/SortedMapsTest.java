package io.jpilot.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SortedMapsTest {
  @Test
  void ofGivesTheTreeMapOfTheMapWhateverItsOrder() {
    LinkedHashMap<String, Integer> ascending = new LinkedHashMap<>();
    ascending.put("a", 1);
    ascending.put("b", 2);
    ascending.put("c", 3);
    LinkedHashMap<String, Integer> shuffled = new LinkedHashMap<>();
    shuffled.put("b", 2);
    shuffled.put("c", 3);
    shuffled.put("a", 1);
    for (Map<String, Integer> m : List.of(ascending, shuffled, Map.<String, Integer>of())) {
      TreeMap<String, Integer> built = SortedMaps.of(m);
      assertThat(built).isEqualTo(new TreeMap<>(m));
      assertThat(List.copyOf(built.keySet())).containsExactlyElementsOf(new TreeMap<>(m).keySet());
      built.put("0", 0); // a real, mutable TreeMap
      assertThat(built.firstKey()).isEqualTo("0");
    }
  }

  @Test
  void ofAscendingKeepsTheLastOfEqualKeysAndRejectsDisorder() {
    List<Map.Entry<String, Integer>> entries =
        List.of(Map.entry("a", 1), Map.entry("b", 2), Map.entry("b", 3), Map.entry("c", 4));
    TreeMap<String, Integer> expected = new TreeMap<>();
    entries.forEach(e -> expected.put(e.getKey(), e.getValue()));
    assertThat(SortedMaps.ofAscending(entries)).isEqualTo(expected).containsEntry("b", 3);
    assertThatThrownBy(() -> SortedMaps.ofAscending(List.of(Map.entry("b", 1), Map.entry("a", 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected: ascending keys");
  }
}
