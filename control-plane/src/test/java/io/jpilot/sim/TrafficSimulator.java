package io.jpilot.sim;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.re2j.Pattern;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.jpilot.debug.SubscriptionWalker;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.translate.Translator;
import io.jpilot.translate.XdsType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Follows a call through generated Envoy configuration the way Envoy would: listener, filter chain,
 * HTTP connection manager and route configuration, virtual host, route, cluster. Test support for
 * asserting traffic behaviour rather than resource shapes; modelled on istiod's
 * pilot/pkg/simulation.
 *
 * <p>Listener choice by {@link Call.Mode}:
 *
 * <ul>
 *   <li>OUTBOUND: iptables sends the connection to the listener with {@code use_original_dst}
 *       ({@code virtualOutbound}); Envoy hands it to the listener bound to the original destination
 *       {@code address:port}, else to {@code 0.0.0.0:port}, else keeps it;
 *   <li>GATEWAY: no interception; only listeners that bind their port accept, the exact address
 *       first, then the wildcard address;
 *   <li>INBOUND: the {@code virtualInbound} listener (15006), by its filter chains.
 * </ul>
 *
 * <p>The constructor refuses configuration that Envoy itself would reject (duplicate names,
 * duplicate virtual host domains, duplicate filter chain matches, two listeners binding one
 * address), since simulating traffic through it would be meaningless.
 */
public final class TrafficSimulator {
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
  static final String HTTP_INSPECTOR = "envoy.filters.listener.http_inspector";
  static final String HCM = "envoy.filters.network.http_connection_manager";
  static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  static final String VIRTUAL_INBOUND = "virtualInbound";
  static final int VIRTUAL_INBOUND_PORT = 15006;

  private final List<Listener> listeners;
  private final Map<String, RouteConfiguration> routes;
  private final Map<String, Cluster> clusters;

