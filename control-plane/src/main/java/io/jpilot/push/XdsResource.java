package io.jpilot.push;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.jpilot.translate.ResourceVersions;
import io.jpilot.translate.Translator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
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
 * @param version a digest of the serialized resource ({@link ResourceVersions}): equal bytes have
 *     equal versions, and equal versions mean equal bytes (but for a 64-bit hash collision)
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

  private static final String TYPE_URL_PREFIX = "type.googleapis.com/";

  private static String typeUrl(Message m) {
    return TYPE_URL_PREFIX + m.getDescriptorForType().getFullName();
  }

  /** Packs {@code message} and digests its bytes. Protobuf serialization is deterministic here. */
  public static XdsResource of(String name, Message message) {
    return of(name, message, message.toByteString());
  }

  /**
   * Packs {@code message}, given as {@code serialized} (what {@code message.toByteString()} returns,
   * possibly a rope over bytes shared with other resources), and digests those bytes ({@link
   * ResourceVersions#of}). The packed form is byte for byte {@code Any.pack(message).toByteString()}.
   */
  public static XdsResource of(String name, Message message, ByteString serialized) {
    return of(name, message, serialized, ResourceVersions.of(message, serialized));
  }

  /**
   * Packs {@code message}, serialized and versioned already: {@code version} must be what {@link
   * ResourceVersions#of} returns for {@code message} and {@code serialized} (a {@link
   * Translator#encodeWithVersion} result is), since equal versions stand for equal bytes.
   */
  public static XdsResource of(
      String name, Message message, ByteString serialized, String version) {
    String typeUrl = TYPE_URL_PREFIX + message.getDescriptorForType().getFullName();
    return new XdsResource(name, packed(typeUrl, serialized), version);
  }

  /**
   * Largest piece of a packed resource: large enough that a send writes few pieces, small enough
   * that no piece is a humongous object for G1 (half a region, at least 512 KiB).
   */
  static final int PIECE = 64 * 1024;

  /**
   * {@code google.protobuf.Any{type_url = 1, value = 2}} over {@code value}, copied into flat pieces
   * of at most {@link #PIECE} bytes. A route configuration's value arrives as a rope over thousands
   * of virtual hosts shared between views (ADR 7); written as is, every stream it is sent to would
   * walk those pieces and copy each one through protobuf's small output buffer. Copied once here,
   * per view and version, a send writes a few large pieces, each copied once into its frame.
   */
  private static ByteString packed(String typeUrl, ByteString value) {
    int headerSize = CodedOutputStream.computeStringSize(1, typeUrl);
    if (!value.isEmpty()) {
      headerSize += CodedOutputStream.computeTagSize(2) + CodedOutputStream.computeUInt32SizeNoTag(value.size());
    }
    int total = headerSize + value.size();
    byte[] first = new byte[Math.min(total, PIECE)];
    CodedOutputStream out = CodedOutputStream.newInstance(first, 0, headerSize);
    try {
      out.writeString(1, typeUrl);
      if (!value.isEmpty()) {
        out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(value.size());
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int copied = first.length - headerSize;
    value.substring(0, copied).copyTo(first, headerSize);
    if (copied == value.size()) {
      return UnsafeByteOperations.unsafeWrap(first);
    }
    List<ByteString> pieces = new ArrayList<>(1 + (value.size() - copied) / PIECE + 1);
    pieces.add(UnsafeByteOperations.unsafeWrap(first));
    while (copied < value.size()) {
      int n = Math.min(PIECE, value.size() - copied);
      byte[] piece = new byte[n];
      value.substring(copied, copied + n).copyTo(piece, 0);
      pieces.add(UnsafeByteOperations.unsafeWrap(piece));
      copied += n;
    }
    return ByteString.copyFrom(pieces); // a shallow rope over the pieces, not a copy
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
