package io.jpilot.bench.load;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.MethodDescriptor;
import io.jpilot.translate.XdsType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What a simulated Envoy keeps from one {@code DiscoveryResponse}: its type, version, nonce,
 * serialized size and only the names it needs to subscribe further (EDS names of EDS clusters, RDS
 * names of HTTP connection managers), plus the endpoint counts of one watched cluster. Read with a
 * wire-format scan straight from the gRPC stream, so no resource is ever materialized.
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
          return XdsReply.parse(stream.readAllBytes(), watch);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }

  static XdsReply parse(DiscoveryResponse response, Watch watch) {
    return parse(response.toByteArray(), watch);
  }

  static XdsReply parse(byte[] bytes, Watch watch) {
    try {
      return scan(bytes, watch);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed DiscoveryResponse: " + e.getMessage(), e);
    }
  }

  private static XdsReply scan(byte[] bytes, Watch watch) throws IOException {
    // DiscoveryResponse: version_info=1, resources=2 (Any), type_url=4, nonce=5.
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    String version = "";
    String typeUrl = "";
    String nonce = "";
    List<byte[]> resources = new ArrayList<>();
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> version = in.readStringRequireUtf8();
        case 2 -> resources.add(anyValue(in.readByteArray()));
        case 4 -> typeUrl = in.readStringRequireUtf8();
        case 5 -> nonce = in.readStringRequireUtf8();
        default -> in.skipField(tag);
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
      for (byte[] r : resources) {
        String eds = edsName(r);
        if (eds != null) {
          names.add(eds);
        }
      }
    } else if (type == XdsType.LISTENER) {
      for (byte[] r : resources) {
        routeNames(r, names);
      }
    } else if (type == XdsType.ENDPOINT && !watch.clusterName().isEmpty()) {
      for (byte[] r : resources) {
        int[] counts = endpointCounts(r, watch);
        if (counts != null) {
          total = Math.max(total, 0) + counts[0];
          marked = Math.max(marked, 0) + counts[1];
        }
      }
    }
    return new XdsReply(
        type, typeUrl, version, nonce, bytes.length, List.copyOf(names), total, marked);
  }

  /** Any: type_url=1, value=2. */
  private static byte[] anyValue(byte[] any) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(any);
    byte[] value = new byte[0];
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (WireFormat.getTagFieldNumber(tag) == 2) {
        value = in.readByteArray();
      } else {
        in.skipField(tag);
      }
    }
    return value;
  }

  /**
   * Cluster: name=1, type=2 (EDS=3), eds_cluster_config=3 (service_name=2). The EDS resource name
   * is the service name when set, else the cluster name; null for clusters of other types.
   */
  static String edsName(byte[] cluster) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(cluster);
    String name = "";
    String serviceName = "";
    boolean eds = false;
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> name = in.readStringRequireUtf8();
        case 2 -> eds = in.readEnum() == 3;
        case 3 -> serviceName = stringField(in.readByteArray(), 2);
        default -> in.skipField(tag);
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
  static void routeNames(byte[] listener, TreeSet<String> out) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(listener);
    int tag;
    while ((tag = in.readTag()) != 0) {
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == 3 || field == 25) {
        filterChainRoutes(in.readByteArray(), out);
      } else {
        in.skipField(tag);
      }
    }
  }

  private static void filterChainRoutes(byte[] chain, TreeSet<String> out) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(chain);
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (WireFormat.getTagFieldNumber(tag) == 3) {
        byte[] typedConfig = bytesField(in.readByteArray(), 4);
        if (typedConfig != null && HCM_TYPE_URL.equals(stringField(typedConfig, 1))) {
          byte[] rds = bytesField(bytesField(typedConfig, 2), 3);
          if (rds != null) {
            String route = stringField(rds, 2);
            if (!route.isEmpty()) {
              out.add(route);
            }
          }
        }
      } else {
        in.skipField(tag);
      }
    }
  }

  /**
   * ClusterLoadAssignment: cluster_name=1, endpoints=2; LocalityLbEndpoints: lb_endpoints=2;
   * LbEndpoint: endpoint=1; Endpoint: address=1; Address: socket_address=1; SocketAddress:
   * address=2. Returns {total, marked}, or null when this is not the watched cluster.
   */
  static int[] endpointCounts(byte[] cla, Watch watch) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(cla);
    List<byte[]> localities = new ArrayList<>();
    String name = "";
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> name = in.readStringRequireUtf8();
        case 2 -> localities.add(in.readByteArray());
        default -> in.skipField(tag);
      }
    }
    if (!name.equals(watch.clusterName())) {
      return null;
    }
    int total = 0;
    int marked = 0;
    for (byte[] locality : localities) {
      CodedInputStream l = CodedInputStream.newInstance(locality);
      while ((tag = l.readTag()) != 0) {
        if (WireFormat.getTagFieldNumber(tag) == 2) {
          byte[] lbEndpoint = l.readByteArray();
          total++;
          byte[] socket = bytesField(bytesField(bytesField(lbEndpoint, 1), 1), 1);
          if (socket != null && stringField(socket, 2).startsWith(watch.markedPrefix())) {
            marked++;
          }
        } else {
          l.skipField(tag);
        }
      }
    }
    return new int[] {total, marked};
  }

  /** The last occurrence of a length-delimited field, or null (also when {@code message} is). */
  private static byte[] bytesField(byte[] message, int field) throws IOException {
    if (message == null) {
      return null;
    }
    CodedInputStream in = CodedInputStream.newInstance(message);
    byte[] found = null;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (WireFormat.getTagFieldNumber(tag) == field
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        found = in.readByteArray();
      } else {
        in.skipField(tag);
      }
    }
    return found;
  }

  private static String stringField(byte[] message, int field) throws IOException {
    byte[] b = bytesField(message, field);
    return b == null ? "" : new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }
}
