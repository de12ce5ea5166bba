package io.jpilot.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import io.jpilot.debug.ConfigDumps;
import io.jpilot.debug.DebugViews;
import io.jpilot.model.Durations;
import io.jpilot.push.PushEngine;
import io.jpilot.push.PushSettings;
import io.jpilot.push.PushSummary;
import io.jpilot.push.SendBudget;
import io.jpilot.translate.XdsType;
import io.jpilot.xds.ConnectionStatus;
import io.jpilot.xds.XdsServer;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/** The /debug views over the ADS server's per-connection state and the push engine. */
final class XdsDebugViews implements DebugViews {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Push rounds {@link #pushStatus} lists. */
  static final int RECENT_PUSHES = 20;

  private final XdsServer xds;
  private final PushEngine engine;
  private final ArrayDeque<PushSummary> recent = new ArrayDeque<>(); // guarded by itself

  XdsDebugViews(XdsServer xds, PushEngine engine) {
    this.xds = xds;
    this.engine = engine;
    engine.addListener(this::finished);
  }

  private void finished(PushSummary summary) {
    synchronized (recent) {
      recent.addFirst(summary);
      if (recent.size() > RECENT_PUSHES) {
        recent.removeLast();
      }
    }
  }

  @Override
  public String pushStatus() {
    ObjectNode out = JSON.createObjectNode();
    PushSettings settings = engine.settings();
    ObjectNode s = out.putObject("settings");
    s.put("debounce_after", Durations.format(settings.debounceAfter()));
    s.put("debounce_max", Durations.format(settings.debounceMax()));
    s.put("push_throttle", settings.pushThrottle());
    s.put("send_budget_bytes", settings.sendBudgetBytes());
    out.put("snapshot_version", engine.snapshot().version());
    out.put("connected_proxies", engine.connectedProxies());
    out.put("queued_proxies", engine.queuedProxies());
    SendBudget budget = engine.sendBudget();
    ObjectNode b = out.putObject("send_budget");
    b.put("in_flight_bytes", budget.inFlight());
    b.put("limit_bytes", budget.limit());
    b.put("stale_streams", budget.expired());
    ArrayNode pushes = out.putArray("recent_pushes");
    List<PushSummary> copy;
    synchronized (recent) {
      copy = List.copyOf(recent);
    }
    for (PushSummary p : copy) {
      ObjectNode n = pushes.addObject();
      n.put("id", p.id());
      n.put("reasons", p.reasonLabels());
      n.put("full", p.full());
      n.put("proxies", p.proxies());
      n.put("changed", p.changed());
      n.put("duration_ms", p.duration().toMillis());
      n.put("version", p.version());
    }
    return write(out);
  }

  private static String write(Object node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
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
    return write(out);
  }
}
