package io.jpilot.translate;

import com.google.protobuf.Message;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.route.v3.Decorator;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * RDS. Sidecars ask for route configurations named by port ({@code "9080"}); each holds a virtual
 * host per HTTP service on that port plus the {@code allow_any} catch-all. The same route and
 * virtual host builders serve proxyless gRPC (see {@link GrpcGenerator}).
 */
final class RouteTranslator {
  static final String DEFAULT_RETRY_ON =
      "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
  static final int MAX_DIRECT_RESPONSE_BODY_BYTES = 1024 * 1024;

  /** Whether routes are built for Envoy or for a proxyless gRPC client (timeouts differ). */
  enum Flavour {
    SIDECAR,
    GRPC
  }

  /**
   * @param names requested route configuration names; empty means one per HTTP service port
   */
  SortedMap<String, Message> sidecarRoutes(
      MeshSnapshot snapshot, ProxyView proxy, Set<String> names) {
    Set<String> wanted = names;
    if (wanted.isEmpty()) {
      wanted = new TreeSet<>();
      for (Service svc : snapshot.services().values()) {
        for (ServicePort p : svc.ports()) {
          if (RoutePlanner.routable(p, false)) {
            wanted.add(Integer.toString(p.port()));
          }
        }
      }
    }
    RoutePlanner planner = new RoutePlanner(snapshot, proxy);
    SortedMap<String, Message> out = new TreeMap<>();
    for (String name : wanted) {
      out.put(name, sidecarRouteConfiguration(name, planner));
    }
    return out;
  }

  private static RouteConfiguration sidecarRouteConfiguration(String name, RoutePlanner planner) {
    int port = parsePort(name);
    if (port <= 0) {
      // istiod answers an unknown route name with an empty configuration
      return RouteConfiguration.newBuilder()
          .setName(name)
          .setValidateClusters(XdsProtos.bool(false))
          .build();
    }
    RouteConfiguration.Builder rc =
        RouteConfiguration.newBuilder()
            .setName(name)
            .setValidateClusters(XdsProtos.bool(false))
            .setMaxDirectResponseBodySizeBytes(XdsProtos.uint32(MAX_DIRECT_RESPONSE_BODY_BYTES))
            .setIgnorePortInHostMatching(true);
    for (VirtualHostPlan vh : planner.virtualHosts(port, VirtualHostDomains.SIDECAR)) {
      rc.addVirtualHosts(virtualHost(vh, Flavour.SIDECAR));
    }
    rc.addVirtualHosts(allowAny());
    return rc.build();
  }

