package io.jpilot.translate;

import com.google.protobuf.Message;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.Set;
import java.util.SortedMap;

/**
 * Turns (mesh snapshot, proxy view) into Envoy resources of one type. A pure function: no I/O, no
 * clock, no hidden state. Output is sorted by resource name.
 */
public final class Translator {

  /**
   * @param requestedNames the names the proxy subscribed to; empty means "all" (wildcard)
   * @return resources by name, sorted
   */
  public SortedMap<String, Message> generate(
      MeshSnapshot snapshot, ProxyView proxy, XdsType type, Set<String> requestedNames) {
    throw new UnsupportedOperationException("not yet written");
  }
}
