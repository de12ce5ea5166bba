package io.jpilot.xds;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import java.util.HashMap;
import java.util.Map;

/** Reads a {@link ProxyView} from the Envoy {@link Node} of a stream's first request. */
final class ProxyNodes {
  private ProxyNodes() {}

  /**
   * The string fields of node.metadata are the metadata; its LABELS struct (string fields) the
   * labels; node.locality the locality.
   *
   * @throws IllegalArgumentException when the node id does not parse
   */
  static ProxyView parse(Node node) {
    Map<String, String> metadata = new HashMap<>();
    Map<String, String> labels = Map.of();
    for (Map.Entry<String, Value> e : node.getMetadata().getFieldsMap().entrySet()) {
      Value v = e.getValue();
      if (v.hasStringValue()) {
        metadata.put(e.getKey(), v.getStringValue());
      } else if (e.getKey().equals("LABELS") && v.hasStructValue()) {
        labels = strings(v.getStructValue());
      }
    }
    Locality locality = Locality.NONE;
    if (node.hasLocality()) {
      locality =
          new Locality(
              node.getLocality().getRegion(),
              node.getLocality().getZone(),
              node.getLocality().getSubZone());
    }
    return ProxyView.parse(node.getId(), metadata, labels, locality);
  }

  private static Map<String, String> strings(Struct struct) {
    Map<String, String> out = new HashMap<>();
    struct
        .getFieldsMap()
        .forEach(
            (k, v) -> {
              if (v.hasStringValue()) {
                out.put(k, v.getStringValue());
              }
            });
    return out;
  }
}
