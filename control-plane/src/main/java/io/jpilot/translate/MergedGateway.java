package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.config.Gateway;
import io.jpilot.model.config.GatewayServer;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * istiod's MergedGateway: every Gateway server that applies to one gateway proxy, grouped by the
 * port the proxy listens on (the gateway Service's target port), with the RDS route names.
 *
 * @param serverPorts the listening ports, in the order istiod meets them
 * @param servers the servers on each listening port, and their shared route name (HTTP)
 * @param serversByRouteName the servers behind each RDS route configuration
 * @param tlsServers for servers with TLS settings: their SNI hosts and route name
 */
record MergedGateway(
    List<ServerPort> serverPorts,
    Map<ServerPort, MergedServers> servers,
    Map<String, List<BoundServer>> serversByRouteName,
    Map<BoundServer, TlsServerInfo> tlsServers) {

  static final MergedGateway EMPTY = new MergedGateway(List.of(), Map.of(), Map.of(), Map.of());

  MergedGateway {
    serverPorts = List.copyOf(serverPorts);
    servers = Map.copyOf(servers);
    serversByRouteName = Map.copyOf(serversByRouteName);
    tlsServers = Map.copyOf(tlsServers);
  }

  boolean isEmpty() {
    return serverPorts.isEmpty();
  }

  Optional<TlsServerInfo> tls(BoundServer s) {
    return Optional.ofNullable(tlsServers.get(s));
  }

  /**
   * A port the gateway proxy listens on.
   *
   * @param protocol the server protocol as written
   * @param bind the server's bind address; empty for the wildcard
   */
  record ServerPort(int number, String protocol, String bind) {
    ServerPort {
      requireNonNull(protocol, "protocol");
      requireNonNull(bind, "bind");
    }
  }

  /** The servers on one listening port and, for HTTP ports, their route name. */
  record MergedServers(List<BoundServer> servers, String routeName) {
    MergedServers {
      servers = List.copyOf(servers);
      requireNonNull(routeName, "routeName");
    }
  }

  /** A terminated or passthrough TLS server's SNI hosts (sorted) and route name. */
  record TlsServerInfo(List<String> sniHosts, String routeName) {
    TlsServerInfo {
      sniHosts = List.copyOf(sniHosts);
      requireNonNull(routeName, "routeName");
    }
  }

  /**
   * One server of one Gateway, with its hosts as istiod sanitizes them ({@code ./h} becomes {@code
   * <gateway ns>/h}, {@code *}{@code /h} becomes {@code h}).
   *
   * @param index the server's position in its Gateway (servers are otherwise equal by value)
   */
  record BoundServer(Gateway gateway, int index, GatewayServer server, List<String> hosts) {
    BoundServer {
      requireNonNull(gateway, "gateway");
      requireNonNull(server, "server");
      hosts = List.copyOf(hosts);
    }

    /** {@code namespace/name} of the Gateway. */
    String gatewayName() {
      return gateway.qualifiedName();
    }
  }
}