  public TrafficSimulator(
      Collection<Listener> listeners,
      Collection<RouteConfiguration> routes,
      Collection<Cluster> clusters) {
    this.listeners = List.copyOf(listeners);
    this.routes = new LinkedHashMap<>();
    for (RouteConfiguration rc : routes) {
      this.routes.put(rc.getName(), rc);
    }
    this.clusters = new LinkedHashMap<>();
    for (Cluster c : clusters) {
      this.clusters.put(c.getName(), c);
    }
    List<String> problems = envoyRejections(listeners, routes, clusters);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Envoy would reject this configuration:\n  " + String.join("\n  ", problems));
    }
  }

  /** From resources by xDS type, as {@link SubscriptionWalker#walk} returns them. */
  public static TrafficSimulator of(Map<XdsType, ? extends Map<String, ? extends Message>> xds) {
    return new TrafficSimulator(
        typed(xds.get(XdsType.LISTENER), Listener.class),
        typed(xds.get(XdsType.ROUTE), RouteConfiguration.class),
        typed(xds.get(XdsType.CLUSTER), Cluster.class));
  }

  /**
   * Everything {@code proxy} would be sent for {@code snapshot} (listeners, the route
   * configurations they name, clusters), through the real translator.
   */
  public static TrafficSimulator forProxy(MeshSnapshot snapshot, ProxyView proxy) {
    return of(SubscriptionWalker.walk(new Translator(), snapshot, proxy, Set.of()));
  }

  private static <T extends Message> List<T> typed(
      Map<String, ? extends Message> resources, Class<T> type) {
    List<T> out = new ArrayList<>();
    if (resources != null) {
      for (Message m : resources.values()) {
        out.add(type.cast(m));
      }
    }
    return out;
  }

  /**
   * What Envoy would NACK in this configuration (the subset the simulator depends on): duplicate
   * resource names, two listeners binding the same address, two filter chains of one listener with
   * the same match, a domain in two virtual hosts of one route configuration.
   */
  public static List<String> envoyRejections(
      Collection<Listener> listeners,
      Collection<RouteConfiguration> routes,
      Collection<Cluster> clusters) {
    List<String> problems = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Map<String, String> bound = new HashMap<>();
    for (Listener l : listeners) {
      if (!names.add(l.getName())) {
        problems.add("listener " + l.getName() + ": duplicate listener name");
      }
      if (bindsPort(l)) {
        String addr = socket(l.getAddress());
        String other = bound.putIfAbsent(addr, l.getName());
        if (other != null) {
          problems.add(
              "listener " + l.getName() + ": address " + addr + " already bound by " + other);
        }
      }
      Map<Object, String> matches = new HashMap<>();
      for (int i = 0; i < l.getFilterChainsCount(); i++) {
        FilterChain fc = l.getFilterChains(i);
        String other = matches.putIfAbsent(fc.getFilterChainMatch(), chainName(fc, i));
        if (other != null) {
          problems.add(
              "listener "
                  + l.getName()
                  + ": filter chains "
                  + other
                  + " and "
                  + chainName(fc, i)
                  + " have the same matching rules");
        }
      }
    }
    names.clear();
    for (RouteConfiguration rc : routes) {
      if (!names.add(rc.getName())) {
        problems.add("route configuration " + rc.getName() + ": duplicate name");
      }
      Map<String, String> domains = new HashMap<>();
      for (VirtualHost vh : rc.getVirtualHostsList()) {
        for (String d : vh.getDomainsList()) {
          String other = domains.putIfAbsent(d.toLowerCase(Locale.ROOT), vh.getName());
          if (other != null) {
            problems.add(
                "route configuration "
                    + rc.getName()
                    + ": domain "
                    + d
                    + " is in virtual hosts "
                    + other
                    + " and "
                    + vh.getName());
          }
        }
      }
    }
    names.clear();
    for (Cluster c : clusters) {
      if (!names.add(c.getName())) {
        problems.add("cluster " + c.getName() + ": duplicate name");
      }
    }
    return problems;
  }

  private static String chainName(FilterChain fc, int index) {
    return fc.getName().isEmpty() ? "#" + index : fc.getName();
  }

  /** The simulated route configuration named {@code name}, if any. */
  public Optional<RouteConfiguration> routeConfiguration(String name) {
    return Optional.ofNullable(routes.get(name));
  }

  /** The simulated listener named {@code name}, if any. */
  public Optional<Listener> listener(String name) {
    return listeners.stream().filter(l -> l.getName().equals(name)).findFirst();
  }

  public List<Listener> listeners() {
    return listeners;
  }

  public Map<String, Cluster> clusters() {
    return java.util.Collections.unmodifiableMap(clusters);
  }

  /** Follows {@code call} through the configuration. */
  public Result run(Call call) {
    requireNonNull(call, "call");
    Trace t = new Trace();
    if (call.tls() == Call.Tls.PLAINTEXT && (!call.alpn().isEmpty() || !call.sni().isEmpty())) {
      return t.fail(Result.Failure.INVALID_CALL, "ALPN and SNI exist only in TLS connections");
    }
    Optional<Listener> found = listener(call);
    if (found.isEmpty()) {
      return t.fail(
          Result.Failure.NO_LISTENER,
          "nothing accepts " + call.address() + ":" + call.port() + " in " + call.mode() + " mode");
    }
    Listener l = found.get();
    t.listener = l.getName();

    boolean tlsInspector = hasListenerFilter(l, TLS_INSPECTOR, call.port());
    boolean tlsSeen = tlsInspector && call.tls() != Call.Tls.PLAINTEXT;
    List<String> alpn = tlsSeen ? call.alpn() : List.of();
    if (hasListenerFilter(l, HTTP_INSPECTOR, call.port())
        && call.tls() == Call.Tls.PLAINTEXT
        && call.protocol().isHttp()) {
      alpn = List.of(call.protocol() == Call.Protocol.HTTP ? "http/1.1" : "h2c");
    }
    FilterChainSelector.Connection conn =
        new FilterChainSelector.Connection(
            call.address(),
            call.port(),
            tlsSeen ? call.sni() : "",
            tlsSeen ? "tls" : "raw_buffer",
            alpn,
            call.sourceAddress(),
            call.sourcePort());
    List<FilterChain> chains = FilterChainSelector.select(l.getFilterChainsList(), conn);
    FilterChain fc;
    if (chains.size() > 1) {
      List<String> n = new ArrayList<>();
      for (FilterChain c : chains) {
        n.add(c.getName());
      }
      return t.fail(Result.Failure.MULTIPLE_FILTER_CHAINS, "candidates " + n);
    } else if (chains.isEmpty()) {
      if (!l.hasDefaultFilterChain()) {
        return t.fail(Result.Failure.NO_FILTER_CHAIN, "connection " + conn);
      }
      fc = l.getDefaultFilterChain();
    } else {
      fc = chains.get(0);
    }
    t.filterChain = fc.getName();

    boolean terminatesTls =
        fc.hasTransportSocket() && isTls(fc.getTransportSocket().getTypedConfig());
    if (terminatesTls && call.tls() == Call.Tls.PLAINTEXT) {
      return t.fail(
          Result.Failure.TLS_ERROR, "plaintext sent to a filter chain that terminates TLS");
    }
    if (terminatesTls
        && requiresClientCertificate(fc.getTransportSocket().getTypedConfig())
        && call.tls() != Call.Tls.MTLS) {
      return t.fail(Result.Failure.MTLS_ERROR, "the filter chain requires a client certificate");
    }
    Filter terminal = fc.getFiltersCount() == 0 ? null : fc.getFilters(fc.getFiltersCount() - 1);
    if (terminal == null) {
      return t.fail(Result.Failure.UNSUPPORTED_FILTER, "filter chain without filters");
    }
    Any cfg = terminal.getTypedConfig();
    if (cfg.is(HttpConnectionManager.class)) {
      if (call.tls() != Call.Tls.PLAINTEXT && !terminatesTls) {
        return t.fail(
            Result.Failure.PROTOCOL_ERROR, "TLS bytes sent to a plaintext HTTP connection manager");
      }
      if (!call.protocol().isHttp()) {
        return t.fail(Result.Failure.PROTOCOL_ERROR, "raw TCP sent to an HTTP connection manager");
      }
      return http(unpack(cfg, HttpConnectionManager.class), call, t);
    }
    if (cfg.is(TcpProxy.class)) {
      TcpProxy tcp = unpack(cfg, TcpProxy.class);
      if (tcp.hasWeightedClusters()) {
        for (TcpProxy.WeightedCluster.ClusterWeight w :
            tcp.getWeightedClusters().getClustersList()) {
          if (w.getWeight() > 0) {
            t.weights.put(w.getName(), w.getWeight());
          }
        }
      } else {
        t.cluster = tcp.getCluster();
      }
      return t.done(clusters.keySet());
    }
    return t.fail(Result.Failure.UNSUPPORTED_FILTER, terminal.getName());
  }

  private Result http(HttpConnectionManager hcm, Call call, Trace t) {
    RouteConfiguration rc;
    if (hcm.hasRouteConfig()) {
      rc = hcm.getRouteConfig();
    } else if (hcm.hasRds()) {
      t.routeConfig = hcm.getRds().getRouteConfigName();
      rc = routes.get(t.routeConfig);
      if (rc == null) {
        return t.fail(
            Result.Failure.NO_ROUTE_CONFIG, "no route configuration named " + t.routeConfig);
      }
    } else {
      return t.fail(
          Result.Failure.UNSUPPORTED_FILTER,
          "HTTP connection manager without inline or RDS routes");
    }
    String host = call.authority().toLowerCase(Locale.ROOT);
    if (hcm.getStripAnyHostPort()
        || rc.getIgnorePortInHostMatching()
        || (hcm.getStripMatchingHostPort() && host.endsWith(":" + call.port()))) {
      host = Call.stripPort(host);
    }
    Optional<VirtualHost> vh = RouteSelector.virtualHost(rc, host);
    if (vh.isEmpty()) {
      return t.fail(Result.Failure.NO_VIRTUAL_HOST, "host " + call.authority());
    }
    t.virtualHost = vh.get().getName();
    VirtualHost.TlsRequirementType requireTls = vh.get().getRequireTls();
    boolean internal = "true".equals(call.header("x-envoy-internal"));
    if (call.tls() == Call.Tls.PLAINTEXT
        && (requireTls == VirtualHost.TlsRequirementType.ALL
            || (requireTls == VirtualHost.TlsRequirementType.EXTERNAL_ONLY && !internal))) {
      t.status = 301;
      return t.fail(Result.Failure.TLS_REDIRECT, "https://" + call.authority() + call.path());
    }
    Optional<Route> r = RouteSelector.route(vh.get(), call);
    if (r.isEmpty()) {
      return t.fail(Result.Failure.NO_ROUTE, call.method() + " " + call.path());
    }
    Route route = r.get();
    t.route = route.getName();
    switch (route.getActionCase()) {
      case ROUTE:
        return routeAction(route.getRoute(), call, t);
      case REDIRECT:
        return redirect(route, call, t);
      case DIRECT_RESPONSE:
        {
          DirectResponseAction d = route.getDirectResponse();
          t.status = d.getStatus();
          String body =
              d.getBody().hasInlineString()
                  ? d.getBody().getInlineString()
                  : d.getBody().getInlineBytes().toStringUtf8();
          return t.fail(
              Result.Failure.DIRECT_RESPONSE, d.getStatus() + (body.isEmpty() ? "" : " " + body));
        }
      case NON_FORWARDING_ACTION:
        return t.done(clusters.keySet());
      default:
        return t.fail(Result.Failure.UNSUPPORTED_FILTER, "route action " + route.getActionCase());
    }
  }

  private Result routeAction(RouteAction a, Call call, Trace t) {
    switch (a.getClusterSpecifierCase()) {
      case CLUSTER:
        t.cluster = a.getCluster();
        break;
      case WEIGHTED_CLUSTERS:
        for (WeightedCluster.ClusterWeight w : a.getWeightedClusters().getClustersList()) {
          if (w.getWeight().getValue() > 0) {
            t.weights.put(w.getName(), w.getWeight().getValue());
          }
        }
        break;
      case CLUSTER_HEADER:
        {
          String c = call.header(a.getClusterHeader());
          if (c == null) {
            return t.fail(
                Result.Failure.NO_CLUSTER, "header " + a.getClusterHeader() + " is absent");
          }
          t.cluster = c;
          break;
        }
      default:
        return t.fail(
            Result.Failure.UNSUPPORTED_FILTER, "cluster specifier " + a.getClusterSpecifierCase());
    }
    return t.done(clusters.keySet());
  }

  private Result redirect(Route route, Call call, Trace t) {
    RedirectAction r = route.getRedirect();
    String scheme = call.tls() == Call.Tls.PLAINTEXT ? "http" : "https";
    if (r.getHttpsRedirect()) {
      scheme = "https";
    } else if (!r.getSchemeRedirect().isEmpty()) {
      scheme = r.getSchemeRedirect();
    }
    String host =
        r.getHostRedirect().isEmpty() ? Call.stripPort(call.authority()) : r.getHostRedirect();
    String port = r.getPortRedirect() == 0 ? "" : ":" + r.getPortRedirect();
    String path = RouteSelector.pathOnly(call.path());
    String query = call.path().substring(path.length());
    switch (r.getPathRewriteSpecifierCase()) {
      case PATH_REDIRECT:
        path = r.getPathRedirect();
        break;
      case PREFIX_REWRITE:
        if (route.getMatch().hasPrefix()) {
          path =
              r.getPrefixRewrite()
                  + path.substring(Math.min(path.length(), route.getMatch().getPrefix().length()));
        } else {
          path = r.getPrefixRewrite();
        }
        break;
      case REGEX_REWRITE:
        path =
            Pattern.compile(r.getRegexRewrite().getPattern().getRegex())
                .matcher(path)
                .replaceAll(r.getRegexRewrite().getSubstitution().replaceAll("\\\\(\\d)", "\\$$1"));
        break;
      default:
        break;
    }
    if (r.getStripQuery()) {
      query = "";
    }
    switch (r.getResponseCode()) {
      case FOUND:
        t.status = 302;
        break;
      case SEE_OTHER:
        t.status = 303;
        break;
      case TEMPORARY_REDIRECT:
        t.status = 307;
        break;
      case PERMANENT_REDIRECT:
        t.status = 308;
        break;
      default:
        t.status = 301;
        break;
    }
    return t.fail(Result.Failure.REDIRECT, scheme + "://" + host + port + path + query);
  }

  private Optional<Listener> listener(Call call) {
    switch (call.mode()) {
      case INBOUND:
        for (Listener l : listeners) {
          if (l.getName().equals(VIRTUAL_INBOUND)) {
            return Optional.of(l);
          }
        }
        return Optional.empty();
      case GATEWAY:
        {
          Optional<Listener> exact = bySocket(call.address(), call.port(), true);
          return exact.isPresent() ? exact : bySocket(wildcard(call.address()), call.port(), true);
        }
      case OUTBOUND:
      default:
        {
          Listener capture = null;
          for (Listener l : listeners) {
            if (l.getUseOriginalDst().getValue()
                && !l.getName().equals(VIRTUAL_INBOUND)
                && port(l.getAddress()) != VIRTUAL_INBOUND_PORT) {
              capture = l;
              break;
            }
          }
          if (capture == null) {
            return Optional.empty();
          }
          Optional<Listener> exact = bySocket(call.address(), call.port(), false);
          if (exact.isPresent()) {
            return exact;
          }
          Optional<Listener> any = bySocket(wildcard(call.address()), call.port(), false);
          return any.isPresent() ? any : Optional.of(capture);
        }
    }
  }

  private Optional<Listener> bySocket(String address, int port, boolean mustBind) {
    for (Listener l : listeners) {
      if (mustBind && !bindsPort(l)) {
        continue;
      }
      if (l.getAddress().hasSocketAddress()
          && l.getAddress().getSocketAddress().getAddress().equals(address)
          && port(l.getAddress()) == port) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  private static String wildcard(String address) {
    return address.contains(":") ? "::" : "0.0.0.0";
  }

  private static boolean bindsPort(Listener l) {
    return !l.hasBindToPort() || l.getBindToPort().getValue();
  }

  private static int port(Address a) {
    return a.getSocketAddress().getPortValue();
  }

  private static String socket(Address a) {
    return a.getSocketAddress().getAddress() + ":" + a.getSocketAddress().getPortValue();
  }

  /** Whether the listener runs {@code filter} for a connection to {@code port}. */
  static boolean hasListenerFilter(Listener l, String filter, int port) {
    for (ListenerFilter f : l.getListenerFiltersList()) {
      if (f.getName().equals(filter)) {
        return !f.hasFilterDisabled() || !predicate(f.getFilterDisabled(), port);
      }
    }
    return false;
  }

  static boolean predicate(ListenerFilterChainMatchPredicate p, int port) {
    switch (p.getRuleCase()) {
      case OR_MATCH:
        for (ListenerFilterChainMatchPredicate r : p.getOrMatch().getRulesList()) {
          if (predicate(r, port)) {
            return true;
          }
        }
        return false;
      case AND_MATCH:
        for (ListenerFilterChainMatchPredicate r : p.getAndMatch().getRulesList()) {
          if (!predicate(r, port)) {
            return false;
          }
        }
        return true;
      case NOT_MATCH:
        return !predicate(p.getNotMatch(), port);
      case ANY_MATCH:
        return p.getAnyMatch();
      case DESTINATION_PORT_RANGE:
        return port >= p.getDestinationPortRange().getStart()
            && port < p.getDestinationPortRange().getEnd();
      default:
        throw new IllegalArgumentException("listener filter predicate " + p.getRuleCase());
    }
  }

  private static boolean isTls(Any any) {
    return any.is(DownstreamTlsContext.class);
  }

  private static boolean requiresClientCertificate(Any any) {
    return unpack(any, DownstreamTlsContext.class).getRequireClientCertificate().getValue();
  }

  private static <T extends Message> T unpack(Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("unreadable " + type.getSimpleName(), e);
    }
  }

  /** The stages reached so far. */
  private static final class Trace {
    String listener = "";
    String filterChain = "";
    String routeConfig = "";
    String virtualHost = "";
    String route = "";
    String cluster = "";
    final SortedMap<String, Integer> weights = new TreeMap<>();
    int status;

    Result fail(Result.Failure f, String detail) {
      return new Result(
          Optional.of(f),
          detail,
          listener,
          filterChain,
          routeConfig,
          virtualHost,
          route,
          cluster,
          weights,
          status,
          new TreeSet<>());
    }

    Result done(Set<String> known) {
      TreeSet<String> undefined = new TreeSet<>();
      if (!cluster.isEmpty() && !known.contains(cluster)) {
        undefined.add(cluster);
      }
      for (String w : weights.keySet()) {
        if (!known.contains(w)) {
          undefined.add(w);
        }
      }
      return new Result(
          Optional.empty(),
          "",
          listener,
          filterChain,
          routeConfig,
          virtualHost,
          route,
          cluster,
          weights,
          status,
          undefined);
    }
  }
}
