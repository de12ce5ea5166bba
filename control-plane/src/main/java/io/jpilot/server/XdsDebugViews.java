package io.jpilot.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import io.jpilot.debug.ConfigDumps;
import io.jpilot.debug.DebugViews;
import io.jpilot.translate.XdsType;
import io.jpilot.xds.ConnectionStatus;
import io.jpilot.xds.XdsServer;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/** The /debug views over the ADS server's per-connection state. */
final class XdsDebugViews implements DebugViews {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final XdsServer xds;

  XdsDebugViews(XdsServer xds) {
    this.xds = xds;
  }

  @Override
  public Optional<String> configDump(String proxyId) {
    Optional<ConnectionStatus> match = find(xds.connections(), proxyId);
    if (match.isEmpty()) {
      return Optional.empty();
    }
    Map<XdsType, SortedMap<String, Message>> resources = new EnumMap<>(XdsType.class);
    Map<XdsType, String> versions = new EnumMap<>(XdsType.class);
    match.get().types().forEach(
        (type, status) -> {
          resources.put(type, status.sentResources());
          versions.put(type, status.sentVersion());
        });
    return Optional.of(ConfigDumps.toJson(ConfigDumps.build(resources, versions)));
  }

  /**
   * The newest connection whose node id is {@code proxyId}, or whose {@code pod.namespace} part is,
   * as istioctl accepts either.
   */
  static Optional<ConnectionStatus> find(List<ConnectionStatus> connections, String proxyId) {
    return connections.stream()
        .filter(c -> c.nodeId().equals(proxyId) || c.proxy().id().equals(proxyId))
        .max(Comparator.comparing(ConnectionStatus::connectedAt));
  }

  @Override
  public String syncz() {
    ArrayNode out = JSON.createArrayNode();
    List<ConnectionStatus> connections = xds.connections();
    connections.sort(Comparator.comparing(ConnectionStatus::nodeId));
    for (ConnectionStatus c : connections) {
      ObjectNode proxy = out.addObject();
      proxy.put("proxy", c.nodeId());
      proxy.put("connection", c.connectionId());
      proxy.put("peer", c.peer());
      proxy.put("connected_at", c.connectedAt().toString());
      proxy.put("generator", c.proxy().generator().name().toLowerCase(Locale.ROOT));
      for (Map.Entry<XdsType, ConnectionStatus.TypeStatus> e : c.types().entrySet()) {
        ConnectionStatus.TypeStatus t = e.getValue();
        ObjectNode type = proxy.putObject(e.getKey().shortName().toLowerCase(Locale.ROOT));
        type.put("sent_version", t.sentVersion());
        type.put("sent_nonce", t.sentNonce());
        type.put("acked_version", t.ackedVersion());
        type.put("acked_nonce", t.ackedNonce());
        type.put("status", t.sentNonce().isEmpty() ? "NOT_SENT" : t.acked() ? "SYNCED" : "STALE");
        type.put("resources", t.sentResources().size());
        t.lastNack()
            .ifPresent(
                n -> {
                  ObjectNode nack = type.putObject("last_nack");
                  nack.put("version", n.version());
                  nack.put("nonce", n.nonce());
                  nack.put("error", n.message());
                  nack.put("at", n.at().toString());
                });
      }
    }
    try {
      return JSON.writeValueAsString(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
