package io.jpilot.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.push.ResourceGenerator;
import io.jpilot.translate.XdsType;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Small real Envoy resources from a snapshot, each a pure function of what it reads: CDS, LDS and
 * RDS read the services only, EDS reads the endpoints only. So a service change alters CDS, LDS and
 * RDS; an endpoint change alters EDS alone.
 */
final class TestGenerator implements ResourceGenerator {
  /** Characters added to every cluster of {@link #paddedNodeId}, to make its responses big. */
  volatile int clusterPadding;

  volatile String paddedNodeId = "";

  /** When set, EDS leaves out the names of services that do not exist (instead of empty ones). */
  volatile boolean unknownEndpointsOmitted;

  static String clusterName(String host) {
    return "outbound|80||" + host;
  }

  @Override
  public SortedMap<String, Message> generate(
      MeshSnapshot snapshot, ProxyView proxy, XdsType type, Set<String> names) {
    SortedMap<String, Message> out = new TreeMap<>();
    switch (type) {
      case CLUSTER:
        for (String host : snapshot.services().keySet()) {
          String name = clusterName(host);
          out.put(
              name,
              Cluster.newBuilder()
                  .setName(name)
                  .setType(Cluster.DiscoveryType.EDS)
                  .setAltStatName(
                      proxy.nodeId().equals(paddedNodeId) ? "x".repeat(clusterPadding) : "")
                  .build());
        }
        break;
      case ENDPOINT:
        for (String name : names) {
          String host = name.substring(name.lastIndexOf('|') + 1);
          if (unknownEndpointsOmitted && !snapshot.services().containsKey(host)) {
            continue;
          }
          LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder();
          for (io.jpilot.model.registry.Endpoint e : snapshot.endpoints(host)) {
            locality.addLbEndpoints(
                LbEndpoint.newBuilder()
                    .setEndpoint(
                        Endpoint.newBuilder()
                            .setAddress(
                                Address.newBuilder()
                                    .setSocketAddress(
                                        SocketAddress.newBuilder()
                                            .setAddress(e.address())
                                            .setPortValue(e.port())))));
          }
          ClusterLoadAssignment.Builder cla =
              ClusterLoadAssignment.newBuilder().setClusterName(name);
          if (locality.getLbEndpointsCount() > 0) {
            cla.addEndpoints(locality);
          }
          out.put(name, cla.build());
        }
        break;
      case LISTENER:
        for (String host : snapshot.services().keySet()) {
          String name = host + "_80";
          out.put(name, Listener.newBuilder().setName(name).setStatPrefix(host).build());
        }
        break;
      case ROUTE:
        for (String name : names) {
          RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName(name);
          for (String host : snapshot.services().keySet()) {
            rc.addVirtualHosts(VirtualHost.newBuilder().setName(host + ":80").addDomains(host));
          }
          out.put(name, rc.build());
        }
        break;
      default:
        throw new IllegalArgumentException("type: " + type);
    }
    if (!names.isEmpty() && !type.namedByParent()) {
      out.keySet().retainAll(names);
    }
    return out;
  }
}
