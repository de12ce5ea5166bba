package io.jpilot.xds;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import io.jpilot.model.ProxyView;
import io.jpilot.translate.XdsType;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A point-in-time copy of one ADS stream's state, for {@code /debug/syncz} and {@code
 * /debug/config_dump}.
 *
 * @param connectionId {@code <proxy id>-<n>}, unique within this server
 * @param nodeId the Envoy node id the stream announced
 * @param peer the client's address
 * @param types state per subscribed type, in push order (CDS, EDS, LDS, RDS)
 */
public record ConnectionStatus(
    String connectionId,
    String nodeId,
    ProxyView proxy,
    Instant connectedAt,
    String peer,
    Map<XdsType, TypeStatus> types) {

  public ConnectionStatus {
    requireNonNull(connectionId, "connectionId");
    requireNonNull(nodeId, "nodeId");
    requireNonNull(proxy, "proxy");
    requireNonNull(connectedAt, "connectedAt");
    requireNonNull(peer, "peer");
    EnumMap<XdsType, TypeStatus> copy = new EnumMap<>(XdsType.class);
    copy.putAll(types);
    types = Collections.unmodifiableMap(copy);
  }

  /**
   * One type's subscription on the stream.
   *
   * @param wildcard true when the proxy asked for every resource of the type (CDS/LDS with no
   *     names, or "*")
   * @param subscribedNames the names last requested (without "*")
   * @param sentVersion version_info of the last response sent ("" before the first)
   * @param sentNonce nonce of the last response sent ("" before the first)
   * @param sentAt when it was sent
   * @param ackedVersion version_info of the last ACK ("" before the first)
   * @param ackedNonce nonce of the last ACK ("" before the first)
   * @param lastNack the last rejection, kept after later ACKs
   * @param sentResources the resources of the last response, by name
   */
  public record TypeStatus(
      XdsType type,
      boolean wildcard,
      SortedSet<String> subscribedNames,
      String sentVersion,
      String sentNonce,
      Optional<Instant> sentAt,
      String ackedVersion,
      String ackedNonce,
      Optional<Nack> lastNack,
      SortedMap<String, Message> sentResources) {

    public TypeStatus {
      requireNonNull(type, "type");
      subscribedNames = Collections.unmodifiableSortedSet(new TreeSet<>(subscribedNames));
      requireNonNull(sentVersion, "sentVersion");
      requireNonNull(sentNonce, "sentNonce");
      requireNonNull(sentAt, "sentAt");
      requireNonNull(ackedVersion, "ackedVersion");
      requireNonNull(ackedNonce, "ackedNonce");
      requireNonNull(lastNack, "lastNack");
      sentResources = Collections.unmodifiableSortedMap(new TreeMap<>(sentResources));
    }

    /** True when the last response sent has been ACKed. */
    public boolean acked() {
      return !sentNonce.isEmpty() && sentNonce.equals(ackedNonce);
    }
  }

  /**
   * A rejected response.
   *
   * @param version the version_info of the rejected response
   * @param nonce its nonce
   * @param message the client's error_detail message
   */
  public record Nack(String version, String nonce, String message, Instant at) {
    public Nack {
      requireNonNull(version, "version");
      requireNonNull(nonce, "nonce");
      requireNonNull(message, "message");
      requireNonNull(at, "at");
    }
  }
}
