package io.jpilot.push;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.translate.Translator;
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

  /**
   * {@code resource}, one this generator returned, serialized exactly as {@link
   * Message#toByteString()} would. A generator that shares parts between resources may write
   * them from bytes it remembers.
   */
  default ByteString encode(Message resource) {
    return resource.toByteString();
  }

  /**
   * {@code resource}, one this generator returned under {@code name}, packed: serialized as {@link
   * #encode} does and versioned as {@link io.jpilot.translate.ResourceVersions#of} does. A
   * generator that shares parts between resources may digest them from digests it remembers.
   */
  default XdsResource pack(String name, Message resource) {
    return XdsResource.of(name, resource, encode(resource));
  }

  /**
   * The resources of {@code translator}, serialized with its {@link Translator#encode} and packed
   * with its {@link Translator#encodeWithVersion}.
   */
  static ResourceGenerator of(Translator translator) {
    return new ResourceGenerator() {
      @Override
      public SortedMap<String, Message> generate(
          MeshSnapshot snapshot, ProxyView proxy, XdsType type, Set<String> requestedNames) {
        return translator.generate(snapshot, proxy, type, requestedNames);
      }

      @Override
      public ByteString encode(Message resource) {
        return translator.encode(resource);
      }

      @Override
      public XdsResource pack(String name, Message resource) {
        Translator.Encoded e = translator.encodeWithVersion(resource);
        return XdsResource.of(name, resource, e.bytes(), e.version());
      }
    };
  }
}
