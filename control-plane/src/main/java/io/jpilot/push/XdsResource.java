package io.jpilot.push;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hashing;
import com.google.protobuf.Any;
import com.google.protobuf.Message;

/**
 * One generated resource, packed once: every proxy it is sent to shares the same serialized bytes.
 *
 * @param name the resource name
 * @param message the resource
 * @param any the resource packed for a DiscoveryResponse / delta Resource
 * @param version a digest of the serialized resource: equal versions mean equal bytes
 */
public record XdsResource(String name, Message message, Any any, String version) {
  public XdsResource {
    requireNonNull(name, "name");
    requireNonNull(message, "message");
    requireNonNull(any, "any");
    requireNonNull(version, "version");
  }

  /** Packs {@code message} and digests its bytes. Protobuf serialization is deterministic here. */
  public static XdsResource of(String name, Message message) {
    Any any = Any.pack(message);
    String version =
        Hashing.murmur3_128().hashBytes(any.getValue().asReadOnlyByteBuffer()).toString().substring(0, 16);
    return new XdsResource(name, message, any, version);
  }

  /** Serialized size of the packed resource. */
  public int size() {
    return any.getSerializedSize();
  }
}
