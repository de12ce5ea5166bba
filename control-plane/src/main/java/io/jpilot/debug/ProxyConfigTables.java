package io.jpilot.debug;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** Short, istioctl-like tables of what a proxy is (or would be) sent. */
public final class ProxyConfigTables {
  private ProxyConfigTables() {}

  public static String clusters(SortedMap<String, Message> clusters) {
    Table t = new Table("SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "DESTINATION RULE");
    List<Message> sorted = new ArrayList<>(clusters.values());
    // istioctl's order: by service, then port, then subset (the default cluster first)
    sorted.sort(Comparator.comparing(m -> clusterSortKey(((Cluster) m).getName())));
    for (Message m : sorted) {
      Cluster c = (Cluster) m;
      String[] parts = c.getName().split("\\|", -1);
      String type =
          c.hasClusterType() ? c.getClusterType().getName() : c.getType().name();
      String dr = configRef(c.getMetadata(), "destination-rule");
      if (parts.length == 4) {
        t.row(
            parts[3].isEmpty() ? "-" : parts[3],
            parts[1],
            parts[2].isEmpty() ? "-" : parts[2],
            parts[0],
            type,
            dr);
      } else {
        t.row(c.getName(), "-", "-", "-", type, dr);
      }
    }
    return t.render();
  }

  private static String clusterSortKey(String name) {
    String[] p = name.split("\\|", -1);
    if (p.length != 4) {
      return name;
    }
    return p[3] + "|" + String.format("%05d", Integer.parseInt(p[1])) + "|" + p[2] + "|" + p[0];
  }

  public static String listeners(SortedMap<String, Message> listeners) {
    Table t = new Table("NAME", "ADDRESSES", "PORT", "MATCH", "DESTINATION");
    for (Message m : listeners.values()) {
      Listener l = (Listener) m;
      String address = "-";
      String port = "-";
      if (l.getAddress().hasSocketAddress()) {
        SocketAddress sa = l.getAddress().getSocketAddress();
        address = sa.getAddress();
        port = Integer.toString(sa.getPortValue());
      }
      if (l.hasApiListener()) {
        t.row(l.getName(), "-", "-", "ALL", destination(unpackHcm(l.getApiListener().getApiListener())));
        continue;
      }
      if (l.getFilterChainsCount() == 0) {
        t.row(l.getName(), address, port, "ALL", "-");
      }
      for (FilterChain fc : l.getFilterChainsList()) {
        String match = fc.hasFilterChainMatch() && fc.getFilterChainMatch().hasDestinationPort()
            ? "port=" + fc.getFilterChainMatch().getDestinationPort().getValue()
            : "ALL";
        t.row(l.getName(), address, port, match, destination(fc));
      }
    }
    return t.render();
  }

  public static String routes(SortedMap<String, Message> routes) {
    Table t = new Table("NAME", "VHOST NAME", "DOMAINS", "MATCH", "DESTINATION", "VIRTUAL SERVICE");
    for (Message m : routes.values()) {
      RouteConfiguration rc = (RouteConfiguration) m;
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        String domains = domains(vh.getDomainsList());
        if (vh.getRoutesCount() == 0) {
          t.row(rc.getName(), vh.getName(), domains, "-", "404", "-");
        }
        for (Route r : vh.getRoutesList()) {
          t.row(
              rc.getName(),
              vh.getName(),
              domains,
              match(r.getMatch()),
              routeDestination(r),
              configRef(r.getMetadata(), "virtual-service"));
        }
      }
    }
    return t.render();
  }

  public static String endpoints(SortedMap<String, Message> endpoints) {
    Table t = new Table("ENDPOINT", "STATUS", "LOCALITY", "WEIGHT", "CLUSTER");
    for (Message m : endpoints.values()) {
      ClusterLoadAssignment cla = (ClusterLoadAssignment) m;
      for (LocalityLbEndpoints lle : cla.getEndpointsList()) {
        String locality = lle.getLocality().getRegion() + "/" + lle.getLocality().getZone() + "/"
            + lle.getLocality().getSubZone();
        for (LbEndpoint e : lle.getLbEndpointsList()) {
          SocketAddress sa = e.getEndpoint().getAddress().getSocketAddress();
          t.row(
              sa.getAddress() + ":" + sa.getPortValue(),
              e.getHealthStatus().name().equals("UNKNOWN") ? "HEALTHY" : e.getHealthStatus().name(),
              locality,
              Integer.toString(e.hasLoadBalancingWeight() ? e.getLoadBalancingWeight().getValue() : 1),
              cla.getClusterName());
        }
      }
    }
    return t.render();
  }

