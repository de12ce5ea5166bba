package io.jpilot.translate;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.Gateway;
import io.jpilot.model.config.GatewayServer;
import io.jpilot.model.registry.Endpoint;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import io.jpilot.translate.MergedGateway.BoundServer;
import io.jpilot.translate.MergedGateway.MergedServers;
import io.jpilot.translate.MergedGateway.ServerPort;
import io.jpilot.translate.MergedGateway.TlsServerInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * istiod's mergeGateways for one gateway proxy: the Gateways whose selector matches the proxy's
 * labels, their servers moved to the port the proxy really listens on (the target port of the
 * gateway Service that selects the proxy's pod), servers sharing a port merged the way istiod
 * merges them (HTTP servers share one route configuration {@code http.<port>}; TLS servers are told
 * apart by SNI; conflicting servers are dropped).
 */
final class GatewayMerger {
  private GatewayMerger() {}

  /** A gateway Service port as the proxy serves it. */
  record ServiceTarget(Service service, ServicePort port, int targetPort) {}

  static MergedGateway merge(MeshSnapshot snapshot, ProxyView proxy) {
    List<Gateway> gateways = new ArrayList<>();
    for (Gateway g : snapshot.gateways()) {
      if (g.selects(proxy.labels())) {
        gateways.add(g);
      }
    }
    if (gateways.isEmpty()) {
      return MergedGateway.EMPTY;
    }
    return new Builder(serviceTargets(snapshot, proxy)).merge(gateways);
  }

  /**
   * The proxy's service targets (istiod's ServiceTargets): the ports of every service with an
   * endpoint at one of the proxy's IPs, and of the Kubernetes Services in the proxy's namespace
   * whose selector matches its labels. The target port is the endpoint's port, else the Service's
   * numeric targetPort, else the port itself.
   */
  static List<ServiceTarget> serviceTargets(MeshSnapshot snapshot, ProxyView proxy) {
    List<ServiceTarget> out = new ArrayList<>();
    for (Service svc : snapshot.services().values()) {
      boolean selected =
          svc.namespace().equals(proxy.namespace())
              && !svc.selector().isEmpty()
              && proxy.labels().entrySet().containsAll(svc.selector().entrySet());
      List<Endpoint> own = new ArrayList<>();
      for (Endpoint e : snapshot.endpoints(svc.hostname())) {
        if (proxy.ips().contains(e.address())) {
          own.add(e);
        }
      }
      if (!selected && own.isEmpty()) {
        continue;
      }
      for (ServicePort p : svc.ports()) {
        int target = 0;
        for (Endpoint e : own) {
          if (e.servicePortName().equals(p.name())) {
            target = e.port();
            break;
          }
        }
        if (target == 0) {
          target = p.targetPort() != 0 ? p.targetPort() : p.port();
        }
        out.add(new ServiceTarget(svc, p, target));
      }
    }
    return out;
  }

  /** istiod's gatewayRDSRouteName; empty for servers without HTTP routes. */
  static String routeName(GatewayServer s, int resolvedPort, Gateway g) {
    String bind = s.bind().isEmpty() ? "" : "." + s.bind();
    Protocol p = s.port().protocol();
    if (p.isHttp()) {
      return "http." + resolvedPort + bind;
    }
    if (p == Protocol.HTTPS && !s.isPassthrough()) {
      return "https."
          + s.port().number()
          + "."
          + s.port().name()
          + "."
          + g.meta().name()
          + "."
          + g.meta().namespace()
          + bind;
    }
    return "";
  }

  /** istiod's sanitizeServerHostNamespace. */
  static List<String> sanitizeHosts(List<String> hosts, String namespace) {
    List<String> out = new ArrayList<>();
    for (String h : hosts) {
      int slash = h.indexOf('/');
      if (slash < 0) {
        out.add(h);
        continue;
      }
      String ns = h.substring(0, slash);
      String name = h.substring(slash + 1);
      if (ns.equals(".")) {
        out.add(namespace + "/" + name);
      } else if (ns.equals("*")) {
        if (name.equals("*")) {
          return List.of("*");
        }
        out.add(name);
      } else {
        out.add(h);
      }
    }
    return out;
  }

  /** istiod's GetSNIHostsForServer: hosts without their namespace, deduplicated, sorted. */
  static List<String> sniHosts(BoundServer s) {
    TreeSet<String> out = new TreeSet<>();
    for (String h : s.hosts()) {
      int slash = h.indexOf('/');
      out.add(slash < 0 ? h : h.substring(slash + 1));
    }
    return new ArrayList<>(out);
  }

  /** The mutable state of one merge. */
  private static final class Builder {
    private final List<ServiceTarget> targets;
    private final Set<Integer> gatewayPorts = new HashSet<>();
    private final Map<Integer, Set<String>> nonPlainTextBinds = new HashMap<>();
    private final Map<ServerPort, List<BoundServer>> merged = new LinkedHashMap<>();
    private final Map<ServerPort, String> mergedRouteNames = new HashMap<>();
    private final List<ServerPort> serverPorts = new ArrayList<>();
    private final Map<Integer, ServerPort> plainTextServers = new HashMap<>();
    private final Map<String, List<BoundServer>> serversByRouteName = new LinkedHashMap<>();
    private final Map<BoundServer, TlsServerInfo> tlsServers = new LinkedHashMap<>();

    /** listener port → host → bind, to drop servers whose TLS hosts repeat (Envoy rejects). */
    private final Map<Integer, Map<String, String>> tlsHostsByPort = new HashMap<>();

    Builder(List<ServiceTarget> targets) {
      this.targets = targets;
    }

    MergedGateway merge(List<Gateway> gateways) {
      for (Gateway g : gateways) {
        for (int i = 0; i < g.servers().size(); i++) {
          GatewayServer raw = g.servers().get(i);
          BoundServer s =
              new BoundServer(g, i, raw, sanitizeHosts(raw.hosts(), g.meta().namespace()));
          for (int port : resolvePorts(raw.port().number())) {
            add(g, s, port);
          }
        }
      }
      Map<ServerPort, MergedServers> servers = new LinkedHashMap<>();
      merged.forEach(
          (p, list) ->
              servers.put(p, new MergedServers(list, mergedRouteNames.getOrDefault(p, ""))));
      Map<String, List<BoundServer>> byRoute = new LinkedHashMap<>();
      serversByRouteName.forEach((k, v) -> byRoute.put(k, List.copyOf(v)));
      return new MergedGateway(serverPorts, servers, byRoute, tlsServers);
    }

    /**
     * istiod's resolvePorts for selector-based Gateways: the target port of the first service port
     * with this number, else the number itself.
     */
    private List<Integer> resolvePorts(int number) {
      for (ServiceTarget t : targets) {
        if (t.port().port() == number) {
          return List.of(t.targetPort());
        }
      }
      return List.of(number);
    }

    private void add(Gateway g, BoundServer s, int resolvedPort) {
      GatewayServer server = s.server();
      String routeName = routeName(server, resolvedPort, g);
      if (server.tls().isPresent()) {
        Map<String, String> known =
            tlsHostsByPort.computeIfAbsent(resolvedPort, k -> new HashMap<>());
        if (duplicateHosts(s.hosts(), server.bind(), known)) {
          return; // istiod: "skipping server on gateway ..., duplicate host names"
        }
        tlsServers.put(s, new TlsServerInfo(sniHosts(s), routeName));
      }
      ServerPort serverPort =
          new ServerPort(resolvedPort, server.port().protocolName(), server.bind());
      Protocol protocol = server.port().protocol();
      if (!gatewayPorts.contains(resolvedPort)) {
        gatewayPorts.add(resolvedPort);
        addPlainTextServer(s, serverPort, routeName);
        return;
      }
      ServerPort current = plainTextServers.get(resolvedPort);
      if (current != null) {
        boolean sameBind = current.bind().equals(serverPort.bind());
        if (!canMergeProtocols(Protocol.parse(current.protocol()), protocol) && sameBind) {
          return; // conflict with the existing server on this port
        }
        if (routeName.isEmpty() && sameBind) {
          return; // no RDS name for the server
        }
        if (!sameBind) {
          if (!merged.containsKey(serverPort)) {
            addPlainTextServer(s, serverPort, routeName);
          } else {
            mergedRouteNames.put(serverPort, routeName);
            merged.get(serverPort).add(s);
            serversByRouteName.computeIfAbsent(routeName, k -> new ArrayList<>()).add(s);
          }
        } else {
          merged.get(current).add(s);
          serversByRouteName.computeIfAbsent(routeName, k -> new ArrayList<>()).add(s);
        }
        return;
      }
      if (!server.isTls()) {
        plainTextServers.put(resolvedPort, serverPort);
        if (server.isHttp()) {
          serversByRouteName.put(routeName, new ArrayList<>(List.of(s)));
        }
        putNew(serverPort, s, routeName);
        return;
      }
      if (server.isHttp()) {
        if (routeName.isEmpty() || serversByRouteName.containsKey(routeName)) {
          return; // no route name, or a non-unique HTTPS port name
        }
        serversByRouteName.put(routeName, new ArrayList<>(List.of(s)));
      }
      boolean newBind =
          nonPlainTextBinds.computeIfAbsent(resolvedPort, k -> new HashSet<>()).add(server.bind());
      if (server.tls().isEmpty() && !newBind) {
        return; // TLS server without TLS options
      }
      if (!merged.containsKey(serverPort)) {
        merged.put(serverPort, new ArrayList<>(List.of(s)));
        serverPorts.add(serverPort);
      } else {
        merged.get(serverPort).add(s);
      }
    }

    private void addPlainTextServer(BoundServer s, ServerPort serverPort, String routeName) {
      if (!s.server().isTls()) {
        plainTextServers.put(serverPort.number(), serverPort);
      }
      if (s.server().isHttp()) {
        serversByRouteName.put(routeName, new ArrayList<>(List.of(s)));
      }
      putNew(serverPort, s, routeName);
    }

    private void putNew(ServerPort serverPort, BoundServer s, String routeName) {
      merged.put(serverPort, new ArrayList<>(List.of(s)));
      mergedRouteNames.put(serverPort, routeName);
      serverPorts.add(serverPort);
    }

    /** istiod's CheckDuplicates: records the hosts unless one is already known on this bind. */
    private static boolean duplicateHosts(
        List<String> hosts, String bind, Map<String, String> known) {
      for (String h : hosts) {
        String existing = known.get(h);
        if (existing != null && existing.equals(bind)) {
          return true;
        }
      }
      for (String h : hosts) {
        known.put(h, bind);
      }
      return false;
    }

    private static boolean canMergeProtocols(Protocol current, Protocol p) {
      return (current.isHttp() || current == p) && p.isHttp();
    }
  }
}
