package io.jpilot.model.config;

import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One HTTPMatchRequest. Conditions are ANDed. Headers are kept sorted by name, as istiod sorts them.
 *
 * @param port 0 when unset
 */
public record HttpMatch(
    String name,
    Optional<StringMatch> uri,
    SortedMap<String, StringMatch> headers,
    int port,
    Map<String, String> sourceLabels,
    boolean ignoreUriCase) {
  public HttpMatch {
    name = name == null ? "" : name;
    uri = uri == null ? Optional.empty() : uri;
    headers = headers == null ? new TreeMap<>() : new TreeMap<>(headers);
    sourceLabels = sourceLabels == null ? Map.of() : Map.copyOf(sourceLabels);
  }

  @Override
  public SortedMap<String, StringMatch> headers() {
    return java.util.Collections.unmodifiableSortedMap(headers);
  }
}
