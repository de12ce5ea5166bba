package io.jpilot.xds;

import static io.jpilot.testing.DeltaAdsTestClient.names;
import static io.jpilot.xds.TestGenerator.clusterName;
import static io.jpilot.xds.XdsTesting.service;
import static io.jpilot.xds.XdsTesting.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.Status;
import io.jpilot.model.ConfigStore;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.push.PushEngine;
import io.jpilot.push.PushRequest;
import io.jpilot.push.PushRequest.Reason;
import io.jpilot.push.PushSettings;
import io.jpilot.push.PushSummary;
import io.jpilot.testing.AdsTestClient;
import io.jpilot.testing.DeltaAdsTestClient;
import io.jpilot.translate.XdsType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Incremental ADS over real gRPC on 127.0.0.1, with {@link TestGenerator}'s resources. */
class DeltaAdsServerTest {
  private static final String A = "a.default.svc.cluster.local";
  private static final String B = "b.default.svc.cluster.local";

  private final ConfigStore store = new ConfigStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final TestGenerator generator = new TestGenerator();
  private final BlockingQueue<PushSummary> summaries = new LinkedBlockingQueue<>();
  private final List<DeltaAdsTestClient> clients = new ArrayList<>();
  private PushEngine engine;
  private XdsServer server;
  private int probes;

  @BeforeEach
  void start() throws Exception {
    store.put(service("a"));
    store.put(slice("a", "10.1.0.1"));
    engine =
        new PushEngine(
            store,
            "cluster.local",
            new PushSettings(Duration.ZERO, Duration.ofSeconds(10), 2),
            generator,
            meters);
    engine.addListener(summaries::add);
    engine.start();
    server = new XdsServer("127.0.0.1", 0, engine, meters);
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (DeltaAdsTestClient c : clients) {
      c.close();
    }
    server.close();
    engine.close();
  }

  private DeltaAdsTestClient connect() {
    return connect(AdsTestClient.defaultNode());
  }

  private DeltaAdsTestClient connect(Node node) {
    DeltaAdsTestClient c = new DeltaAdsTestClient(server.port(), node);
    clients.add(c);
    return c;
  }

  private static Node node(String pod) {
    return AdsTestClient.defaultNode().toBuilder()
        .setId("sidecar~10.1.0.9~" + pod + ".default~default.svc.cluster.local")
        .build();
  }



  private PushSummary push(boolean full, Set<ConfigKey> changed, Reason reason)
      throws InterruptedException {
    engine.request(PushRequest.now(full, changed, reason));
    PushSummary s = summaries.poll(10, TimeUnit.SECONDS);
    assertThat(s).as("push summary").isNotNull();
    return s;
  }

  private PushSummary push() throws InterruptedException {
    return push(true, Set.of(), Reason.CONFIG);
  }

  private ConnectionStatus awaitStatus(Predicate<ConnectionStatus> condition) throws Exception {
    return XdsTesting.awaitStatus(server, condition);
  }

  /**
   * Proves nothing else is in flight on the stream: subscribes to one more route name and expects
   * the very next response to carry that route alone. Responses on one stream arrive in order.
   */
  private void probe(DeltaAdsTestClient c) throws Exception {
    String name = "probe-" + (++probes);
    c.subscribe(XdsType.ROUTE, name);
    DeltaDiscoveryResponse r = c.next(XdsType.ROUTE);
    assertThat(names(r)).containsExactly(name);
    assertThat(r.getRemovedResourcesList()).isEmpty();
    c.ack(r);
  }

  private static List<String> addresses(DeltaDiscoveryResponse eds, String cluster)
      throws Exception {
    List<String> out = new ArrayList<>();
    for (Resource r : eds.getResourcesList()) {
      ClusterLoadAssignment cla = r.getResource().unpack(ClusterLoadAssignment.class);
      if (cla.getClusterName().equals(cluster)) {
        for (var locality : cla.getEndpointsList()) {
          for (LbEndpoint e : locality.getLbEndpointsList()) {
            out.add(e.getEndpoint().getAddress().getSocketAddress().getAddress());
          }
        }
      }
    }
    return out;
  }

