package io.jpilot.debug;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.jpilot.translate.XdsType;
import java.util.Map;
import java.util.SortedMap;

/**
 * Builds {@code envoy.admin.v3.ConfigDump}, the format of Envoy's own {@code /config_dump}, from
 * the resources a proxy was sent, so that tools written for Envoy (istioctl proxy-config among
 * them) can read jpilot's output.
 */
public final class ConfigDumps {
  private static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(ConfigDump.getDescriptor())
          .add(ClustersConfigDump.getDescriptor())
          .add(ListenersConfigDump.getDescriptor())
          .add(RoutesConfigDump.getDescriptor())
          .add(EndpointsConfigDump.getDescriptor())
          .add(Cluster.getDescriptor())
          .add(ClusterLoadAssignment.getDescriptor())
          .add(Listener.getDescriptor())
          .add(RouteConfiguration.getDescriptor())
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .add(HTTPFault.getDescriptor())
          .add(TcpProxy.getDescriptor())
          .add(UpstreamTlsContext.getDescriptor())
          .add(HttpProtocolOptions.getDescriptor())
          .build();

  private ConfigDumps() {}

  /** The type registry that lets JSON printing expand every Any jpilot emits. */
  public static JsonFormat.TypeRegistry typeRegistry() {
    return TYPES;
  }

  /**
   * @param resources what was sent, per type
   * @param versions the version_info last sent per type (missing: empty)
   */
  public static ConfigDump build(
      Map<XdsType, SortedMap<String, Message>> resources, Map<XdsType, String> versions) {
    ConfigDump.Builder dump = ConfigDump.newBuilder();
    ClustersConfigDump.Builder clusters = ClustersConfigDump.newBuilder();
    String cv = versions.getOrDefault(XdsType.CLUSTER, "");
    clusters.setVersionInfo(cv);
    for (Message m : resources.getOrDefault(XdsType.CLUSTER, java.util.Collections.emptySortedMap()).values()) {
      clusters.addDynamicActiveClusters(
          ClustersConfigDump.DynamicCluster.newBuilder().setVersionInfo(cv).setCluster(Any.pack(m)));
    }
    dump.addConfigs(Any.pack(clusters.build()));

    EndpointsConfigDump.Builder endpoints = EndpointsConfigDump.newBuilder();
    String ev = versions.getOrDefault(XdsType.ENDPOINT, "");
    for (Message m : resources.getOrDefault(XdsType.ENDPOINT, java.util.Collections.emptySortedMap()).values()) {
      endpoints.addDynamicEndpointConfigs(
          EndpointsConfigDump.DynamicEndpointConfig.newBuilder()
              .setVersionInfo(ev)
              .setEndpointConfig(Any.pack(m)));
    }
    dump.addConfigs(Any.pack(endpoints.build()));

    ListenersConfigDump.Builder listeners = ListenersConfigDump.newBuilder();
    String lv = versions.getOrDefault(XdsType.LISTENER, "");
    listeners.setVersionInfo(lv);
    for (Map.Entry<String, Message> e :
        resources.getOrDefault(XdsType.LISTENER, java.util.Collections.emptySortedMap()).entrySet()) {
      listeners.addDynamicListeners(
          ListenersConfigDump.DynamicListener.newBuilder()
              .setName(e.getKey())
              .setActiveState(
                  ListenersConfigDump.DynamicListenerState.newBuilder()
                      .setVersionInfo(lv)
                      .setListener(Any.pack(e.getValue()))));
    }
    dump.addConfigs(Any.pack(listeners.build()));

    RoutesConfigDump.Builder routes = RoutesConfigDump.newBuilder();
    String rv = versions.getOrDefault(XdsType.ROUTE, "");
    for (Message m : resources.getOrDefault(XdsType.ROUTE, java.util.Collections.emptySortedMap()).values()) {
      routes.addDynamicRouteConfigs(
          RoutesConfigDump.DynamicRouteConfig.newBuilder()
              .setVersionInfo(rv)
              .setRouteConfig(Any.pack(m)));
    }
    dump.addConfigs(Any.pack(routes.build()));
    return dump.build();
  }

  /** Protobuf JSON, as Envoy's admin endpoint prints it. */
  public static String toJson(Message message) {
    try {
      return JsonFormat.printer().usingTypeRegistry(TYPES).print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName(), e);
    }
  }
}
