package io.jpilot.translate;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.Decorator;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.HttpBody;
import io.jpilot.model.config.HttpDirectResponse;
import io.jpilot.model.config.HttpMatch;
import io.jpilot.model.config.HttpRedirect;
import io.jpilot.model.config.HttpRewrite;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.RegexRewrite;
import io.jpilot.model.config.StringMatch;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RDS. Sidecars ask for route configurations named by port ({@code "9080"}); each holds a virtual
 * host per HTTP service on that port plus the {@code allow_any} catch-all. The same route and
 * virtual host builders serve proxyless gRPC (see {@link GrpcGenerator}).
 */
final class RouteTranslator {
  static final String DEFAULT_RETRY_ON = RetryPolicies.DEFAULT_RETRY_ON;
  static final int MAX_DIRECT_RESPONSE_BODY_BYTES = 1024 * 1024;

  /** Whether routes are built for Envoy or for a proxyless gRPC client (timeouts differ). */
  enum Flavour {
    SIDECAR,
    GRPC
  }

  /** Where virtual hosts come from: shared between proxy views, or built per call. */
  private final VirtualHostCache shared;

  /** Builds every virtual host per call. */
  RouteTranslator() {
    this(null);
  }

  /**
   * @param shared virtual hosts shared between proxy views; null builds each per call
   */
  RouteTranslator(VirtualHostCache shared) {
    this.shared = shared;
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
      out.put(name, sidecarRouteConfiguration(name, planner, snapshot.version()));
    }
    return out;
  }

  private RouteConfiguration sidecarRouteConfiguration(
      String name, RoutePlanner planner, long version) {
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
    List<VirtualHostPlan> plans = planner.virtualHosts(port, VirtualHostDomains.SIDECAR);
    if (shared == null) {
      for (VirtualHostPlan vh : plans) {
        rc.addVirtualHosts(virtualHost(vh, Flavour.SIDECAR));
      }
      rc.addVirtualHosts(allowAny());
      return rc.build();
    }
    // one slot more for the catch-all, which is not shared
    VirtualHostCache.Entry[] entries = new VirtualHostCache.Entry[plans.size() + 1];
    for (int i = 0; i < plans.size(); i++) {
      entries[i] = shared.entry(version, plans.get(i), Flavour.SIDECAR);
      rc.addVirtualHosts(entries[i].host());
    }
    rc.addVirtualHosts(allowAny());
    RouteConfiguration built = rc.build();
    shared.built(version, built, entries);
    return built;
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

  /**
   * istiod's TranslateRoute from a plan: the match, the {@code istio.config} metadata, header
   * operations, then a redirect, a direct response or a route action (timeout, rewrite, mirrors,
   * destinations, hash policies, retries), the decorator, and the fault and CORS per-filter
   * configurations.
   */
  static Route route(RoutePlan plan, Flavour flavour) {
    Route.Builder r = Route.newBuilder();
    if (!plan.name().isEmpty()) {
      r.setName(plan.name());
    }
    r.setMatch(RouteMatchTranslator.match(plan.match()));
    if (plan.metadata().isPresent()) {
      r.setMetadata(plan.metadata().get());
    } else if (plan.virtualService().isPresent()) {
      r.setMetadata(configMetadata(plan.virtualService().get()));
    }
    if (plan.match().isPresent() && !plan.match().get().statPrefix().isEmpty()) {
      r.setStatPrefix(plan.match().get().statPrefix());
    }
    Optional<HttpRoute> http = plan.http();
    String authority = "";
    if (http.isPresent() && http.get().headers().isPresent()) {
      RouteHeaderOperations ops = RouteHeaderOperations.of(http.get().headers().get());
      r.addAllRequestHeadersToAdd(ops.requestHeadersToAdd());
      r.addAllRequestHeadersToRemove(ops.requestHeadersToRemove());
      r.addAllResponseHeadersToAdd(ops.responseHeadersToAdd());
      r.addAllResponseHeadersToRemove(ops.responseHeadersToRemove());
      authority = ops.authority();
    }
    switch (plan.action()) {
      case REDIRECT:
        r.setRedirect(
            redirect(http.get().redirect().get(), plan.listenerPort(), plan.tls()).orElseThrow());
        break;
      case DIRECT_RESPONSE:
        r.setDirectResponse(directResponse(http.get().directResponse().get()));
        break;
      default:
        r.setRoute(routeAction(plan, flavour, r, authority));
        break;
    }
    r.setDecorator(Decorator.newBuilder().setOperation(plan.operation()));
    if (http.isPresent() && http.get().fault().isPresent()) {
      r.putTypedPerFilterConfig(
          IstioNames.FAULT_FILTER, XdsProtos.pack(RouteFilterConfigs.fault(http.get().fault().get())));
    }
    if (http.isPresent() && http.get().corsPolicy().isPresent()) {
      r.putTypedPerFilterConfig(
          IstioNames.CORS_FILTER,
          XdsProtos.pack(RouteFilterConfigs.cors(http.get().corsPolicy().get())));
    }
    return r.build();
  }

  @SuppressWarnings("deprecation") // max_grpc_timeout: istiod still sets it for Envoy
  private static RouteAction routeAction(
      RoutePlan plan, Flavour flavour, Route.Builder route, String authority) {
    RouteAction.Builder action = RouteAction.newBuilder();
    com.google.protobuf.Duration timeout = XdsProtos.duration(plan.timeout());
    action.setTimeout(timeout);
    if (flavour == Flavour.GRPC && plan.virtualService().isPresent()) {
      // grpc reads max_stream_duration, not the deprecated max_grpc_timeout
      action.setMaxStreamDuration(
          RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(timeout));
    } else {
      action.setMaxGrpcTimeout(timeout);
    }
    Optional<HttpRewrite> rewrite = plan.http().flatMap(HttpRoute::rewrite);
    if (rewrite.isPresent()) {
      if (rewrite.get().uriRegexRewrite().isPresent()) {
        RegexRewrite rr = rewrite.get().uriRegexRewrite().get();
        action.setRegexRewrite(
            RegexMatchAndSubstitute.newBuilder()
                .setPattern(RegexMatcher.newBuilder().setRegex(rr.match()))
                .setSubstitution(rr.rewrite()));
      } else if (!rewrite.get().uri().isEmpty()) {
        action.setPrefixRewrite(rewrite.get().uri());
      }
      if (!rewrite.get().authority().isEmpty()) {
        authority = rewrite.get().authority();
      }
    }
    if (!authority.isEmpty()) {
      action.setHostRewriteLiteral(authority);
    }
    for (RoutePlan.Mirror m : plan.mirrors()) {
      action.addRequestMirrorPolicies(
          RouteAction.RequestMirrorPolicy.newBuilder()
              .setCluster(m.cluster())
              .setRuntimeFraction(
                  RuntimeFractionalPercent.newBuilder()
                      .setDefaultValue(
                          m.perMillion()
                              ? RouteFilterConfigs.perMillion(m.numerator())
                              : RouteFilterConfigs.perHundred(m.numerator())))
              .setTraceSampled(XdsProtos.bool(false)));
    }
    if (plan.weighted()) {
      WeightedCluster.Builder wc = WeightedCluster.newBuilder();
      for (RoutePlan.Target t : plan.targets()) {
        WeightedCluster.ClusterWeight.Builder cw =
            WeightedCluster.ClusterWeight.newBuilder()
                .setName(t.cluster())
                .setWeight(XdsProtos.uint32(t.weight()));
        if (t.headers().isPresent()) {
          RouteHeaderOperations ops = RouteHeaderOperations.of(t.headers().get());
          cw.addAllRequestHeadersToAdd(ops.requestHeadersToAdd());
          cw.addAllRequestHeadersToRemove(ops.requestHeadersToRemove());
          cw.addAllResponseHeadersToAdd(ops.responseHeadersToAdd());
          cw.addAllResponseHeadersToRemove(ops.responseHeadersToRemove());
          if (!ops.authority().isEmpty()) {
            cw.setHostRewriteLiteral(ops.authority());
          }
        }
        wc.addClusters(cw);
      }
      action.setWeightedClusters(wc);
    } else {
      RoutePlan.Target t = plan.targets().get(0);
      action.setCluster(t.cluster());
      if (t.headers().isPresent()) {
        RouteHeaderOperations ops = RouteHeaderOperations.of(t.headers().get());
        route.addAllRequestHeadersToAdd(ops.requestHeadersToAdd());
        route.addAllRequestHeadersToRemove(ops.requestHeadersToRemove());
        route.addAllResponseHeadersToAdd(ops.responseHeadersToAdd());
        route.addAllResponseHeadersToRemove(ops.responseHeadersToRemove());
        // a route-level authority rewrite wins over the destination's
        if (!ops.authority().isEmpty()
            && action.getHostRewriteSpecifierCase()
                == RouteAction.HostRewriteSpecifierCase.HOSTREWRITESPECIFIER_NOT_SET) {
          action.setHostRewriteLiteral(ops.authority());
        }
      }
    }
    if (!plan.hashPolicies().isEmpty()) {
      action.addAllHashPolicy(plan.hashPolicies()); // even an empty addAll allocates the list
    }
    RetryPolicies.convert(plan.retryPolicy(), plan.consistentHash())
        .ifPresent(action::setRetryPolicy);
    return action.build();
  }

  /**
   * istiod's ApplyRedirect: host, path or prefix, scheme and port (the listener port for {@code
   * FROM_REQUEST_PORT}; none for 80 over http or 443 over https), and the response code. Empty for
   * a code Envoy has no value for.
   */
  static Optional<RedirectAction> redirect(HttpRedirect in, int listenerPort, boolean tls) {
    RedirectAction.Builder out = RedirectAction.newBuilder().setHostRedirect(in.authority());
    if (!in.prefixRewrite().isEmpty()) {
      out.setPrefixRewrite(in.prefixRewrite());
    } else {
      out.setPathRedirect(in.uri());
    }
    if (!in.scheme().isEmpty()) {
      out.setSchemeRedirect(in.scheme());
    }
    if (in.hasRedirectPort()) {
      int port = in.port();
      if (in.derivePort() == HttpRedirect.DerivePort.FROM_REQUEST_PORT) {
        port = listenerPort;
      }
      String scheme = !in.scheme().isEmpty() ? in.scheme() : tls ? "https" : "http";
      if ((port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"))) {
        port = 0;
      }
      out.setPortRedirect(port);
    }
    Optional<RedirectAction.RedirectResponseCode> code = redirectCode(in.redirectCode());
    if (code.isEmpty()) {
      return Optional.empty();
    }
    out.setResponseCode(code.get());
    return Optional.of(out.build());
  }

  /** 0 and 301 → MOVED_PERMANENTLY, 302 FOUND, 303 SEE_OTHER, 307 TEMPORARY, 308 PERMANENT. */
  static Optional<RedirectAction.RedirectResponseCode> redirectCode(int code) {
    switch (code) {
      case 0:
      case 301:
        return Optional.of(RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY);
      case 302:
        return Optional.of(RedirectAction.RedirectResponseCode.FOUND);
      case 303:
        return Optional.of(RedirectAction.RedirectResponseCode.SEE_OTHER);
      case 307:
        return Optional.of(RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT);
      case 308:
        return Optional.of(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT);
      default:
        return Optional.empty();
    }
  }

  /** istiod's ApplyDirectResponse: the status and an inline string or bytes body. */
  static DirectResponseAction directResponse(HttpDirectResponse in) {
    DirectResponseAction.Builder out = DirectResponseAction.newBuilder().setStatus(in.status());
    in.body()
        .ifPresent(
            b -> {
              if (b.kind() == HttpBody.Kind.STRING) {
                out.setBody(DataSource.newBuilder().setInlineString(b.value()));
              } else {
                out.setBody(DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(b.bytes())));
              }
            });
    return out.build();
  }

  /**
   * The {@code istio.config} metadata per VirtualService: a pure function of the key, remembered
   * (bounded) because every route of every proxy carries one.
   */
  private static final Map<ConfigKey, io.envoyproxy.envoy.config.core.v3.Metadata> CONFIG_METADATA =
      new ConcurrentHashMap<>();

  private static final int CONFIG_METADATA_MAX = 16_384;

  static io.envoyproxy.envoy.config.core.v3.Metadata configMetadata(ConfigKey vs) {
    io.envoyproxy.envoy.config.core.v3.Metadata m = CONFIG_METADATA.get(vs);
    if (m == null) {
      m = buildConfigMetadata(vs);
      if (CONFIG_METADATA.size() >= CONFIG_METADATA_MAX) {
        CONFIG_METADATA.clear();
      }
      CONFIG_METADATA.put(vs, m);
    }
    return m;
  }

  private static io.envoyproxy.envoy.config.core.v3.Metadata buildConfigMetadata(ConfigKey vs) {
    SortedMap<String, Value> fields = new TreeMap<>();
    fields.put(
        "config",
        XdsProtos.string(IstioNames.configPath("virtual-service", vs.namespace(), vs.name())));
    return XdsProtos.istioMetadata(fields);
  }

  /** istiod's built-in default retry policy (no mesh defaultHttpRetryPolicy). */
  static RetryPolicy defaultRetryPolicy() {
    return RetryPolicies.defaultPolicy();
  }

  /** istiod's TranslateRouteMatch. */
  static RouteMatch match(Optional<HttpMatch> match) {
    return RouteMatchTranslator.match(match);
  }

  static HeaderMatcher headerMatcher(String name, StringMatch sm) {
    return RouteMatchTranslator.headerMatcher(name, sm);
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
