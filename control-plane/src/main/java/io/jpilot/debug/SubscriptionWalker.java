package io.jpilot.debug;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.translate.Translator;
import io.jpilot.translate.XdsType;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Computes everything a proxy would end up subscribed to, the way a client walks xDS: listeners,
 * then the route configs they name, then clusters (all for Envoy; for proxyless gRPC only those the
 * routes name), then the endpoints of EDS clusters. Used by {@code proxy-config} without a server.
 */
public final class SubscriptionWalker {
  private SubscriptionWalker() {}

  /**
   * @param listenerNames for proxyless gRPC, the {@code host:port} targets the client dials;
   *     ignored (wildcard) for Envoy
   */
  public static Map<XdsType, SortedMap<String, Message>> walk(
      Translator translator, MeshSnapshot snapshot, ProxyView proxy, Set<String> listenerNames) {
    Map<XdsType, SortedMap<String, Message>> out = new EnumMap<>(XdsType.class);
    boolean grpc = proxy.isProxylessGrpc();
    SortedMap<String, Message> listeners =
        translator.generate(snapshot, proxy, XdsType.LISTENER, grpc ? listenerNames : Set.of());
    Set<String> routeNames = new TreeSet<>();
    for (Message m : listeners.values()) {
      Listener l = (Listener) m;
      if (l.hasApiListener()) {
        addRds(l.getApiListener().getApiListener(), routeNames);
      }
      for (FilterChain fc : l.getFilterChainsList()) {
        for (Filter f : fc.getFiltersList()) {
          if (f.hasTypedConfig()) {
            addRds(f.getTypedConfig(), routeNames);
          }
        }
      }
    }
    SortedMap<String, Message> routes =
        routeNames.isEmpty()
            ? new java.util.TreeMap<>()
            : translator.generate(snapshot, proxy, XdsType.ROUTE, routeNames);
    Set<String> clusterNames = new TreeSet<>();
    if (grpc) {
      for (Message m : routes.values()) {
        for (VirtualHost vh : ((RouteConfiguration) m).getVirtualHostsList()) {
          for (Route r : vh.getRoutesList()) {
            if (r.hasRoute()) {
              if (!r.getRoute().getCluster().isEmpty()) {
                clusterNames.add(r.getRoute().getCluster());
              }
              for (WeightedCluster.ClusterWeight cw :
                  r.getRoute().getWeightedClusters().getClustersList()) {
                clusterNames.add(cw.getName());
              }
            }
          }
        }
      }
    }
    SortedMap<String, Message> clusters =
        grpc && clusterNames.isEmpty()
            ? new java.util.TreeMap<>()
            : translator.generate(snapshot, proxy, XdsType.CLUSTER, clusterNames);
    Set<String> edsNames = new TreeSet<>();
    for (Message m : clusters.values()) {
      Cluster c = (Cluster) m;
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        String service = c.getEdsClusterConfig().getServiceName();
        edsNames.add(service.isEmpty() ? c.getName() : service);
      }
    }
    SortedMap<String, Message> endpoints =
        edsNames.isEmpty()
            ? new java.util.TreeMap<>()
            : translator.generate(snapshot, proxy, XdsType.ENDPOINT, edsNames);
    out.put(XdsType.CLUSTER, clusters);
    out.put(XdsType.ENDPOINT, endpoints);
    out.put(XdsType.LISTENER, listeners);
    out.put(XdsType.ROUTE, routes);
    return out;
  }

  private static void addRds(Any any, Set<String> routeNames) {
    if (!any.is(HttpConnectionManager.class)) {
      return;
    }
    try {
      HttpConnectionManager hcm = any.unpack(HttpConnectionManager.class);
      if (hcm.hasRds()) {
        routeNames.add(hcm.getRds().getRouteConfigName());
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("translator produced an unreadable HttpConnectionManager", e);
    }
  }
}
