package io.jpilot.push;

import com.google.protobuf.Message;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.translate.XdsType;
import java.util.Set;
import java.util.SortedMap;

/**
 * Generates the resources of one xDS type for one proxy. Production passes {@code new
 * Translator()::generate}; it must be a pure function of its arguments, since the server compares
 * its output with what it sent last to decide whether to send at all.
 */
@FunctionalInterface
public interface ResourceGenerator {

  /**
   * @param requestedNames the subscribed names; empty means all (wildcard CDS/LDS)
   * @return resources by name, sorted
   */
  SortedMap<String, Message> generate(
      MeshSnapshot snapshot, ProxyView proxy, XdsType type, Set<String> requestedNames);
}
