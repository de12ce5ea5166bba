package io.jpilot.xds;

import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.push.GeneratedResources;
import io.jpilot.push.PushEngine;
import io.jpilot.translate.XdsType;
import java.time.Clock;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One state-of-the-world ADS stream: the proxy's subscriptions, what was sent and acknowledged per
 * type. The stream mechanics (node, push loop, deferral, lifecycle) are {@link XdsConnection}'s.
 */
final class AdsConnection
    extends XdsConnection<DiscoveryRequest, DiscoveryResponse, AdsConnection.TypeState> {
  private static final Logger LOG = LoggerFactory.getLogger(AdsConnection.class);

  /** What was asked for and sent for one type. */
  static final class TypeState extends SyncState {
    GeneratedResources sent;

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
      return;
    }
    if (!nonce.equals(state.sentNonce)) {
      expiredNonce(type, nonce);
      return;
    }
    if (request.hasErrorDetail() && request.getErrorDetail().getCode() != 0) {
      state.lastNack =
          rejected(type, state.sentVersion, nonce, request.getErrorDetail().getMessage());
      // Not answered: only a later change in the generated resources sends this type again.
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
  boolean pushType(XdsType type, MeshSnapshot snapshot) {
    return respond(type, types.get(type), snapshot, true);
  }

  /**
   * Generates {@code type} and sends it, unless {@code onlyIfChanged} and it equals what was last
   * sent for the type. Returns true when a response was sent.
   */
  private boolean respond(
      XdsType type, TypeState state, MeshSnapshot snapshot, boolean onlyIfChanged) {
    long start = engine.nanoTime();
    GeneratedResources resources = generate(type, state.wildcard, state.names, snapshot);
    if (resources == null || (onlyIfChanged && resources.sameResources(state.sent))) {
      return false;
    }
    String version = Long.toString(snapshot.version());
    String nonce = nextNonce();
    DiscoveryResponse.Builder response =
        DiscoveryResponse.newBuilder()
            .setVersionInfo(version)
            .setTypeUrl(type.typeUrl())
            .setNonce(nonce);
    response.setUnknownFields(
        resources.wireForm(
            UnknownFieldSet.class,
            r ->
                WireResources.asField(
                    DiscoveryResponse.RESOURCES_FIELD_NUMBER, r.resources().values())));
    DiscoveryResponse built = response.build();
    if (!send(type, built, built.getSerializedSize(), start)) {
      return false;
    }
    state.sent(version, nonce, clock.instant());
    state.sent = resources;
    LOG.debug(
        "ADS:{} {}: sent version={} nonce={} resources={}",
        type.shortName(),
        connectionId,
        version,
        nonce,
        resources.size());
    return true;
  }
}