  private static String domains(List<String> domains) {
    if (domains.isEmpty()) {
      return "-";
    }
    if (domains.size() <= 2) {
      return String.join(", ", domains);
    }
    return domains.get(0) + ", " + domains.get(1) + " +" + (domains.size() - 2) + " more";
  }

  private static String match(RouteMatch m) {
    String path;
    switch (m.getPathSpecifierCase()) {
      case PREFIX:
        path = m.getPrefix().equals("/") ? "/*" : m.getPrefix() + "*";
        break;
      case PATH:
        path = m.getPath();
        break;
      case SAFE_REGEX:
        path = "~" + m.getSafeRegex().getRegex();
        break;
      default:
        path = "/*";
    }
    StringBuilder sb = new StringBuilder(path);
    m.getHeadersList().forEach(h -> sb.append(" [").append(h.getName()).append(']'));
    return sb.toString();
  }

  private static String routeDestination(Route r) {
    if (r.hasRedirect()) {
      return "redirect";
    }
    if (r.hasDirectResponse()) {
      return "direct " + r.getDirectResponse().getStatus();
    }
    if (!r.hasRoute()) {
      return "-";
    }
    if (r.getRoute().hasWeightedClusters()) {
      List<String> parts = new ArrayList<>();
      r.getRoute().getWeightedClusters().getClustersList().forEach(
          c -> parts.add(c.getName() + " " + c.getWeight().getValue()));
      return String.join(", ", parts);
    }
    return r.getRoute().getCluster();
  }

  private static String destination(FilterChain fc) {
    for (Filter f : fc.getFiltersList()) {
      if (!f.hasTypedConfig()) {
        continue;
      }
      try {
        if (f.getTypedConfig().is(HttpConnectionManager.class)) {
          return destination(f.getTypedConfig().unpack(HttpConnectionManager.class));
        }
        if (f.getTypedConfig().is(TcpProxy.class)) {
          return "Cluster: " + f.getTypedConfig().unpack(TcpProxy.class).getCluster();
        }
      } catch (InvalidProtocolBufferException e) {
        return "?";
      }
    }
    return "-";
  }

  private static String destination(HttpConnectionManager hcm) {
    if (hcm == null) {
      return "-";
    }
    if (hcm.hasRds()) {
      return "Route: " + hcm.getRds().getRouteConfigName();
    }
    return hcm.hasRouteConfig() ? "Inline Route: " + hcm.getRouteConfig().getName() : "-";
  }

  private static HttpConnectionManager unpackHcm(com.google.protobuf.Any any) {
    try {
      return any.is(HttpConnectionManager.class) ? any.unpack(HttpConnectionManager.class) : null;
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }

  /** "name.namespace" from istio.config metadata ("/apis/.../namespaces/ns/kind/name"), or "-". */
  private static String configRef(Metadata md, String kind) {
    var istio = md.getFilterMetadataMap().get("istio");
    if (istio == null) {
      return "-";
    }
    Value v = istio.getFieldsMap().get("config");
    if (v == null || !v.hasStringValue()) {
      return "-";
    }
    String[] p = v.getStringValue().split("/");
    // /apis/networking.istio.io/v1/namespaces/<ns>/<kind>/<name>
    if (p.length >= 8 && p[6].equals(kind)) {
      return p[7] + "." + p[5];
    }
    return v.getStringValue();
  }

  /** A left-aligned text table with two spaces between columns. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... header) {
      this.columns = header.length;
      rows.add(header);
    }

    void row(String... cells) {
      if (cells.length != columns) {
        throw new IllegalArgumentException("cells: " + cells.length + " (expected: " + columns + ")");
      }
      rows.add(cells);
    }

    String render() {
      int[] width = new int[columns];
      for (String[] r : rows) {
        for (int i = 0; i < columns; i++) {
          width[i] = Math.max(width[i], r[i].length());
        }
      }
      StringBuilder sb = new StringBuilder();
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < columns; i++) {
          line.append(r[i]);
          if (i < columns - 1) {
            line.append(" ".repeat(width[i] - r[i].length() + 2));
          }
        }
        sb.append(line.toString().stripTrailing()).append('\n');
      }
      return sb.toString();
    }
  }

}
