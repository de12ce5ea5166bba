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
import io.jpilot.envoy.EnvoyTypeRegistry;
import io.jpilot.translate.XdsType;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Builds {@code envoy.admin.v3.ConfigDump}, the format of Envoy's own {@code /config_dump}, from
 * the resources a proxy was sent, so that tools written for Envoy (istioctl proxy-config among
 * them) can read jpilot's output.
 */
public final class ConfigDumps {
  /** Every message type jpilot packs into an Any, so a dump can be read back. */
  private static final JsonFormat.TypeRegistry READABLE_TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(ClustersConfigDump.getDescriptor())
          .add(EndpointsConfigDump.getDescriptor())
          .add(ListenersConfigDump.getDescriptor())
          .add(RoutesConfigDump.getDescriptor())
          .add(io.envoyproxy.envoy.config.cluster.v3.Cluster.getDescriptor())
          .add(io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.getDescriptor())
          .add(io.envoyproxy.envoy.config.listener.v3.Listener.getDescriptor())
          .add(io.envoyproxy.envoy.config.route.v3.RouteConfiguration.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
                  .HttpConnectionManager.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.router.v3.Router.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate
                  .getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector
                  .getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector
                  .getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst
                  .getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
                  .getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer
                  .getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig
                  .getDescriptor())
          .build();

  private ConfigDumps() {}

  /** Reads a ConfigDump printed by {@link #toJson} (or by Envoy, for the types jpilot emits). */
  public static ConfigDump parse(String json) throws InvalidProtocolBufferException {
    ConfigDump.Builder b = ConfigDump.newBuilder();
    JsonFormat.parser().usingTypeRegistry(READABLE_TYPES).ignoringUnknownFields().merge(json, b);
    return b.build();
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
    for (Message m : resources.getOrDefault(XdsType.CLUSTER, Collections.emptySortedMap()).values()) {
      clusters.addDynamicActiveClusters(
          ClustersConfigDump.DynamicCluster.newBuilder().setVersionInfo(cv).setCluster(Any.pack(m)));
    }
    dump.addConfigs(Any.pack(clusters.build()));

    EndpointsConfigDump.Builder endpoints = EndpointsConfigDump.newBuilder();
    String ev = versions.getOrDefault(XdsType.ENDPOINT, "");
    for (Message m : resources.getOrDefault(XdsType.ENDPOINT, Collections.emptySortedMap()).values()) {
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
        resources.getOrDefault(XdsType.LISTENER, Collections.emptySortedMap()).entrySet()) {
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
    for (Message m : resources.getOrDefault(XdsType.ROUTE, Collections.emptySortedMap()).values()) {
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
      return JsonFormat.printer()
          .usingTypeRegistry(EnvoyTypeRegistry.defaultRegistry().jsonTypeRegistry(List.of(message)))
          .print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName(), e);
    }
  }
}
