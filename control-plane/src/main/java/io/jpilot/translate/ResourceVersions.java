package io.jpilot.translate;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Message;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The version of a serialized resource: 16 hex digits, a function of the resource's type and bytes
 * alone, so equal bytes always get equal versions, and different bytes get different versions but
 * with the probability of a 64-bit hash collision.
 *
 * <p>Most resources are digested whole (the first 64 bits of murmur3_128 over the bytes). A route
 * configuration is digested by parts, so that one whose virtual hosts are shared between proxy
 * views costs a digest of its small parts only: its top-level records are cut into parts (every
 * virtual host record, field 2, a part of its own; every run of other records one part), each part
 * is digested (murmur3_128, 128 bits), and the version is murmur3_128 over the parts' digests and
 * sizes, in order. The cut is a function of the bytes (protobuf records parse one way only), so a
 * version computed from parts whose digests are remembered ({@link Parts}) is the one computed
 * from the bytes ({@link #of}); and since the parts, concatenated, are the bytes, different bytes
 * differ in some part or in the number of parts.
 */
public final class ResourceVersions {
  private ResourceVersions() {}

  /** The version of {@code resource}, serialized as {@code serialized}. */
  public static String of(Message resource, ByteString serialized) {
    if (resource instanceof RouteConfiguration) {
      return routeConfiguration(serialized);
    }
    Hasher hasher = Hashing.murmur3_128().newHasher();
    put(hasher, serialized);
    return hasher.hash().toString().substring(0, 16);
  }

  /** The 128-bit digest of one part of a route configuration. */
  static PartDigest part(ByteString bytes) {
    Hasher hasher = Hashing.murmur3_128().newHasher();
    put(hasher, bytes);
    HashCode h = hasher.hash();
    ByteBuffer b = ByteBuffer.wrap(h.asBytes());
    return new PartDigest(b.getLong(), b.getLong(), bytes.size());
  }

  /** The digests of a route configuration's parts, in order, gathered for {@link #version}. */
  static final class Parts {
    private static final int PART_BYTES = 20;
    private ByteBuffer buf;

    Parts(int expected) {
      buf = ByteBuffer.allocate(Math.max(1, expected) * PART_BYTES);
    }

    void add(PartDigest p) {
      if (buf.remaining() < PART_BYTES) {
        ByteBuffer more = ByteBuffer.allocate(buf.capacity() * 2);
        buf.flip();
        more.put(buf);
        buf = more;
      }
      buf.putLong(p.high()).putLong(p.low()).putInt(p.size());
    }

    /** murmur3_128 over the parts' digests and sizes (big-endian), its first 64 bits in hex. */
    String version() {
      return Hashing.murmur3_128().hashBytes(buf.array(), 0, buf.position()).toString().substring(0, 16);
    }
  }

  /** One part's digest and size. */
  record PartDigest(long high, long low, int size) {}

  private static String routeConfiguration(ByteString serialized) {
    Parts parts = new Parts(16);
    CodedInputStream in = serialized.newCodedInput();
    int runStart = -1; // start of the current run of records other than virtual hosts
    try {
      while (true) {
        int start = in.getTotalBytesRead();
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        if (WireFormat.getTagFieldNumber(tag) == 2) {
          if (runStart >= 0) {
            parts.add(part(serialized.substring(runStart, start)));
            runStart = -1;
          }
          in.skipField(tag);
          parts.add(part(serialized.substring(start, in.getTotalBytesRead())));
        } else {
          if (runStart < 0) {
            runStart = start;
          }
          in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("route configuration: unparseable bytes", e);
    }
    if (runStart >= 0) {
      parts.add(part(serialized.substring(runStart)));
    }
    return parts.version();
  }

  private static void put(Hasher hasher, ByteString bytes) {
    for (ByteBuffer b : bytes.asReadOnlyByteBufferList()) {
      hasher.putBytes(b);
    }
  }
}
