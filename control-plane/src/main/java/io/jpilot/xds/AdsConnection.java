package io.jpilot.xds;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.push.GeneratedResources;
import io.jpilot.push.PushEngine;
import io.jpilot.push.XdsResource;
import io.jpilot.translate.XdsType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One state-of-the-world ADS stream: the proxy's subscriptions, what was sent and acknowledged per
 * type. The stream mechanics (node, push loop, deferral, lifecycle) are {@link XdsConnection}'s.
 *
 * <p>Endpoints (EDS) are paced by the client, as they are what changes most often:
 *
 * <ul>
 *   <li>At most one EDS response awaits its answer (ACK or NACK). A push that finds one waiting is
 *       held; when the answer arrives, the newest EDS is sent if it differs from what was sent.
 *       So a client that is still reading an older response never has a superseded one queued
 *       behind it: it gets the newest state next.
 *   <li>A push sends only the ClusterLoadAssignments whose bytes changed since the last response
 *       (SotW EDS responses may be partial: clients keep the assignments a response leaves out,
 *       as they do for RDS; CDS and LDS responses always carry every resource). Answers to
 *       requests (a first request, a changed subscription) carry every subscribed assignment.
 * </ul>
 */
final class AdsConnection
    extends XdsConnection<DiscoveryRequest, DiscoveryResponse, AdsConnection.TypeState> {
  private static final Logger LOG = LoggerFactory.getLogger(AdsConnection.class);

  /** What was asked for and sent for one type. */
  static final class TypeState extends SyncState {
    /** Everything the client holds for the subscription, as last generated and sent. */
    GeneratedResources sent;

    /** A response was sent and the client has not answered it yet (EDS only). */
    boolean awaitingAnswer;

    /** A push came while {@link #awaitingAnswer}: send the newest when the answer arrives. */
    boolean pushHeld;

    @Override
    SortedMap<String, Message> resources() {
      return sent == null ? Collections.emptySortedMap() : sent.messages();
    }
  }

  AdsConnection(
      XdsServer server,
      PushEngine engine,
      XdsMetrics metrics,
      ServerCallStreamObserver<DiscoveryResponse> out,
      long number,
      String peer,
      Clock clock) {
    super(
        "ADS",
        DiscoveryRequest::getNode,
        DiscoveryRequest::getTypeUrl,
        server,
        engine,
        metrics,
        out,
        number,
        peer,
        clock);
  }

  /** istiod's shouldRespond: initial request, stale nonce, NACK, ACK, or a changed subscription. */
  @Override
  void handle(XdsType type, DiscoveryRequest request) {
    SortedSet<String> names = names(request);
    TypeState state = types.get(type);
    String nonce = request.getResponseNonce();
    if (state == null || nonce.isEmpty()) {
      // First request for the type on this stream (or a client that reconnected): answer it.
      if (state == null) {
        state = new TypeState();
        types.put(type, state);
      }
      state.wildcard =
          !type.namedByParent()
              && (request.getResourceNamesCount() == 0
                  || request.getResourceNamesList().contains("*"));
      state.names = NameSets.names(names);
      subscriptionChanged(type, state);
      respond(type, state, newest(engine.snapshot()), false);
      releaseHeld(type, state);
      return;
    }
    if (!nonce.equals(state.sentNonce)) {
      expiredNonce(type, nonce);
      return;
    }
    state.awaitingAnswer = false;
    if (request.hasErrorDetail() && request.getErrorDetail().getCode() != 0) {
      state.lastNack =
          rejected(type, state.sentVersion, nonce, request.getErrorDetail().getMessage());
      // Not answered: only a later change in the generated resources sends this type again.
      releaseHeld(type, state);
      return;
    }
    state.acked(request.getVersionInfo(), nonce);
    // xDS wildcard rules for CDS/LDS: "*" asks for everything; an empty list keeps a legacy
    // wildcard subscription (one that never named anything) and otherwise means "nothing".
    boolean wildcard =
        !type.namedByParent()
            && (request.getResourceNamesList().contains("*")
                || (request.getResourceNamesCount() == 0
                    && state.wildcard
                    && state.names.isEmpty()));
    if (!names.equals(state.names) || wildcard != state.wildcard) {
      state.names = NameSets.names(names);
      state.wildcard = wildcard;
      subscriptionChanged(type, state);
      respond(type, state, newest(engine.snapshot()), false);
    }
    releaseHeld(type, state);
  }

  /** Sends a held push of {@code type} now that the client answered (unless already answered). */
  private void releaseHeld(XdsType type, TypeState state) {
    if (state.pushHeld && !state.awaitingAnswer) {
      state.pushHeld = false;
      respond(type, state, newest(engine.snapshot()), true);
    }
    if (closed) {
      return;
    }
    for (TypeState s : types.values()) {
      if (s.pushHeld) {
        return;
      }
    }
    heldPushesDone();
  }

  private void subscriptionChanged(XdsType type, TypeState state) {
    if (type == XdsType.ENDPOINT) {
      endpointSubscription(state.wildcard, state.names);
    }
  }

  private static SortedSet<String> names(DiscoveryRequest request) {
    SortedSet<String> names = new TreeSet<>(request.getResourceNamesList());
    names.remove("*"); // kept as the wildcard flag
    return Collections.unmodifiableSortedSet(names);
  }

  @Override
  Pushed pushType(XdsType type, MeshSnapshot snapshot) {
    TypeState state = types.get(type);
    if (state.awaitingAnswer) {
      state.pushHeld = true;
      return Pushed.HELD;
    }
    return respond(type, state, snapshot, true) ? Pushed.SENT : Pushed.UNCHANGED;
  }

  /**
   * Generates {@code type} and sends it, unless {@code onlyIfChanged} and it equals what was last
   * sent for the type. A push ({@code onlyIfChanged}) of EDS sends only the assignments that
   * changed. Returns true when a response was sent.
   */
  private boolean respond(
      XdsType type, TypeState state, MeshSnapshot snapshot, boolean onlyIfChanged) {
    long start = engine.nanoTime();
    GeneratedResources resources = generate(type, state.wildcard, state.names, snapshot);
    if (resources == null || (onlyIfChanged && resources.sameResources(state.sent))) {
      return false;
    }
    UnknownFieldSet carried;
    int count;
    List<XdsResource> changed =
        onlyIfChanged && type == XdsType.ENDPOINT ? changedSince(state.sent, resources) : null;
    if (changed == null) {
      carried =
          resources.wireForm(
              UnknownFieldSet.class,
              r ->
                  WireResources.asField(
                      DiscoveryResponse.RESOURCES_FIELD_NUMBER, r.resources().values()));
      count = resources.size();
    } else if (changed.isEmpty()) {
      state.sent = resources; // only names the client no longer asks for differ
      return false;
    } else {
      carried = WireResources.asField(DiscoveryResponse.RESOURCES_FIELD_NUMBER, changed);
      count = changed.size();
    }
    String version = Long.toString(snapshot.version());
    String nonce = nextNonce();
    DiscoveryResponse.Builder response =
        DiscoveryResponse.newBuilder()
            .setVersionInfo(version)
            .setTypeUrl(type.typeUrl())
            .setNonce(nonce);
    response.setUnknownFields(carried);
    DiscoveryResponse built = response.build();
    if (!send(type, built, built.getSerializedSize(), start)) {
      return false;
    }
    state.sent(version, nonce, clock.instant());
    state.sent = resources;
    state.awaitingAnswer = type == XdsType.ENDPOINT;
    state.pushHeld = false;
    LOG.debug(
        "ADS:{} {}: sent version={} nonce={} resources={} of {}",
        type.shortName(),
        connectionId,
        version,
        nonce,
        count,
        resources.size());
    return true;
  }

  /**
   * The resources of {@code now} that the client does not hold at their version after {@code
   * before} was sent, in name order; null when all of them are (nothing was sent yet, or every
   * one changed), so the whole shared response applies.
   */
  private static List<XdsResource> changedSince(GeneratedResources before, GeneratedResources now) {
    if (before == null) {
      return null;
    }
    // Both are sorted by name: walk them side by side.
    Iterator<XdsResource> held = before.resources().values().iterator();
    XdsResource h = held.hasNext() ? held.next() : null;
    List<XdsResource> out = new ArrayList<>();
    for (XdsResource r : now.resources().values()) {
      int order = -1;
      while (h != null && (order = h.name().compareTo(r.name())) < 0) {
        h = held.hasNext() ? held.next() : null;
      }
      if (h == null || order != 0 || !h.version().equals(r.version())) {
        out.add(r);
      }
    }
    return out.size() == now.size() ? null : out;
  }
}
