package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import java.util.Collections;
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
 */
public final class Translator {
  private final ClusterTranslator clusters = new ClusterTranslator();
  private final EndpointTranslator endpoints = new EndpointTranslator();
  private final ListenerTranslator listeners = new ListenerTranslator();
  private final RouteTranslator routes = new RouteTranslator();
  private final GrpcGenerator grpc = new GrpcGenerator();
  private final GatewayListenerTranslator gatewayListeners = new GatewayListenerTranslator();
  private final GatewayRouteTranslator gatewayRoutes = new GatewayRouteTranslator();

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
    SortedMap<String, Message> out;
    if (proxy.isProxylessGrpc()) {
      out = grpc.generate(snapshot, proxy, type, requestedNames);
    } else {
      boolean router = proxy.type() == ProxyView.Type.ROUTER;
      switch (type) {
        case CLUSTER:
          out = onlyRequested(clusters.sidecarClusters(snapshot, proxy), requestedNames);
          break;
        case ENDPOINT:
          out = endpoints.generate(snapshot, proxy, requestedNames);
          break;
        case LISTENER:
          out =
              onlyRequested(
                  router
                      ? gatewayListeners.listeners(snapshot, proxy)
                      : listeners.sidecarListeners(snapshot, proxy),
                  requestedNames);
          break;
        case ROUTE:
          out =
              router
                  ? gatewayRoutes.routes(snapshot, proxy, requestedNames)
                  : routes.sidecarRoutes(snapshot, proxy, requestedNames);
          break;
        default:
          throw new IllegalArgumentException("type: " + type);
      }
    }
    return Collections.unmodifiableSortedMap(out);
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
