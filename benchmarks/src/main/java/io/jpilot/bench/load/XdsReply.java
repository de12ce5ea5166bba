package io.jpilot.bench.load;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.jpilot.translate.XdsType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * What a simulated Envoy keeps from one {@code DiscoveryResponse}: its type, version, nonce,
 * serialized size and only the names it needs to subscribe further (EDS names of EDS clusters, RDS
 * names of HTTP connection managers), plus the endpoint counts of one watched cluster. Read with a
 * wire-format scan of the received bytes, in place: no resource is materialized or copied, and an
 * EDS resource other than the watched cluster is skipped after its name.
 *
 * @param type the response's type (null when the type URL is not one of the four)
 * @param size serialized size in bytes
 * @param names EDS service names (CDS) or route names (LDS), sorted and distinct; empty otherwise
 * @param watchedTotal endpoints in the watched cluster's ClusterLoadAssignment; -1 when the response
 *     does not carry it
 * @param watchedMarked of those, endpoints whose address starts with the watched prefix
 */
record XdsReply(
    XdsType type,
    String typeUrl,
    String version,
    String nonce,
    int size,
    List<String> names,
    int watchedTotal,
    int watchedMarked) {

  static final String HCM_TYPE_URL =
      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

  /** Which ClusterLoadAssignment to inspect, and which address prefix marks an endpoint. */
  record Watch(String clusterName, String markedPrefix) {
    static final Watch NONE = new Watch("", "\u0000");
  }

  /** A gRPC marshaller that parses responses into {@link XdsReply}s for {@code watch}. */
  static MethodDescriptor.Marshaller<XdsReply> marshaller(Watch watch) {
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(XdsReply value) {
        throw new UnsupportedOperationException("responses are only received");
      }

      @Override
      public XdsReply parse(InputStream stream) {
        try {
          if (!(stream instanceof KnownLength)) {
            byte[] all = stream.readAllBytes();
            return XdsReply.parse(all, all.length, watch);
          }
          // gRPC's message streams know their length: read into this thread's scratch buffer,
          // which nothing keeps (names are decoded into strings), instead of allocating and
          // filling chunk after chunk for every response.
          int size = stream.available();
          byte[] buffer = SCRATCH.get();
          if (buffer.length < size) {
            buffer = new byte[Math.max(size, buffer.length * 2)];
            SCRATCH.set(buffer);
          }
          int read = stream.readNBytes(buffer, 0, size);
          if (read != size || stream.read() != -1) {
            throw new IOException("message stream of " + size + " bytes gave " + read);
          }
          return XdsReply.parse(buffer, size, watch);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  /** Per event-loop thread: the bytes of the response being parsed. */
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[1 << 16]);

  static XdsReply parse(DiscoveryResponse response, Watch watch) {
    byte[] bytes = response.toByteArray();
    return parse(bytes, bytes.length, watch);
  }

  /** Parses the first {@code length} bytes of {@code bytes}; keeps no reference to them. */
  static XdsReply parse(byte[] bytes, int length, Watch watch) {
    try {
      return scan(bytes, length, watch);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed DiscoveryResponse: " + e.getMessage(), e);
    }
  }

  private static XdsReply scan(byte[] bytes, int length, Watch watch) throws IOException {
    // DiscoveryResponse: version_info=1, resources=2 (Any), type_url=4, nonce=5. The resources
    // are only located here (offset and length of each Any's value); they are read in place
    // once the type is known, never copied.
    Wire in = new Wire(bytes, 0, length);
    String version = "";
    String typeUrl = "";
    String nonce = "";
    int[] resources = new int[16];
    int count = 0;
    int tag;
    while ((tag = in.tag()) != 0) {
      switch (tag >>> 3) {
        case 1 -> version = in.string(tag);
        case 2 -> {
          Wire any = in.message(tag);
          if (count * 2 + 2 > resources.length) {
            resources = Arrays.copyOf(resources, resources.length * 2);
          }
          // Any: type_url=1, value=2 (the last one counts; absent means empty)
          int valueStart = any.end;
          int valueEnd = any.end;
          int t;
          while ((t = any.tag()) != 0) {
            if (t >>> 3 == 2) {
              Wire value = any.message(t);
              valueStart = value.pos;
              valueEnd = value.end;
            } else {
              any.skip(t);
            }
          }
          resources[count * 2] = valueStart;
          resources[count * 2 + 1] = valueEnd;
          count++;
        }
        case 4 -> typeUrl = in.string(tag);
        case 5 -> nonce = in.string(tag);
        default -> in.skip(tag);
      }
    }
    XdsType type;
    try {
      type = XdsType.fromTypeUrl(typeUrl);
    } catch (RuntimeException e) {
      type = null;
    }
    TreeSet<String> names = new TreeSet<>();
    int total = -1;
    int marked = -1;
    if (type == XdsType.CLUSTER) {
      for (int i = 0; i < count; i++) {
        String eds = edsName(new Wire(bytes, resources[i * 2], resources[i * 2 + 1]));
        if (eds != null) {
          names.add(eds);
        }
      }
    } else if (type == XdsType.LISTENER) {
      for (int i = 0; i < count; i++) {
        routeNames(new Wire(bytes, resources[i * 2], resources[i * 2 + 1]), names);
      }
    } else if (type == XdsType.ENDPOINT && !watch.clusterName().isEmpty()) {
      byte[] watched = watch.clusterName().getBytes(StandardCharsets.UTF_8);
      byte[] prefix = watch.markedPrefix().getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < count; i++) {
        long counts =
            endpointCounts(new Wire(bytes, resources[i * 2], resources[i * 2 + 1]), watched, prefix);
        if (counts >= 0) {
          total = Math.max(total, 0) + (int) (counts >>> 32);
          marked = Math.max(marked, 0) + (int) counts;
        }
      }
    }
    return new XdsReply(
        type, typeUrl, version, nonce, length, List.copyOf(names), total, marked);
  }

  /**
   * Cluster: name=1, type=2 (EDS=3), eds_cluster_config=3 (service_name=2). The EDS resource name
   * is the service name when set, else the cluster name; null for clusters of other types.
   */
  private static String edsName(Wire in) throws IOException {
    String name = "";
    String serviceName = "";
    boolean eds = false;
    int tag;
    while ((tag = in.tag()) != 0) {
      switch (tag >>> 3) {
        case 1 -> name = in.string(tag);
        case 2 -> eds = in.varint(tag) == 3;
        case 3 -> {
          Wire config = in.message(tag);
          Wire last = config.lastField(2);
          serviceName = last == null ? "" : last.remaining();
        }
        default -> in.skip(tag);
      }
    }
    if (!eds) {
      return null;
    }
    return serviceName.isEmpty() ? name : serviceName;
  }

  /**
   * Listener: filter_chains=3, default_filter_chain=25; FilterChain: filters=3; Filter:
   * typed_config=4 (Any); HttpConnectionManager: rds=3; Rds: route_config_name=2.
   */
  private static void routeNames(Wire listener, TreeSet<String> out) throws IOException {
    int tag;
    while ((tag = listener.tag()) != 0) {
      int field = tag >>> 3;
      if (field == 3 || field == 25) {
        filterChainRoutes(listener.message(tag), out);
      } else {
        listener.skip(tag);
      }
    }
  }

  private static void filterChainRoutes(Wire chain, TreeSet<String> out) throws IOException {
    int tag;
    while ((tag = chain.tag()) != 0) {
      if (tag >>> 3 != 3) {
        chain.skip(tag);
        continue;
      }
      Wire typedConfig = chain.message(tag).lastField(4);
      if (typedConfig == null) {
        continue;
      }
      Wire url = typedConfig.copy().lastField(1);
      if (url == null || !HCM_TYPE_URL.equals(url.remaining())) {
        continue;
      }
      Wire hcm = typedConfig.lastField(2);
      Wire rds = hcm == null ? null : hcm.lastField(3);
      Wire route = rds == null ? null : rds.lastField(2);
      if (route != null && route.pos < route.end) {
        out.add(route.remaining());
      }
    }
  }

  /**
   * ClusterLoadAssignment: cluster_name=1, endpoints=2; LocalityLbEndpoints: lb_endpoints=2;
   * LbEndpoint: endpoint=1; Endpoint: address=1; Address: socket_address=1; SocketAddress:
   * address=2. Returns total endpoints in the high and marked ones in the low 32 bits, or -1 when
   * this is not the watched cluster (told by its name alone, before any endpoint is read).
   */
  private static long endpointCounts(Wire cla, byte[] watched, byte[] markedPrefix)
      throws IOException {
    Wire name = cla.copy().lastField(1);
    if (name == null ? watched.length != 0 : !name.contentEquals(watched)) {
      return -1;
    }
    long total = 0;
    long marked = 0;
    int tag;
    while ((tag = cla.tag()) != 0) {
      if (tag >>> 3 != 2) {
        cla.skip(tag);
        continue;
      }
      Wire locality = cla.message(tag);
      int t;
      while ((t = locality.tag()) != 0) {
        if (t >>> 3 != 2) {
          locality.skip(t);
          continue;
        }
        Wire lbEndpoint = locality.message(t);
        total++;
        Wire endpoint = lbEndpoint.lastField(1);
        Wire address = endpoint == null ? null : endpoint.lastField(1);
        Wire socket = address == null ? null : address.lastField(1);
        if (socket == null) {
          continue;
        }
        Wire ip = socket.lastField(2);
        if (ip == null ? markedPrefix.length == 0 : ip.startsWith(markedPrefix)) {
          marked++;
        }
      }
    }
    return total << 32 | marked;
  }

  /**
   * A cursor over one protobuf message held in a byte array, read in place: fields are walked by
   * tag, length-delimited values become cursors over their bytes, and nothing is copied except the
   * strings asked for.
   */
  static final class Wire {
    private final byte[] buf;
    private int pos;
    private final int end;

    Wire(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    /** The next tag, or 0 at the end of the message. */
    int tag() throws IOException {
      if (pos >= end) {
        return 0;
      }
      long tag = rawVarint();
      if (tag >>> 3 == 0 || tag > 0xFFFF_FFFFL) {
        throw new IOException("invalid tag " + tag);
      }
      return (int) tag;
    }

    long varint(int tag) throws IOException {
      expect(tag, 0);
      return rawVarint();
    }

    /** A length-delimited value as a cursor over its bytes (this cursor moves past it). */
    Wire message(int tag) throws IOException {
      expect(tag, 2);
      long length = rawVarint();
      if (length > end - pos) {
        throw new IOException("truncated: length " + length + " with " + (end - pos) + " left");
      }
      Wire value = new Wire(buf, pos, pos + (int) length);
      pos += (int) length;
      return value;
    }

    String string(int tag) throws IOException {
      return message(tag).remaining();
    }

    void skip(int tag) throws IOException {
      switch (tag & 7) {
        case 0 -> rawVarint();
        case 1 -> advance(8);
        case 2 -> message(tag);
        case 5 -> advance(4);
        default -> throw new IOException("unsupported wire type " + (tag & 7));
      }
    }

    /**
     * The last occurrence of length-delimited field {@code field}, or null; reads this cursor to
     * its end.
     */
    Wire lastField(int field) throws IOException {
      Wire found = null;
      int tag;
      while ((tag = tag()) != 0) {
        if (tag >>> 3 == field && (tag & 7) == 2) {
          found = message(tag);
        } else {
          skip(tag);
        }
      }
      return found;
    }

    Wire copy() {
      return new Wire(buf, pos, end);
    }

    String remaining() {
      return new String(buf, pos, end - pos, StandardCharsets.UTF_8);
    }

    boolean contentEquals(byte[] other) {
      return Arrays.equals(buf, pos, end, other, 0, other.length);
    }

    boolean startsWith(byte[] prefix) {
      return end - pos >= prefix.length
          && Arrays.equals(buf, pos, pos + prefix.length, prefix, 0, prefix.length);
    }

    private void advance(int n) throws IOException {
      if (n > end - pos) {
        throw new IOException("truncated");
      }
      pos += n;
    }

    private long rawVarint() throws IOException {
      long out = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new IOException("truncated varint");
        }
        byte b = buf[pos++];
        out |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return out;
        }
      }
      throw new IOException("malformed varint");
    }

    private static void expect(int tag, int wireType) throws IOException {
      if ((tag & 7) != wireType) {
        throw new IOException(
            "field " + (tag >>> 3) + ": wire type " + (tag & 7) + " (expected: " + wireType + ")");
      }
    }
  }
}
