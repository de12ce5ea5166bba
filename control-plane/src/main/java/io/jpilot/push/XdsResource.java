package io.jpilot.push;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hashing;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Map;

/**
 * One generated resource, packed once: every proxy it is sent to shares the same serialized bytes.
 * Only the bytes are kept (a protobuf object graph takes several times the memory of its
 * encoding); {@link #message()} decodes them again for the debug views.
 *
 * @param name the resource name
 * @param encoded the resource packed in a {@code google.protobuf.Any}, serialized: what a
 *     DiscoveryResponse's {@code resources} field (and a delta Resource's {@code resource}) holds on
 *     the wire, written as is into every response
 * @param version a digest of the serialized resource: equal versions mean equal bytes
 */
public record XdsResource(String name, ByteString encoded, String version) {
  private static final Map<String, Class<? extends Message>> TYPES =
      Map.of(
          typeUrl(Cluster.getDefaultInstance()), Cluster.class,
          typeUrl(ClusterLoadAssignment.getDefaultInstance()), ClusterLoadAssignment.class,
          typeUrl(Listener.getDefaultInstance()), Listener.class,
          typeUrl(RouteConfiguration.getDefaultInstance()), RouteConfiguration.class);

  public XdsResource {
    requireNonNull(name, "name");
    requireNonNull(encoded, "encoded");
    requireNonNull(version, "version");
  }

  private static String typeUrl(Message m) {
    return "type.googleapis.com/" + m.getDescriptorForType().getFullName();
  }

  /** Packs {@code message} and digests its bytes. Protobuf serialization is deterministic here. */
  public static XdsResource of(String name, Message message) {
    Any any = Any.pack(message);
    String version =
        Hashing.murmur3_128()
            .hashBytes(any.getValue().asReadOnlyByteBuffer())
            .toString()
            .substring(0, 16);
    return new XdsResource(name, any.toByteString(), version);
  }

  /** The resource as an {@code Any} (decoded from {@link #encoded}). */
  public Any any() {
    try {
      return Any.parseFrom(encoded);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("resource " + name + ": undecodable", e);
    }
  }

  /** The resource, decoded from its bytes (for debug views; not on the push path). */
  public Message message() {
    Any any = any();
    Class<? extends Message> type = TYPES.get(any.getTypeUrl());
    if (type == null) {
      throw new IllegalStateException("resource " + name + ": unknown type " + any.getTypeUrl());
    }
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("resource " + name + ": undecodable", e);
    }
  }

  /** Serialized size of the packed resource. */
  public int size() {
    return encoded.size();
  }
}
