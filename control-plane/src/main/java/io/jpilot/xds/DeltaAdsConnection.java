package io.jpilot.xds;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.stub.ServerCallStreamObserver;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.push.GeneratedResources;
import io.jpilot.push.PushEngine;
import io.jpilot.push.XdsResource;
import io.jpilot.translate.XdsType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One incremental ("delta") ADS stream: per type, the names subscribed to (and whether the
 * subscription is a wildcard), and the version of every resource the client is taken to hold.
 * Each response carries only the resources that are new to the client or whose version changed,
 * and names in {@code removed_resources} the ones it holds that no longer exist.
 *
 * <p>Subscriptions. For CDS and LDS, a first request naming nothing subscribes to every resource
 * (wildcard), as does subscribing to {@code *}; unsubscribing {@code *} ends the wildcard, after
 * which the resources not named explicitly are removed. EDS and RDS are never wildcard: {@code *}
 * is ignored there, and the names of {@code initial_resource_versions} count as subscribed.
 * Unsubscribing a name makes the client forget it: nothing is removed for it, and if a wildcard
 * still covers it, it is sent again.
 *
 * <p>What the client holds. On (re)connect it is {@code initial_resource_versions}: a resource
 * whose version there equals the current one is not sent again, a stale one is, and a name that
 * no longer exists is removed. After that it is what the server last sent, whether ACKed yet or
 * not; a NACK is recorded (status, {@code pilot_total_xds_rejects}, a warning) but does not roll it
 * back, so a rejected resource is never sent again unchanged: the next version that differs is
 * (istiod does the same). {@code system_version_info} is the snapshot version; the nonce is unique.
 */
