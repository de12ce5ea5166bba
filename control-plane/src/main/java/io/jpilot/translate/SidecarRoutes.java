package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.config.OutboundTrafficPolicy;
import io.jpilot.model.registry.Service;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Sidecar RDS through the Sidecar scope: a route configuration {@code "<port>"} is built by {@link
 * RouteTranslator} from the egress listener serving that port (istiod's GetEgressListenerForRDS),
 * so it holds only the services and VirtualServices that listener imports. Its catch-all virtual
 * host follows the outbound traffic policy: {@code allow_any} to PassthroughCluster (or the egress
 * proxy) under ALLOW_ANY, {@code block_all} answering 502 under REGISTRY_ONLY. An auto-detected
 * port's configuration {@code <fqdn>:<port>} has that service's one virtual host for any domain.
 */
final class SidecarRoutes {
  private final RouteTranslator routes;

  SidecarRoutes(RouteTranslator routes) {
    this.routes = requireNonNull(routes, "routes");
  }

  /**
   * @param names requested names; empty means every name the proxy's listeners use
   * @param listeners the proxy's listeners, consulted only for a wildcard request
   */
  SortedMap<String, Message> generate(
      SidecarScope scope,
      ProxyView proxy,
      Set<String> names,
      Supplier<SortedMap<String, Message>> listeners) {
    Set<String> wanted = names.isEmpty() ? rdsNames(listeners.get()) : names;
    SortedMap<String, Message> out = new TreeMap<>();
    for (String name : wanted) {
      out.put(name, routeConfiguration(scope, proxy, name));
    }
    return out;
  }

  private RouteConfiguration routeConfiguration(SidecarScope scope, ProxyView proxy, String name) {
    int colon = name.lastIndexOf(':');
    int port = parsePort(colon >= 0 ? name.substring(colon + 1) : name);
    Optional<SidecarScope.EgressListener> egress =
        port > 0 ? scope.egressListenerForPort(port) : Optional.empty();
    if (egress.isEmpty()) {
      // istiod has nothing for the name; an empty configuration keeps the client from waiting
      return RouteConfiguration.newBuilder()
          .setName(name)
          .setValidateClusters(XdsProtos.bool(false))
          .build();
    }
    MeshSnapshot view = egress.get().view();
    if (colon >= 0) {
      return sniffed(view, proxy, name.substring(0, colon), port, name);
    }
    RouteConfiguration rc =
        (RouteConfiguration) routes.sidecarRoutes(view, proxy, Set.of(name)).get(name);
    return withCatchAll(rc, scope.outboundTrafficPolicy());
  }

  /** istiod's getVirtualHostsForSniffedServicePort: the service's virtual host, domains "*". */
  private static RouteConfiguration sniffed(
      MeshSnapshot view, ProxyView proxy, String host, int port, String name) {
    RouteConfiguration.Builder rc =
        RouteConfiguration.newBuilder()
            .setName(name)
            .setValidateClusters(XdsProtos.bool(false))
            .setMaxDirectResponseBodySizeBytes(
                XdsProtos.uint32(RouteTranslator.MAX_DIRECT_RESPONSE_BODY_BYTES))
            .setIgnorePortInHostMatching(true);
    Optional<Service> svc = view.service(host);
    if (svc.isPresent() && svc.get().port(port).isPresent()) {
      RoutePlanner planner = new RoutePlanner(view, proxy);
      VirtualHostPlan plan =
          new VirtualHostPlan(
              IstioNames.joinHostPort(host, port), List.of("*"), planner.routes(svc.get(), port));
      rc.addVirtualHosts(RouteTranslator.virtualHost(plan, RouteTranslator.Flavour.SIDECAR));
    }
    return rc.build();
  }

  /** Replaces the {@code allow_any} catch-all when the policy says otherwise. */
  static RouteConfiguration withCatchAll(RouteConfiguration rc, OutboundTrafficPolicy policy) {
    if (policy.mode() == OutboundTrafficPolicy.Mode.ALLOW_ANY && policy.egressProxy().isEmpty()) {
      return rc;
    }
    RouteConfiguration.Builder b = rc.toBuilder();
    for (int i = 0; i < b.getVirtualHostsCount(); i++) {
      VirtualHost vh = b.getVirtualHosts(i);
      if (vh.getName().equals(IstioNames.ALLOW_ANY)) {
        b.setVirtualHosts(i, catchAll(policy));
      }
    }
    return b.build();
  }

  /** istiod's buildCatchAllVirtualHost for the policy. */
  @SuppressWarnings("deprecation") // max_grpc_timeout: istiod still sets it
  static VirtualHost catchAll(OutboundTrafficPolicy policy) {
    if (policy.mode() == OutboundTrafficPolicy.Mode.REGISTRY_ONLY) {
      return VirtualHost.newBuilder()
          .setName(SidecarNames.BLOCK_ALL)
          .addDomains("*")
          .addRoutes(
              Route.newBuilder()
                  .setName(SidecarNames.BLOCK_ALL)
                  .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                  .setDirectResponse(DirectResponseAction.newBuilder().setStatus(502)))
          .setIncludeRequestAttemptCount(true)
          .build();
    }
    return VirtualHost.newBuilder()
        .setName(IstioNames.ALLOW_ANY)
        .addDomains("*")
        .addRoutes(
            Route.newBuilder()
                .setName(IstioNames.ALLOW_ANY)
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(
                    RouteAction.newBuilder()
                        .setCluster(ListenerTranslator.catchAllCluster(policy))
                        .setTimeout(XdsProtos.ZERO)
                        .setMaxGrpcTimeout(XdsProtos.ZERO)))
        .setIncludeRequestAttemptCount(true)
        .build();
  }

  /** The RDS names the listeners' HTTP connection managers use. */
  static Set<String> rdsNames(SortedMap<String, Message> listeners) {
    Set<String> out = new TreeSet<>();
    for (Message m : listeners.values()) {
      Listener l = (Listener) m;
      for (FilterChain fc : l.getFilterChainsList()) {
        addRds(fc, out);
      }
      if (l.hasDefaultFilterChain()) {
        addRds(l.getDefaultFilterChain(), out);
      }
    }
    return out;
  }

  private static void addRds(FilterChain fc, Set<String> out) {
    for (Filter f : fc.getFiltersList()) {
      if (!f.getName().equals(IstioNames.HTTP_CONNECTION_MANAGER)) {
        continue;
      }
      try {
        HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
        if (hcm.hasRds()) {
          out.add(hcm.getRds().getRouteConfigName());
        }
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("listener holds a malformed connection manager", e);
      }
    }
  }

  private static int parsePort(String s) {
    try {
      int p = Integer.parseInt(s);
      return p >= 1 && p <= 65535 ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