  private static int parsePort(String name) {
    try {
      int p = Integer.parseInt(name);
      return p >= 1 && p <= 65535 ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static VirtualHost virtualHost(VirtualHostPlan plan, Flavour flavour) {
    VirtualHost.Builder vh =
        VirtualHost.newBuilder()
            .setName(plan.name())
            .addAllDomains(plan.domains())
            .setIncludeRequestAttemptCount(true);
    for (RoutePlan r : plan.routes()) {
      vh.addRoutes(route(r, flavour));
    }
    return vh.build();
  }

  /** The catch-all for ALLOW_ANY outbound traffic: everything else goes to PassthroughCluster. */
  @SuppressWarnings("deprecation") // max_grpc_timeout: istiod still sets it
  static VirtualHost allowAny() {
    return VirtualHost.newBuilder()
        .setName(IstioNames.ALLOW_ANY)
        .addDomains("*")
        .addRoutes(
            Route.newBuilder()
                .setName(IstioNames.ALLOW_ANY)
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(
                    RouteAction.newBuilder()
                        .setCluster(IstioNames.PASSTHROUGH_CLUSTER)
                        .setTimeout(XdsProtos.ZERO)
                        .setMaxGrpcTimeout(XdsProtos.ZERO)))
        .setIncludeRequestAttemptCount(true)
        .build();
  }

  @SuppressWarnings("deprecation") // max_grpc_timeout: istiod still sets it for Envoy
  static Route route(RoutePlan plan, Flavour flavour) {
    Route.Builder r = Route.newBuilder();
    if (!plan.name().isEmpty()) {
      r.setName(plan.name());
    }
    r.setMatch(match(plan.match()));
    RouteAction.Builder action = RouteAction.newBuilder();
    if (plan.weighted()) {
      WeightedCluster.Builder wc = WeightedCluster.newBuilder();
      for (RoutePlan.Target t : plan.targets()) {
        wc.addClusters(
            WeightedCluster.ClusterWeight.newBuilder()
                .setName(t.cluster())
                .setWeight(XdsProtos.uint32(t.weight())));
      }
      action.setWeightedClusters(wc);
    } else {
      action.setCluster(plan.targets().get(0).cluster());
    }
    com.google.protobuf.Duration timeout = XdsProtos.duration(plan.timeout());
    action.setTimeout(timeout);
    if (flavour == Flavour.GRPC && plan.virtualService().isPresent()) {
      // grpc reads max_stream_duration, not the deprecated max_grpc_timeout
      action.setMaxStreamDuration(
          RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(timeout));
    } else {
      action.setMaxGrpcTimeout(timeout);
    }
    action.setRetryPolicy(defaultRetryPolicy());
    action.addAllHashPolicy(plan.hashPolicies());
    r.setRoute(action);
    plan.virtualService().ifPresent(vs -> r.setMetadata(configMetadata(vs)));
    r.setDecorator(Decorator.newBuilder().setOperation(plan.operation()));
    return r.build();
  }

  private static io.envoyproxy.envoy.config.core.v3.Metadata configMetadata(ConfigKey vs) {
    SortedMap<String, Value> fields = new TreeMap<>();
    fields.put(
        "config",
        XdsProtos.string(IstioNames.configPath("virtual-service", vs.namespace(), vs.name())));
    return XdsProtos.istioMetadata(fields);
  }

  /** istiod's built-in default retry policy (no mesh defaultHttpRetryPolicy). */
  static RetryPolicy defaultRetryPolicy() {
    return RetryPolicy.newBuilder()
        .setRetryOn(DEFAULT_RETRY_ON)
        .setNumRetries(XdsProtos.uint32(2))
        .addRetryHostPredicate(
            RetryPolicy.RetryHostPredicate.newBuilder()
                .setName(IstioNames.PREVIOUS_HOSTS_PREDICATE)
                .setTypedConfig(XdsProtos.pack(PreviousHostsPredicate.getDefaultInstance())))
        .setHostSelectionRetryMaxAttempts(5)
        .build();
  }

  /** istiod's TranslateRouteMatch: prefix "/" by default, sorted headers, case_sensitive set. */
  static RouteMatch match(java.util.Optional<HttpMatch> match) {
    RouteMatch.Builder m = RouteMatch.newBuilder().setPrefix("/");
    if (match.isEmpty()) {
      return m.build();
    }
    HttpMatch in = match.get();
    for (Map.Entry<String, StringMatch> h : in.headers().entrySet()) {
      m.addHeaders(headerMatcher(h.getKey(), h.getValue()));
    }
    in.uri()
        .ifPresent(
            uri -> {
              switch (uri.kind()) {
                case EXACT:
                  m.setPath(uri.value());
                  break;
                case PREFIX:
                  m.setPrefix(uri.value());
                  break;
                case REGEX:
                  m.setSafeRegex(RegexMatcher.newBuilder().setRegex(uri.value()));
                  break;
                default:
                  break;
              }
            });
    m.setCaseSensitive(XdsProtos.bool(!in.ignoreUriCase()));
    return m.build();
  }

  static HeaderMatcher headerMatcher(String name, StringMatch sm) {
    HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(name);
    if (sm.kind() == StringMatch.Kind.PRESENT
        || (sm.kind() == StringMatch.Kind.REGEX && sm.value().equals("*"))) {
      return h.setPresentMatch(true).build();
    }
    StringMatcher.Builder s = StringMatcher.newBuilder();
    switch (sm.kind()) {
      case EXACT:
        s.setExact(sm.value());
        break;
      case PREFIX:
        s.setPrefix(sm.value());
        break;
      case REGEX:
        s.setSafeRegex(RegexMatcher.newBuilder().setRegex(sm.value()));
        break;
      default:
        break;
    }
    return h.setStringMatch(s).build();
  }

  /** Route configurations in proxyless form: just the name and the virtual hosts. */
  static RouteConfiguration grpcRouteConfiguration(String name, List<VirtualHostPlan> hosts) {
    RouteConfiguration.Builder rc = RouteConfiguration.newBuilder().setName(name);
    for (VirtualHostPlan vh : hosts) {
      rc.addVirtualHosts(virtualHost(vh, Flavour.GRPC));
    }
    return rc.build();
  }
}