  @Test
  void aWildcardClusterSubscriptionGetsEveryClusterWithItsVersion() throws Exception {
    store.put(service("b"));
    push();
    DeltaAdsTestClient c = connect();

    c.subscribe(XdsType.CLUSTER);
    DeltaDiscoveryResponse cds = c.next(XdsType.CLUSTER);
    assertThat(names(cds)).containsExactly(clusterName(A), clusterName(B));
    assertThat(cds.getSystemVersionInfo()).isEqualTo("1");
    assertThat(cds.getNonce()).isNotEmpty();
    assertThat(cds.getRemovedResourcesList()).isEmpty();
    Resource a = cds.getResources(0);
    assertThat(a.getResource().getTypeUrl()).isEqualTo(XdsType.CLUSTER.typeUrl());
    assertThat(a.getResource().unpack(Cluster.class).getName()).isEqualTo(clusterName(A));
    String expected =
        engine
            .resources(engine.snapshot(), awaitStatus(s -> true).proxy(), XdsType.CLUSTER, Set.of())
            .resources()
            .get(clusterName(A))
            .version();
    assertThat(a.getVersion()).isEqualTo(expected);

    c.subscribe(XdsType.LISTENER);
    DeltaDiscoveryResponse lds = c.next(XdsType.LISTENER);
    assertThat(names(lds)).containsExactly(A + "_80", B + "_80");
    assertThat(lds.getNonce()).isNotEqualTo(cds.getNonce());

    // The debug views see the stream like any other.
    ConnectionStatus s = awaitStatus(st -> st.types().size() == 2);
    assertThat(s.nodeId()).isEqualTo(AdsTestClient.NODE_ID);
    ConnectionStatus.TypeStatus t = s.types().get(XdsType.CLUSTER);
    assertThat(t.wildcard()).isTrue();
    assertThat(t.sentVersion()).isEqualTo("1");
    assertThat(t.sentNonce()).isEqualTo(cds.getNonce());
    assertThat(t.sentResources()).containsOnlyKeys(clusterName(A), clusterName(B));
    assertThat(t.acked()).isFalse();
    c.ack(cds);
    t = awaitStatus(st -> st.types().get(XdsType.CLUSTER).acked()).types().get(XdsType.CLUSTER);
    assertThat(t.ackedVersion()).isEqualTo("1");
    assertThat(t.ackedNonce()).isEqualTo(cds.getNonce());
    assertThat(meters.get("pilot_xds_pushes").tag("type", "cds").counter().count()).isEqualTo(1);
    assertThat(meters.get("pilot_xds").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void aRemovedServiceIsSentAsItsRemovedClusterAndNothingElse() throws Exception {
    store.put(service("b"));
    push();
    DeltaAdsTestClient c = connect();
    c.subscribe(XdsType.CLUSTER);
    c.ack(c.next(XdsType.CLUSTER));
    c.subscribe(XdsType.LISTENER);
    c.ack(c.next(XdsType.LISTENER));

    store.remove(service("b").key());
    PushSummary s = push(true, Set.of(service("b").key()), Reason.SERVICE);
    assertThat(s.changed()).isEqualTo(1);
    DeltaDiscoveryResponse cds = c.next(XdsType.CLUSTER);
    assertThat(cds.getResourcesList()).isEmpty();
    assertThat(cds.getRemovedResourcesList()).containsExactly(clusterName(B));
    assertThat(cds.getSystemVersionInfo()).isEqualTo(Long.toString(s.version()));
    DeltaDiscoveryResponse lds = c.next(XdsType.LISTENER);
    assertThat(lds.getResourcesList()).isEmpty();
    assertThat(lds.getRemovedResourcesList()).containsExactly(B + "_80");
    assertThat(c.held(XdsType.CLUSTER)).containsOnlyKeys(clusterName(A));
    c.ack(cds);
    c.ack(lds);
    probe(c);
    assertThat(
            awaitStatus(st -> true).types().get(XdsType.CLUSTER).sentResources())
        .containsOnlyKeys(clusterName(A));
  }

  @Test
  void endpointsAreSubscribedAndUnsubscribedByName() throws Exception {
    store.put(service("b"));
    store.put(slice("b", "10.2.0.1"));
    push();
    DeltaAdsTestClient c = connect();

    c.subscribe(XdsType.ENDPOINT, clusterName(A));
    DeltaDiscoveryResponse first = c.next(XdsType.ENDPOINT);
    assertThat(names(first)).containsExactly(clusterName(A));
    assertThat(addresses(first, clusterName(A))).containsExactly("10.1.0.1");
    c.ack(first);

    // Adding a name sends that name alone; A is not sent again.
    c.subscribe(XdsType.ENDPOINT, clusterName(B));
    DeltaDiscoveryResponse second = c.next(XdsType.ENDPOINT);
    assertThat(names(second)).containsExactly(clusterName(B));
    assertThat(addresses(second, clusterName(B))).containsExactly("10.2.0.1");
    c.ack(second);

    // Dropping a name is not answered, and its later changes are not sent.
    c.unsubscribe(XdsType.ENDPOINT, clusterName(A));
    probe(c);
    ConnectionStatus.TypeStatus eds =
        awaitStatus(st -> st.types().get(XdsType.ENDPOINT).subscribedNames().size() == 1)
            .types()
            .get(XdsType.ENDPOINT);
    assertThat(eds.subscribedNames()).containsExactly(clusterName(B));
    assertThat(eds.sentResources()).containsOnlyKeys(clusterName(B));
    store.put(slice("a", "10.1.0.7"));
    store.put(slice("b", "10.2.0.7"));
    push();
    DeltaDiscoveryResponse changed = c.next(XdsType.ENDPOINT);
    assertThat(names(changed)).containsExactly(clusterName(B));
    assertThat(addresses(changed, clusterName(B))).containsExactly("10.2.0.7");
    assertThat(changed.getRemovedResourcesList()).isEmpty();
    c.ack(changed);
    probe(c);
  }

  @Test
  void aSubscribedEndpointNameIsRemovedWhenItsServiceGoesAndSentWhenItComesBack()
      throws Exception {
    generator.unknownEndpointsOmitted = true;
    store.put(service("b"));
    store.put(slice("b", "10.2.0.1"));
    push();
    DeltaAdsTestClient c = connect();
    String unknown = clusterName("c.default.svc.cluster.local");
    c.subscribe(XdsType.ENDPOINT, clusterName(A), clusterName(B), unknown);
    DeltaDiscoveryResponse eds = c.next(XdsType.ENDPOINT);
    assertThat(names(eds)).as("a name that does not exist is not sent").containsExactly(
        clusterName(A), clusterName(B));
    c.ack(eds);

    store.remove(service("b").key());
    push();
    DeltaDiscoveryResponse removed = c.next(XdsType.ENDPOINT);
    assertThat(removed.getResourcesList()).isEmpty();
    assertThat(removed.getRemovedResourcesList()).containsExactly(clusterName(B));
    c.ack(removed);
    assertThat(awaitStatus(st -> true).types().get(XdsType.ENDPOINT).subscribedNames())
        .as("still subscribed")
        .contains(clusterName(B), unknown);

    store.put(service("c"));
    store.put(slice("c", "10.3.0.1"));
    push();
    DeltaDiscoveryResponse appeared = c.next(XdsType.ENDPOINT);
    assertThat(names(appeared)).containsExactly(unknown);
    assertThat(addresses(appeared, unknown)).containsExactly("10.3.0.1");
    c.ack(appeared);
    assertThat(c.held(XdsType.ENDPOINT)).containsOnlyKeys(clusterName(A), unknown);
  }

  @Test
  void initialResourceVersionsAreNotSentAgainUnlessStaleOrGone() throws Exception {
    store.put(service("b"));
    push();
    DeltaAdsTestClient before = connect();
    before.subscribe(XdsType.CLUSTER);
    before.ack(before.next(XdsType.CLUSTER));
    Map<String, String> held = before.held(XdsType.CLUSTER);
    assertThat(held).containsOnlyKeys(clusterName(A), clusterName(B));
    before.close();

    // Reconnecting with exactly what is current: an empty answer, nothing resent.
    DeltaAdsTestClient current = connect(node("app-2"));
    current.resume(XdsType.CLUSTER, held);
    DeltaDiscoveryResponse none = current.next(XdsType.CLUSTER);
    assertThat(none.getResourcesList()).isEmpty();
    assertThat(none.getRemovedResourcesList()).isEmpty();
    assertThat(
            awaitStatus(st -> st.nodeId().contains("app-2")).types().get(XdsType.CLUSTER)
                .sentResources())
        .as("what the client holds")
        .containsOnlyKeys(clusterName(A), clusterName(B));

    // A stale version is resent; a name that no longer exists is removed.
    Map<String, String> stale = new TreeMap<>(held);
    stale.put(clusterName(A), "stale");
    stale.put(clusterName("gone.default.svc.cluster.local"), "v0");
    DeltaAdsTestClient staleClient = connect(node("app-3"));
    staleClient.resume(XdsType.CLUSTER, stale);
    DeltaDiscoveryResponse resent = staleClient.next(XdsType.CLUSTER);
    assertThat(names(resent)).containsExactly(clusterName(A));
    assertThat(resent.getResources(0).getVersion()).isEqualTo(held.get(clusterName(A)));
    assertThat(resent.getRemovedResourcesList())
        .containsExactly(clusterName("gone.default.svc.cluster.local"));
  }

  @Test
  void aNackIsRecordedAndTheRejectedResourcesAreNotSentAgain() throws Exception {
    DeltaAdsTestClient c = connect();
    c.subscribe(XdsType.CLUSTER);
    DeltaDiscoveryResponse cds = c.next(XdsType.CLUSTER);
    c.nack(cds, "cluster outbound|80||a: bad\nsecond line");

    ConnectionStatus.TypeStatus t =
        awaitStatus(st -> st.types().get(XdsType.CLUSTER).lastNack().isPresent())
            .types()
            .get(XdsType.CLUSTER);
    ConnectionStatus.Nack nack = t.lastNack().orElseThrow();
    assertThat(nack.version()).isEqualTo("0");
    assertThat(nack.nonce()).isEqualTo(cds.getNonce());
    assertThat(nack.message()).isEqualTo("cluster outbound|80||a: bad second line");
    assertThat(t.acked()).isFalse();
    assertThat(meters.get("pilot_total_xds_rejects").tag("type", "cds").counter().count())
        .isEqualTo(1);

    // Nothing changed: a full push sends nothing, the rejected cluster is not resent.
    assertThat(push().changed()).isZero();
    probe(c);
    // A new cluster is sent alone, not with the rejected one.
    store.put(service("b"));
    assertThat(push().changed()).isEqualTo(1);
    DeltaDiscoveryResponse again = c.next(XdsType.CLUSTER);
    assertThat(names(again)).containsExactly(clusterName(B));
    c.ack(again);
    assertThat(
            awaitStatus(st -> st.types().get(XdsType.CLUSTER).acked()).types()
                .get(XdsType.CLUSTER).lastNack())
        .as("the last NACK stays on record")
        .isPresent();
  }

  @Test
  void aFullPushSendsOnlyTheChangedTypesInOrder() throws Exception {
    DeltaAdsTestClient c = connect();
    c.subscribe(XdsType.CLUSTER);
    c.ack(c.next(XdsType.CLUSTER));
    c.subscribe(XdsType.ENDPOINT, clusterName(A), clusterName(B));
    c.ack(c.next(XdsType.ENDPOINT));
    c.subscribe(XdsType.LISTENER);
    c.ack(c.next(XdsType.LISTENER));
    c.subscribe(XdsType.ROUTE, "http.80");
    c.ack(c.next(XdsType.ROUTE));

    store.put(service("b"));
    store.put(slice("b", "10.2.0.1"));
    push();
    DeltaDiscoveryResponse cds = c.next(XdsType.CLUSTER);
    DeltaDiscoveryResponse eds = c.next(XdsType.ENDPOINT);
    DeltaDiscoveryResponse lds = c.next(XdsType.LISTENER);
    DeltaDiscoveryResponse rds = c.next(XdsType.ROUTE);
    assertThat(names(cds)).containsExactly(clusterName(B));
    assertThat(names(eds)).containsExactly(clusterName(B)); // A's endpoints did not change
    assertThat(addresses(eds, clusterName(B))).containsExactly("10.2.0.1");
    assertThat(names(lds)).containsExactly(B + "_80");
    assertThat(names(rds)).containsExactly("http.80");
    for (DeltaDiscoveryResponse r : List.of(cds, eds, lds, rds)) {
      assertThat(r.getSystemVersionInfo()).isEqualTo("1");
      c.ack(r);
    }
    probe(c);
  }

  @Test
  void anEndpointOnlyPushSendsEndpointsOnlyToTheirWatchers() throws Exception {
    store.put(service("b"));
    store.put(slice("b", "10.2.0.1"));
    push();
    DeltaAdsTestClient watchesA = connect(node("watches-a"));
    DeltaAdsTestClient watchesB = connect(node("watches-b"));
    for (var e : Map.of(watchesA, A, watchesB, B).entrySet()) {
      DeltaAdsTestClient c = e.getKey();
      c.subscribe(XdsType.CLUSTER);
      c.ack(c.next(XdsType.CLUSTER));
      c.subscribe(XdsType.ENDPOINT, clusterName(e.getValue()));
      c.ack(c.next(XdsType.ENDPOINT));
    }
    double cdsBefore = meters.get("pilot_xds_pushes").tag("type", "cds").counter().count();

    EndpointSlice moved = slice("a", "10.1.0.9");
    store.put(moved);
    PushSummary s = push(false, Set.of(moved.key()), Reason.ENDPOINT);
    assertThat(s.full()).isFalse();
    assertThat(s.proxies()).as("proxies queued").isEqualTo(1);
    DeltaDiscoveryResponse eds = watchesA.next(XdsType.ENDPOINT);
    assertThat(names(eds)).containsExactly(clusterName(A));
    assertThat(addresses(eds, clusterName(A))).containsExactly("10.1.0.9");
    watchesA.ack(eds);
    probe(watchesA);
    probe(watchesB);
    assertThat(meters.get("pilot_xds_pushes").tag("type", "cds").counter().count())
        .isEqualTo(cdsBefore);
  }

  @Test
  void wildcardEndsWhenStarIsUnsubscribedAndClustersNotNamedAreRemoved() throws Exception {
    store.put(service("b"));
    push();
    DeltaAdsTestClient c = connect();
    // Explicit "*" plus a name.
    c.subscribe(XdsType.CLUSTER, "*", clusterName(B));
    DeltaDiscoveryResponse all = c.next(XdsType.CLUSTER);
    assertThat(names(all)).containsExactly(clusterName(A), clusterName(B));
    c.ack(all);

    c.unsubscribe(XdsType.CLUSTER, "*");
    DeltaDiscoveryResponse narrowed = c.next(XdsType.CLUSTER);
    assertThat(narrowed.getResourcesList()).isEmpty();
    assertThat(narrowed.getRemovedResourcesList()).containsExactly(clusterName(A));
    c.ack(narrowed);
    ConnectionStatus.TypeStatus t =
        awaitStatus(st -> !st.types().get(XdsType.CLUSTER).wildcard()).types()
            .get(XdsType.CLUSTER);
    assertThat(t.subscribedNames()).containsExactly(clusterName(B));

    // A cluster that appears later is not sent: the subscription is no longer a wildcard.
    store.put(service("c"));
    push();
    probe(c);
  }

  @Test
  void endpointsAreNeverWildcard() throws Exception {
    DeltaAdsTestClient c = connect();
    c.subscribe(XdsType.ENDPOINT);
    DeltaDiscoveryResponse none = c.next(XdsType.ENDPOINT);
    assertThat(none.getResourcesList()).isEmpty();
    c.ack(none);
    assertThat(awaitStatus(st -> true).types().get(XdsType.ENDPOINT).wildcard()).isFalse();
    c.subscribe(XdsType.ENDPOINT, "*");
    probe(c); // "*" added nothing to answer
  }

  @Test
  void aBadNodeClosesTheStreamWithInvalidArgument() throws Exception {
    DeltaAdsTestClient c = connect(Node.newBuilder().setId("bogus").build());
    c.subscribe(XdsType.CLUSTER);
    Status status = c.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("node id bogus");
    assertThat(server.connections()).isEmpty();
  }

  @Test
  void deltaAndStateOfTheWorldStreamsAreServedSideBySide() throws Exception {
    DeltaAdsTestClient delta = connect(node("delta"));
    delta.subscribe(XdsType.CLUSTER);
    delta.ack(delta.next(XdsType.CLUSTER));
    try (AdsTestClient sotw = new AdsTestClient(server.port())) {
      sotw.subscribe(XdsType.CLUSTER);
      sotw.ack(sotw.next(XdsType.CLUSTER));
      awaitStatus(st -> server.connections().size() == 2);
      Set<String> nodes = new HashSet<>();
      server.connections().forEach(st -> nodes.add(st.nodeId()));
      assertThat(nodes).containsExactlyInAnyOrder(AdsTestClient.NODE_ID, node("delta").getId());

      store.put(service("b"));
      push();
      assertThat(sotw.next(XdsType.CLUSTER).getResourcesCount()).isEqualTo(2);
      assertThat(names(delta.next(XdsType.CLUSTER))).containsExactly(clusterName(B));
    }
    delta.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!server.connections().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.connections()).isEmpty();
    assertThat(engine.connectedProxies()).isZero();
  }
}