final class DeltaAdsConnection
    extends XdsConnection<
        DeltaDiscoveryRequest, DeltaDiscoveryResponse, DeltaAdsConnection.TypeState> {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaAdsConnection.class);
  private static final String WILDCARD = "*";

  /** Responses awaiting ACK/NACK kept per type; older ones count as expired. */
  private static final int MAX_IN_FLIGHT = 16;

  /** One type's subscription and what the client holds. */
  static final class TypeState extends SyncState {
    /** Resource name → version the client holds. */
    Map<String, String> held = new TreeMap<>();

    /** What was generated for the last response (the resources the client holds), or null. */
    GeneratedResources last;

    /** Nonce → system version of the responses sent and not yet ACKed or NACKed. */
    final Map<String, String> inFlight =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_IN_FLIGHT;
          }
        };

    /** The resources the client holds (by the last response), less any it unsubscribed since. */
    @Override
    SortedMap<String, Message> resources() {
      if (last == null) {
        return Collections.emptySortedMap();
      }
      SortedMap<String, Message> out = new TreeMap<>(last.messages());
      out.keySet().retainAll(held.keySet());
      return out;
    }

    /** The client no longer holds {@code name} (it unsubscribed). */
    void forget(String name) {
      if (held.containsKey(name)) {
        held = new TreeMap<>(held);
        held.remove(name);
      }
    }
  }

  DeltaAdsConnection(
      XdsServer server,
      PushEngine engine,
      XdsMetrics metrics,
      ServerCallStreamObserver<DeltaDiscoveryResponse> out,
      long number,
      String peer,
      Clock clock) {
    super(
        "Delta ADS",
        DeltaDiscoveryRequest::getNode,
        DeltaDiscoveryRequest::getTypeUrl,
        server,
        engine,
        metrics,
        out,
        number,
        peer,
        clock);
  }

  @Override
  void handle(XdsType type, DeltaDiscoveryRequest request) {
    TypeState state = types.get(type);
    boolean first = state == null;
    if (first) {
      state = new TypeState();
      types.put(type, state);
    } else {
      acknowledged(type, state, request);
    }

    boolean more = first; // subscribed to something new: always answered
    boolean changed = first;
    if (first) {
      state.wildcard = !type.namedByParent() && request.getResourceNamesSubscribeCount() == 0;
      state.held = new TreeMap<>(request.getInitialResourceVersionsMap());
      if (type.namedByParent()) {
        state.names.addAll(state.held.keySet());
      }
    }
    for (String name : request.getResourceNamesSubscribeList()) {
      if (name.equals(WILDCARD)) {
        if (!type.namedByParent() && !state.wildcard) {
          state.wildcard = true;
          more = true;
        }
      } else if (state.names.add(name)) {
        more = true;
      }
    }
    for (String name : request.getResourceNamesUnsubscribeList()) {
      if (name.equals(WILDCARD)) {
        changed |= state.wildcard;
        state.wildcard = false;
      } else if (state.names.remove(name)) {
        state.forget(name);
        changed = true;
      }
    }
    if (!more && !changed) {
      return; // an ACK or NACK alone
    }
    if (type == XdsType.ENDPOINT) {
      endpointSubscription(state.wildcard, state.names);
    }
    // New names are always answered (even with nothing, so the client's fetch completes); a
    // subscription that only shrank is answered only if that changes what the client should hold.
    respond(type, state, newest(engine.snapshot()), more);
  }

  /** Records the ACK or NACK a request carries, if any. */
  private void acknowledged(XdsType type, TypeState state, DeltaDiscoveryRequest request) {
    String nonce = request.getResponseNonce();
    if (nonce.isEmpty()) {
      return;
    }
    String version = state.inFlight.remove(nonce);
    if (version == null) {
      expiredNonce(type, nonce);
      return;
    }
    if (request.hasErrorDetail() && request.getErrorDetail().getCode() != 0) {
      state.lastNack = rejected(type, version, nonce, request.getErrorDetail().getMessage());
      return;
    }
    state.acked(version, nonce);
  }

  @Override
  Pushed pushType(XdsType type, MeshSnapshot snapshot) {
    return respond(type, types.get(type), snapshot, false) ? Pushed.SENT : Pushed.UNCHANGED;
  }

  /**
   * Generates {@code type} for the subscription and sends what the client lacks: resources it does
   * not hold at their current version, and the names it holds that are gone. With nothing to send,
   * sends an empty response only if {@code always}. Returns true when a response was sent.
   */
  private boolean respond(XdsType type, TypeState state, MeshSnapshot snapshot, boolean always) {
    long start = engine.nanoTime();
    GeneratedResources generated = generate(type, state.wildcard, state.names, snapshot);
    if (generated == null) {
      return false;
    }
    if (!always
        && state.last != null
        && state.held == state.last.versions() // nothing forgotten since
        && generated.sameResources(state.last)) {
      return false; // the common push: this type did not change for the proxy
    }
    List<XdsResource> changed = new ArrayList<>();
    for (XdsResource r : generated.resources().values()) {
      if (!r.version().equals(state.held.get(r.name()))) {
        changed.add(r);
      }
    }
    List<String> removed = new ArrayList<>();
    for (String name : state.held.keySet()) {
      if (!generated.resources().containsKey(name)) {
        removed.add(name);
      }
    }
    if (changed.isEmpty() && removed.isEmpty() && !always) {
      return false;
    }
    String version = Long.toString(snapshot.version());
    String nonce = nextNonce();
    DeltaDiscoveryResponse.Builder response =
        DeltaDiscoveryResponse.newBuilder()
            .setSystemVersionInfo(version)
            .setTypeUrl(type.typeUrl())
            .setNonce(nonce)
            .addAllRemovedResources(removed);
    for (XdsResource r : changed) {
      response.addResources(
          Resource.newBuilder()
              .setName(r.name())
              .setVersion(r.version())
              .setUnknownFields(
                  WireResources.asField(Resource.RESOURCE_FIELD_NUMBER, List.of(r))));
    }
    DeltaDiscoveryResponse built = response.build();
    if (!send(type, built, built.getSerializedSize(), start)) {
      return false;
    }
    // Every generated resource was either sent now or already held at its version.
    state.held = generated.versions();
    state.last = generated;
    state.sent(version, nonce, clock.instant());
    state.inFlight.put(nonce, version);
    LOG.debug(
        "Delta ADS:{} {}: sent version={} nonce={} resources={} removed={}",
        type.shortName(),
        connectionId,
        version,
        nonce,
        changed.size(),
        removed.size());
    return true;
  }
}
