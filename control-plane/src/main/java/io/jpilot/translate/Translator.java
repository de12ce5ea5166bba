package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import com.google.protobuf.Message;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.config.Gateway;
import io.jpilot.model.config.GatewayServer;
import io.jpilot.model.config.ServerTls;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns (mesh snapshot, proxy view) into Envoy resources of one type. A pure function: no I/O, no
 * clock, no hidden state. Output is sorted by resource name.
 *
 * <p>Flavours: sidecars get istiod's outbound clusters, endpoints, listeners and port-named route
 * configurations; proxyless gRPC clients (GENERATOR=grpc) get what istiod's grpcgen serves. Routers
 * (gateways) get the sidecar clusters and endpoints, and the listeners and route configurations of
 * the Gateways that select them.
 *
 * <p>Every proxy first gets its {@link SidecarScope}: the per-type translators see a snapshot
 * narrowed to the services, VirtualServices and DestinationRules the proxy imports. Scopes are
 * remembered for the newest snapshot (see {@link SidecarScopeCache}). A translator made by {@link
 * #sharingVirtualHosts} also shares virtual hosts between proxy views ({@link VirtualHostCache}).
 * Neither cache ever changes an answer: each is keyed on everything its value is computed from.
 */
public final class Translator {
  private final ClusterTranslator clusters = new ClusterTranslator();
  private final EndpointTranslator endpoints = new EndpointTranslator();
  private final ListenerTranslator listeners = new ListenerTranslator();
  private final VirtualHostCache sharedHosts;
  private final RouteTranslator routes;
  private final GrpcGenerator grpc = new GrpcGenerator();
  private final GatewayListenerTranslator gatewayListeners = new GatewayListenerTranslator();
  private final GatewayRouteTranslator gatewayRoutes = new GatewayRouteTranslator();
  private final SidecarRoutes sidecarRoutes;
  private final SidecarScopeCache scopes;

  /** A translator with istiod's default mesh config (root namespace istio-system, ALLOW_ANY). */
  public Translator() {
    this(MeshConfig.DEFAULT);
  }

  public Translator(MeshConfig mesh) {
    this(mesh, null);
  }

  private Translator(MeshConfig mesh, VirtualHostCache sharedHosts) {
    this.scopes = new SidecarScopeCache(requireNonNull(mesh, "mesh"));
    this.sharedHosts = sharedHosts;
    this.routes = new RouteTranslator(sharedHosts);
    this.sidecarRoutes = new SidecarRoutes(routes);
  }

  /**
   * A translator for a push to many proxies: the virtual hosts of sidecar route configurations are
   * built once per distinct plan and shared between proxy views (see {@link VirtualHostCache}),
   * and {@link #encode} writes them from shared bytes. Output is the same as {@link
   * #Translator(MeshConfig)}'s, byte for byte; only the work differs.
   */
  public static Translator sharingVirtualHosts(MeshConfig mesh) {
    return new Translator(mesh, new VirtualHostCache());
  }

  /**
   * {@code resource} serialized, exactly as {@link Message#toByteString()} would; a route
   * configuration's shared virtual hosts are written from the bytes remembered for them.
   */
  public ByteString encode(Message resource) {
    requireNonNull(resource, "resource");
    if (sharedHosts != null && resource instanceof RouteConfiguration rc) {
      return sharedHosts.encode(rc);
    }
    return resource.toByteString();
  }

  /**
   * A resource serialized, with its version.
   *
   * @param bytes what {@link Message#toByteString()} returns for the resource
   * @param version {@link ResourceVersions#of} of the resource and {@code bytes}
   */
  public record Encoded(ByteString bytes, String version) {
    public Encoded {
      requireNonNull(bytes, "bytes");
      requireNonNull(version, "version");
    }
  }

  /**
   * {@code resource} serialized as {@link #encode} does, with its version; a route configuration
   * of shared virtual hosts is digested from the digests remembered for them (see {@link
   * ResourceVersions}), not over all its bytes.
   */
  public Encoded encodeWithVersion(Message resource) {
    requireNonNull(resource, "resource");
    if (sharedHosts != null && resource instanceof RouteConfiguration rc) {
      return sharedHosts.encodeWithVersion(rc);
    }
    ByteString bytes = resource.toByteString();
    return new Encoded(bytes, ResourceVersions.of(resource, bytes));
  }

  /** The Sidecar scope of {@code proxy} over {@code snapshot}, as generation computes it. */
  public SidecarScope scope(MeshSnapshot snapshot, ProxyView proxy) {
    return scopes.scope(requireNonNull(snapshot, "snapshot"), requireNonNull(proxy, "proxy"));
  }

  /**
   * @param requestedNames the names the proxy subscribed to; empty means "all" (wildcard)
   * @return resources by name, sorted
   */
  public SortedMap<String, Message> generate(
      MeshSnapshot snapshot, ProxyView proxy, XdsType type, Set<String> requestedNames) {
    requireNonNull(snapshot, "snapshot");
    requireNonNull(proxy, "proxy");
    requireNonNull(type, "type");
    requireNonNull(requestedNames, "requestedNames");
    SidecarScope scope = scopes.scope(snapshot, proxy);
    MeshSnapshot view = scope.view();
    SortedMap<String, Message> out;
    if (proxy.isProxylessGrpc()) {
      out = grpc.generate(view, proxy, type, requestedNames);
    } else {
      boolean router = proxy.type() == ProxyView.Type.ROUTER;
      switch (type) {
        case CLUSTER:
          SortedMap<String, Message> all = new TreeMap<>(clusters.sidecarClusters(view, proxy));
          if (!router) {
            all.putAll(InboundClusters.generate(scope, proxy));
          } else {
            if (autoPassthrough(view, proxy)) {
              all.putAll(sniDnatClusters(all, gatewayListeners.listeners(view, proxy)));
            }
          }
          out = onlyRequested(all, requestedNames);
          break;
        case ENDPOINT:
          out = endpoints.generate(view, proxy, requestedNames);
          break;
        case LISTENER:
          out =
              onlyRequested(
                  router
                      ? gatewayListeners.listeners(view, proxy)
                      : listeners.sidecarListeners(scope, proxy),
                  requestedNames);
          break;
        case ROUTE:
          out =
              router
                  ? gatewayRoutes.routes(view, proxy, requestedNames)
                  : sidecarRoutes.generate(
                      scope, proxy, requestedNames, () -> listeners.sidecarListeners(scope, proxy));
          break;
        default:
          throw new IllegalArgumentException("type: " + type);
      }
    }
    return Collections.unmodifiableSortedMap(out);
  }

  /**
   * istiod's SNI-DNAT clusters for AUTO_PASSTHROUGH gateway servers: for every {@code
   * outbound_.<port>_.<subset>_.<host>} cluster that a gateway filter chain forwards to, a copy of
   * the outbound cluster of that key under the SNI name, without upstream TLS (the client's mTLS
   * passes through untouched).
   */
  private static SortedMap<String, Message> sniDnatClusters(
      SortedMap<String, Message> outbound, SortedMap<String, Message> listeners) {
    SortedMap<String, Message> out = new TreeMap<>();
    for (Message m : listeners.values()) {
      for (FilterChain fc : ((Listener) m).getFilterChainsList()) {
        for (Filter f : fc.getFiltersList()) {
          if (!f.hasTypedConfig() || !f.getTypedConfig().is(TcpProxy.class)) {
            continue;
          }
          String name;
          try {
            name = f.getTypedConfig().unpack(TcpProxy.class).getCluster();
          } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("gateway listener carries a bad TcpProxy", e);
          }
          Optional<ClusterKey> key = ClusterKey.parseSniName(name);
          Message base = key.map(k -> outbound.get(k.name())).orElse(null);
          if (base == null || out.containsKey(name)) {
            continue;
          }
          Cluster.Builder c = ((Cluster) base).toBuilder().setName(name).setAltStatName(name + ";");
          c.clearTransportSocket().clearTransportSocketMatches();
          if (c.hasEdsClusterConfig()) {
            c.setEdsClusterConfig(c.getEdsClusterConfig().toBuilder().setServiceName(name));
          }
          out.put(name, c.build());
        }
      }
    }
    return out;
  }

  /**
   * Whether a Gateway selecting the router has an AUTO_PASSTHROUGH server: only those yield
   * SNI-DNAT clusters, so without one the gateway listeners need not be built for CDS.
   */
  private static boolean autoPassthrough(MeshSnapshot snapshot, ProxyView proxy) {
    for (Gateway g : snapshot.gateways()) {
      if (!g.selects(proxy.labels())) {
        continue;
      }
      for (GatewayServer s : g.servers()) {
        if (s.tls().map(t -> t.mode() == ServerTls.Mode.AUTO_PASSTHROUGH).orElse(false)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Envoy subscribes to CDS and LDS by wildcard; a named subscription narrows the answer. */
  private static SortedMap<String, Message> onlyRequested(
      SortedMap<String, Message> all, Set<String> names) {
    if (names.isEmpty()) {
      return all;
    }
    SortedMap<String, Message> out = new TreeMap<>();
    for (String n : names) {
      Message m = all.get(n);
      if (m != null) {
        out.put(n, m);
      }
    }
    return out;
  }
}
