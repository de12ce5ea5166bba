package io.jpilot.xds;

import static io.jpilot.xds.TestGenerator.clusterName;
import static io.jpilot.xds.XdsTesting.service;
import static io.jpilot.xds.XdsTesting.slice;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.jpilot.model.ConfigStore;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Locality;
import io.jpilot.push.PushEngine;
import io.jpilot.push.PushRequest;
import io.jpilot.push.PushRequest.Reason;
import io.jpilot.push.PushSettings;
import io.jpilot.push.SendBudget;
import io.jpilot.push.PushSummary;
import io.jpilot.testing.AdsTestClient;
import io.jpilot.translate.XdsType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class XdsServerTest {
  private static final String A = "a.default.svc.cluster.local";
  private static final String B = "b.default.svc.cluster.local";

  private final ConfigStore store = new ConfigStore();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final TestGenerator generator = new TestGenerator();
  private final BlockingQueue<PushSummary> summaries = new LinkedBlockingQueue<>();
  private final List<AdsTestClient> clients = new ArrayList<>();
  private PushEngine engine;
  private XdsServer server;
  private int probes;

  @BeforeEach
  void start() throws Exception {
    store.put(service("a"));
    store.put(slice("a", "10.1.0.1"));
    startWith(2);
  }

  private void startWith(int throttle) throws Exception {
    startWith(throttle, SendBudget.DEFAULT_LIMIT_BYTES);
  }

  private void startWith(int throttle, long sendBudget) throws Exception {
    engine =
        new PushEngine(
            store,
            "cluster.local",
            new PushSettings(Duration.ZERO, Duration.ofSeconds(10), throttle, sendBudget),
            generator,
            meters);
    engine.addListener(summaries::add);
    engine.start();
    server = new XdsServer("127.0.0.1", 0, engine, meters);
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AdsTestClient c : clients) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
    if (engine != null) {
      engine.close();
    }
  }

  private AdsTestClient connect() {
    AdsTestClient c = new AdsTestClient(server.port());
    clients.add(c);
    return c;
  }



  /** Asks for a push (debounce is 0) and waits for its round to end. */
  private PushSummary push(boolean full, Reason reason) throws InterruptedException {
    engine.request(PushRequest.now(full, Set.of(), reason));
    PushSummary s = summaries.poll(10, TimeUnit.SECONDS);
    assertThat(s).as("push summary").isNotNull();
    return s;
  }

  private ConnectionStatus awaitStatus(Predicate<ConnectionStatus> condition) throws Exception {
    return XdsTesting.awaitStatus(server, condition);
  }

  private static List<String> names(DiscoveryResponse r) {
    List<String> out = new ArrayList<>();
    r.getResourcesList()
        .forEach(
            any -> {
              try {
                switch (XdsType.fromTypeUrl(any.getTypeUrl())) {
                  case CLUSTER -> out.add(any.unpack(Cluster.class).getName());
                  case ENDPOINT ->
                      out.add(any.unpack(ClusterLoadAssignment.class).getClusterName());
                  case LISTENER -> out.add(any.unpack(Listener.class).getName());
                  case ROUTE -> out.add(any.unpack(RouteConfiguration.class).getName());
                }
              } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
              }
            });
    return out;
  }

  private static List<String> addresses(DiscoveryResponse eds, String cluster) throws Exception {
    List<String> out = new ArrayList<>();
    for (var any : eds.getResourcesList()) {
      ClusterLoadAssignment cla = any.unpack(ClusterLoadAssignment.class);
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

  /** Subscribes to all four types the way Envoy does and ACKs every response. */
  private void subscribeAll(AdsTestClient c, String... edsNames) throws Exception {
    c.subscribe(XdsType.CLUSTER);
    c.ack(c.next(XdsType.CLUSTER));
    c.subscribe(XdsType.ENDPOINT, edsNames);
    c.ack(c.next(XdsType.ENDPOINT), edsNames);
    c.subscribe(XdsType.LISTENER);
    c.ack(c.next(XdsType.LISTENER));
    c.subscribe(XdsType.ROUTE, "http.80");
    c.ack(c.next(XdsType.ROUTE), "http.80");
  }

  /**
   * Proves nothing else is in flight on the stream: changes the RDS subscription and expects the
   * very next response to be the RDS answer. Responses on one stream arrive in order.
   */
  private void probe(AdsTestClient c) throws Exception {
    DiscoveryResponse lastRds = c.last(XdsType.ROUTE);
    List<String> names = new ArrayList<>(names(lastRds));
    names.add("probe-" + (++probes));
    c.ack(lastRds, names.toArray(String[]::new));
    DiscoveryResponse r = c.next(XdsType.ROUTE);
    assertThat(names(r)).containsExactlyElementsOf(names.stream().sorted().toList());
    c.ack(r, names.toArray(String[]::new));
  }

  @Test
  void aSliceChangeIsPushedAsEdsOnlyAndOnlyToTheProxiesSubscribedToItsService() throws Exception {
    store.put(service("b"));
    store.put(slice("b", "10.1.0.2"));
    push(true, Reason.SERVICE);
    String a = TestGenerator.clusterName("a.default.svc.cluster.local");
    String b = TestGenerator.clusterName("b.default.svc.cluster.local");
    AdsTestClient watchesA = connect();
    subscribeAll(watchesA, a);
    AdsTestClient watchesB = connect();
    subscribeAll(watchesB, b);
    double edsBefore = meters.get("pilot_xds_pushes").tag("type", "eds").counter().count();

    EndpointSlice moved = slice("a", "10.1.0.9");
    store.put(moved);
    engine.request(PushRequest.now(false, Set.of(moved.key()), Reason.ENDPOINT));
    PushSummary s = summaries.poll(10, TimeUnit.SECONDS);

    assertThat(s).isNotNull();
    assertThat(s.full()).isFalse();
    assertThat(s.proxies()).as("proxies queued").isEqualTo(1);
    DiscoveryResponse eds = watchesA.next(XdsType.ENDPOINT);
    assertThat(addresses(eds, a)).containsExactly("10.1.0.9");
    watchesA.ack(eds, a);
    probe(watchesA);
    probe(watchesB); // the next response B sees is the probe's: no EDS (or anything) was sent
    assertThat(meters.get("pilot_xds_pushes").tag("type", "eds").counter().count())
        .isEqualTo(edsBefore + 1);
  }

  /** Puts {@code slice}, asks for an endpoint-only push naming it and waits for its round. */
  private PushSummary endpointPush(EndpointSlice slice) throws InterruptedException {
    store.put(slice);
    engine.request(PushRequest.now(false, Set.of(slice.key()), Reason.ENDPOINT));
    PushSummary s = summaries.poll(10, TimeUnit.SECONDS);
    assertThat(s).as("push summary").isNotNull();
    return s;
  }

  @Test
  void anEndpointPushCarriesOnlyTheAssignmentsThatChanged() throws Exception {
    store.put(service("b"));
    store.put(slice("b", "10.1.0.2"));
    push(true, Reason.SERVICE);
    AdsTestClient c = connect();
    subscribeAll(c, clusterName(A), clusterName(B));
    assertThat(names(c.last(XdsType.ENDPOINT))).containsExactly(clusterName(A), clusterName(B));

    endpointPush(slice("a", "10.1.0.7"));
    DiscoveryResponse eds = c.next(XdsType.ENDPOINT);
    assertThat(names(eds)).containsExactly(clusterName(A));
    assertThat(addresses(eds, clusterName(A))).containsExactly("10.1.0.7");
    assertThat(eds.getVersionInfo()).isEqualTo("2");
    c.ack(eds, clusterName(A), clusterName(B));
    probe(c);
    // The client holds both assignments: the one just sent and the one it kept.
    ConnectionStatus.TypeStatus st =
        awaitStatus(s -> s.types().get(XdsType.ENDPOINT).ackedNonce().equals(eds.getNonce()))
            .types()
            .get(XdsType.ENDPOINT);
    assertThat(st.sentResources()).containsOnlyKeys(clusterName(A), clusterName(B));

    // A changed subscription is answered with every subscribed assignment.
    String c3 = clusterName("c.default.svc.cluster.local");
    c.ack(eds, clusterName(A), clusterName(B), c3);
    DiscoveryResponse all = c.next(XdsType.ENDPOINT);
    assertThat(names(all)).containsExactly(clusterName(A), clusterName(B), c3);
    assertThat(addresses(all, clusterName(A))).containsExactly("10.1.0.7");
    assertThat(addresses(all, clusterName(B))).containsExactly("10.1.0.2");
    c.ack(all, clusterName(A), clusterName(B), c3);

    // When every assignment changed, the push carries them all.
    store.put(slice("a", "10.1.0.8"));
    store.put(slice("b", "10.1.0.3"));
    engine.request(
        PushRequest.now(
            false, Set.of(slice("a").key(), slice("b").key()), Reason.ENDPOINT));
    assertThat(summaries.poll(10, TimeUnit.SECONDS)).isNotNull();
    DiscoveryResponse both = c.next(XdsType.ENDPOINT);
    assertThat(names(both)).containsExactly(clusterName(A), clusterName(B));
    c.ack(both, clusterName(A), clusterName(B), c3);
    probe(c);
  }

  @Test
  void anEdsPushWaitsForTheAnswerToThePreviousResponseThenSendsTheNewest() throws Exception {
    AdsTestClient c = connect();
    subscribeAll(c, clusterName(A));
    long converged = meters.get("pilot_proxy_convergence_time").summary().count();

    endpointPush(slice("a", "10.1.0.2"));
    DiscoveryResponse first = c.next(XdsType.ENDPOINT);
    assertThat(addresses(first, clusterName(A))).containsExactly("10.1.0.2");
    // Not answered yet: the next two changes are held, not queued behind it.
    PushSummary second = endpointPush(slice("a", "10.1.0.3"));
    PushSummary third = endpointPush(slice("a", "10.1.0.4"));
    assertThat(second.changed()).isZero();
    assertThat(third.changed()).isZero();
    probe(c); // the next response is the probe's: no EDS was sent meanwhile
    // Answers of other types release nothing: only the first push has reached the client.
    assertThat(meters.get("pilot_proxy_convergence_time").summary().count())
        .isEqualTo(converged + 1);

    c.ack(first, clusterName(A));
    DiscoveryResponse newest = c.next(XdsType.ENDPOINT);
    assertThat(newest.getVersionInfo()).isEqualTo(Long.toString(third.version()));
    assertThat(addresses(newest, clusterName(A))).containsExactly("10.1.0.4");
    c.ack(newest, clusterName(A));
    probe(c);
    // Three EDS responses in all: the answer to the request, the first push and the newest.
    assertThat(meters.get("pilot_xds_pushes").tag("type", "eds").counter().count()).isEqualTo(3);
    // The held pushes count as converged once the newest was sent.
    assertThat(meters.get("pilot_proxy_convergence_time").summary().count())
        .isEqualTo(converged + 2);
  }

  @Test
  void aNackAlsoReleasesAHeldEdsPushAndTheRejectedSetIsNotSentAgain() throws Exception {
    AdsTestClient c = connect();
    subscribeAll(c, clusterName(A));

    endpointPush(slice("a", "10.1.0.2"));
    DiscoveryResponse rejected = c.next(XdsType.ENDPOINT);
    // Held: the client has not answered yet; and when it does, the push has nothing new.
    PushSummary same = endpointPush(slice("a", "10.1.0.2", "10.1.0.2"));
    assertThat(same.changed()).isZero();
    c.nack(rejected, "1", "bad endpoint", clusterName(A));
    probe(c); // nothing sent: the newest equals the rejected set

    endpointPush(slice("a", "10.1.0.5"));
    DiscoveryResponse next = c.next(XdsType.ENDPOINT);
    assertThat(addresses(next, clusterName(A))).containsExactly("10.1.0.5");
    assertThat(meters.get("pilot_total_xds_rejects").tag("type", "eds").counter().count())
        .isEqualTo(1);
  }

  @Test
  void initialWildcardRequestsGetEverything() throws Exception {
    store.put(service("b"));
    push(true, Reason.CONFIG);
    AdsTestClient c = connect();

    c.subscribe(XdsType.CLUSTER);
    DiscoveryResponse cds = c.next(XdsType.CLUSTER);
    assertThat(names(cds)).containsExactly(clusterName(A), clusterName(B));
    assertThat(cds.getVersionInfo()).isEqualTo("1");
    assertThat(cds.getNonce()).isNotEmpty();
    assertThat(cds.getResources(0).getTypeUrl()).isEqualTo(XdsType.CLUSTER.typeUrl());

    c.subscribe(XdsType.LISTENER);
    DiscoveryResponse lds = c.next(XdsType.LISTENER);
    assertThat(names(lds)).containsExactly(A + "_80", B + "_80");
    assertThat(lds.getNonce()).isNotEqualTo(cds.getNonce());

    ConnectionStatus s = awaitStatus(st -> st.types().size() == 2);
    assertThat(s.nodeId()).isEqualTo(AdsTestClient.NODE_ID);
    assertThat(s.connectionId()).startsWith("app-1.default-");
    assertThat(s.peer()).contains("127.0.0.1");
    ProxyView proxy = s.proxy();
    assertThat(proxy.namespace()).isEqualTo("default");
    assertThat(proxy.ips()).containsExactly("10.1.0.9");
    assertThat(proxy.labels()).isEqualTo(Map.of("app", "app", "version", "v1"));
    assertThat(proxy.locality()).isEqualTo(new Locality("r1", "z1", "s1"));
    ConnectionStatus.TypeStatus cdsStatus = s.types().get(XdsType.CLUSTER);
    assertThat(cdsStatus.wildcard()).isTrue();
    assertThat(cdsStatus.subscribedNames()).isEmpty();
    assertThat(cdsStatus.sentVersion()).isEqualTo("1");
    assertThat(cdsStatus.sentNonce()).isEqualTo(cds.getNonce());
    assertThat(cdsStatus.sentResources()).containsOnlyKeys(clusterName(A), clusterName(B));
    assertThat(cdsStatus.sentAt()).isPresent();
    assertThat(cdsStatus.acked()).isFalse();
    assertThat(meters.get("pilot_xds_pushes").tag("type", "cds").counter().count()).isEqualTo(1);
    assertThat(meters.get("pilot_xds").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void namedSubscriptionsGetOnlyTheirNames() throws Exception {
    store.put(service("b"));
    push(true, Reason.CONFIG);
    AdsTestClient c = connect();
    c.subscribe(XdsType.CLUSTER, clusterName(B)); // proxyless gRPC names its clusters
    DiscoveryResponse cds = c.next(XdsType.CLUSTER);
    assertThat(names(cds)).containsExactly(clusterName(B));
    c.subscribe(XdsType.ENDPOINT, clusterName(A));
    DiscoveryResponse eds = c.next(XdsType.ENDPOINT);
    assertThat(addresses(eds, clusterName(A))).containsExactly("10.1.0.1");

    // Adding "*" asks for everything.
    c.ack(cds, clusterName(B), "*");
    cds = c.next(XdsType.CLUSTER);
    assertThat(names(cds)).containsExactly(clusterName(A), clusterName(B));
    // After naming clusters, an empty list unsubscribes from all of them.
    c.ack(cds, clusterName(B));
    cds = c.next(XdsType.CLUSTER);
    assertThat(names(cds)).containsExactly(clusterName(B));
    c.ack(cds);
    cds = c.next(XdsType.CLUSTER);
    assertThat(cds.getResourcesCount()).isZero();
    ConnectionStatus.TypeStatus st =
        awaitStatus(
                s ->
                    s.types()
                        .get(XdsType.CLUSTER)
                        .sentNonce()
                        .equals(c.last(XdsType.CLUSTER).getNonce()))
            .types()
            .get(XdsType.CLUSTER);
    assertThat(st.wildcard()).isFalse();
    assertThat(st.subscribedNames()).isEmpty();
  }

  @Test
  void anAckIsRecorded() throws Exception {
    AdsTestClient c = connect();
    c.subscribe(XdsType.CLUSTER);
    DiscoveryResponse cds = c.next(XdsType.CLUSTER);
    c.ack(cds);
    ConnectionStatus s = awaitStatus(st -> st.types().get(XdsType.CLUSTER).acked());
    ConnectionStatus.TypeStatus t = s.types().get(XdsType.CLUSTER);
    assertThat(t.ackedVersion()).isEqualTo("0");
    assertThat(t.ackedNonce()).isEqualTo(cds.getNonce());
    assertThat(t.lastNack()).isEmpty();
  }

  @Test
  void aNackIsRecordedAndNeverAnsweredWithTheSameResources() throws Exception {
    AdsTestClient c = connect();
    c.subscribe(XdsType.CLUSTER);
    DiscoveryResponse cds = c.next(XdsType.CLUSTER);
    c.nack(cds, "", "cluster outbound|80||a: bad\nsecond line");

    ConnectionStatus s = awaitStatus(st -> st.types().get(XdsType.CLUSTER).lastNack().isPresent());
    ConnectionStatus.Nack nack = s.types().get(XdsType.CLUSTER).lastNack().orElseThrow();
    assertThat(nack.version()).isEqualTo("0");
    assertThat(nack.nonce()).isEqualTo(cds.getNonce());
    assertThat(nack.message()).isEqualTo("cluster outbound|80||a: bad second line");
    assertThat(s.types().get(XdsType.CLUSTER).acked()).isFalse();
    assertThat(meters.get("pilot_total_xds_rejects").tag("type", "cds").counter().count())
        .isEqualTo(1);

    // A push that generates the same clusters sends nothing.
    PushSummary unchanged = push(true, Reason.CONFIG);
    assertThat(unchanged.proxies()).isEqualTo(1);
    assertThat(unchanged.changed()).isZero();
    // The next response on the stream is the answer to a new subscription, not a CDS resend.
    c.subscribe(XdsType.LISTENER);
    c.next(XdsType.LISTENER);

    // A real change does produce a new CDS response.
    store.put(service("b"));
    PushSummary changed = push(true, Reason.CONFIG);
    assertThat(changed.changed()).isEqualTo(1);
    DiscoveryResponse again = c.next(XdsType.CLUSTER);
    assertThat(again.getVersionInfo()).isEqualTo(Long.toString(changed.version()));
    assertThat(names(again)).containsExactly(clusterName(A), clusterName(B));
  }

  @Test
  void aPushAfterAStoreChangeCarriesANewVersion() throws Exception {
    AdsTestClient c = connect();
    c.subscribe(XdsType.CLUSTER);
    DiscoveryResponse first = c.next(XdsType.CLUSTER);
    c.ack(first);
    assertThat(first.getVersionInfo()).isEqualTo("0");

    store.put(service("b"));
    PushSummary s = push(true, Reason.SERVICE);
    DiscoveryResponse second = c.next(XdsType.CLUSTER);
    assertThat(second.getVersionInfo()).isEqualTo("1").isEqualTo(Long.toString(s.version()));
    assertThat(second.getNonce()).isNotEqualTo(first.getNonce());
    assertThat(names(second)).containsExactly(clusterName(A), clusterName(B));
    assertThat(s.logLine()).startsWith("push #1 reason=service full=true proxies=1 changed=1 ");
  }

  @Test
  void pushesGoClustersEndpointsListenersRoutes() throws Exception {
    AdsTestClient c = connect();
    subscribeAll(c, clusterName(A), clusterName(B));
    assertThat(addresses(c.last(XdsType.ENDPOINT), clusterName(B))).isEmpty();

    store.put(service("b"));
    store.put(slice("b", "10.2.0.1"));
    PushSummary s = push(true, Reason.CONFIG);
    assertThat(s.changed()).isEqualTo(1);

    DiscoveryResponse cds = c.next(XdsType.CLUSTER);
    DiscoveryResponse eds = c.next(XdsType.ENDPOINT);
    DiscoveryResponse lds = c.next(XdsType.LISTENER);
    DiscoveryResponse rds = c.next(XdsType.ROUTE);
    assertThat(names(cds)).contains(clusterName(B));
    assertThat(addresses(eds, clusterName(B))).containsExactly("10.2.0.1");
    assertThat(names(lds)).contains(B + "_80");
    assertThat(rds.getResources(0).unpack(RouteConfiguration.class).getVirtualHostsCount())
        .isEqualTo(2);
    for (DiscoveryResponse r : List.of(cds, eds, lds, rds)) {
      assertThat(r.getVersionInfo()).isEqualTo("1");
    }
    c.ack(cds);
    c.ack(eds, clusterName(A), clusterName(B));
    c.ack(lds);
    c.ack(rds, "http.80");
    probe(c);
  }

  @Test
  void anEndpointOnlyPushSendsOnlyEndpoints() throws Exception {
    AdsTestClient c = connect();
    subscribeAll(c, clusterName(A));

    store.put(slice("a", "10.1.0.1", "10.1.0.2"));
    PushSummary s = push(false, Reason.ENDPOINT);
    assertThat(s.full()).isFalse();
    assertThat(s.changed()).isEqualTo(1);
    DiscoveryResponse eds = c.next(XdsType.ENDPOINT);
    assertThat(addresses(eds, clusterName(A))).containsExactly("10.1.0.1", "10.1.0.2");
    c.ack(eds, clusterName(A));
    probe(c);
    assertThat(meters.get("pilot_xds_pushes").tag("type", "cds").counter().count()).isEqualTo(1);
    assertThat(meters.get("pilot_xds_pushes").tag("type", "eds").counter().count()).isEqualTo(2);
  }

  @Test
  void unchangedTypesAreNotSentAgain() throws Exception {
    AdsTestClient c = connect();
    subscribeAll(c, clusterName(A));

    // Nothing changed at all: a full push sends nothing.
    PushSummary idle = push(true, Reason.CONFIG);
    assertThat(idle.changed()).isZero();

    // Only endpoints changed, but the push is full: only EDS differs, so only EDS is sent.
    store.put(slice("a", "10.1.0.3"));
    PushSummary s = push(true, Reason.CONFIG);
    assertThat(s.changed()).isEqualTo(1);
    DiscoveryResponse eds = c.next(XdsType.ENDPOINT);
    assertThat(addresses(eds, clusterName(A))).containsExactly("10.1.0.3");
    c.ack(eds, clusterName(A));
    probe(c);
  }

  @Test
  void aChangedSubscriptionIsAnsweredAndAStaleNonceIsIgnored() throws Exception {
    store.put(service("b"));
    store.put(slice("b", "10.2.0.1"));
    push(true, Reason.CONFIG);
    AdsTestClient c = connect();
    subscribeAll(c, clusterName(A));
    DiscoveryResponse firstEds = c.last(XdsType.ENDPOINT);

    c.ack(firstEds, clusterName(A), clusterName(B));
    DiscoveryResponse both = c.next(XdsType.ENDPOINT);
    assertThat(names(both)).containsExactly(clusterName(A), clusterName(B));
    c.ack(both, clusterName(A), clusterName(B));

    // A request carrying the old nonce is stale, whatever it asks for.
    c.ack(firstEds, clusterName(B));
    probe(c);
    ConnectionStatus s = awaitStatus(st -> true);
    assertThat(s.types().get(XdsType.ENDPOINT).subscribedNames())
        .containsExactly(clusterName(A), clusterName(B));
    assertThat(meters.get("pilot_xds_expired_nonce").tag("type", "eds").counter().count())
        .isEqualTo(1);
  }

  @Test
  void aBadNodeIdClosesTheStreamWithInvalidArgument() throws Exception {
    AdsTestClient c =
        new AdsTestClient(server.port(), Node.newBuilder().setId("bogus").build(), true, 0);
    clients.add(c);
    c.subscribe(XdsType.CLUSTER);
    Status status = c.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("node id bogus").contains("expected 4 parts");
    assertThat(server.connections()).isEmpty();
  }

  @Test
  void aMissingNodeClosesTheStreamWithInvalidArgument() throws Exception {
    AdsTestClient c = new AdsTestClient(server.port(), Node.getDefaultInstance(), true, 0);
    clients.add(c);
    c.subscribe(XdsType.CLUSTER);
    Status status = c.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).isEqualTo("missing node information");
  }

  @Test
  void aClosedStreamLeavesTheServerAndThePushes() throws Exception {
    AdsTestClient c = connect();
    c.subscribe(XdsType.CLUSTER);
    c.next(XdsType.CLUSTER);
    awaitStatus(st -> true);
    c.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!server.connections().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(server.connections()).isEmpty();
    assertThat(engine.connectedProxies()).isZero();
    assertThat(push(true, Reason.CONFIG).proxies()).isZero();
  }

  /**
   * A client with a 64KiB window that reads nothing, subscribed to CDS: its first response, padded
   * to 256KiB, is sent and cannot leave the server.
   */
  private AdsTestClient stalledClient(String nodeId) throws Exception {
    generator.paddedNodeId = nodeId;
    generator.clusterPadding = 256 * 1024;
    AdsTestClient slow =
        new AdsTestClient(
            server.port(), AdsTestClient.defaultNode().toBuilder().setId(nodeId).build(), false,
            64 * 1024);
    clients.add(slow);
    slow.subscribe(XdsType.CLUSTER);
    awaitStatus(
        st -> st.nodeId().equals(nodeId) && !st.types().get(XdsType.CLUSTER).sentNonce().isEmpty());
    return slow;
  }

  @Test
  void aSlowClientIsDeferredWithoutHoldingUpOthers() throws Exception {
    server.close();
    engine.close();
    startWith(1); // one push worker: a client that held it would stop every other push
    AdsTestClient slow = stalledClient("sidecar~10.1.0.20~slow-1.default~default.svc.cluster.local");
    AdsTestClient fast = connect();
    fast.subscribe(XdsType.CLUSTER);
    fast.ack(fast.next(XdsType.CLUSTER));

    store.put(service("b"));
    PushSummary first = push(true, Reason.CONFIG);
    assertThat(fast.next(XdsType.CLUSTER).getVersionInfo()).isEqualTo("1");
    store.put(service("c"));
    PushSummary second = push(true, Reason.CONFIG);
    assertThat(fast.next(XdsType.CLUSTER).getVersionInfo()).isEqualTo("2");
    // Both rounds finished while the slow client read nothing; only the fast one was sent to.
    assertThat(first.proxies()).isEqualTo(2);
    assertThat(first.changed()).isEqualTo(1);
    assertThat(second.changed()).isEqualTo(1);

    // Once it reads, the slow client gets its first response and then one merged push at the
    // newest version, not one response per push.
    slow.read(100);
    DiscoveryResponse initial = slow.next(XdsType.CLUSTER);
    assertThat(initial.getVersionInfo()).isEqualTo("0");
    DiscoveryResponse latest = slow.next(XdsType.CLUSTER);
    assertThat(latest.getVersionInfo()).isEqualTo("2");
    assertThat(names(latest))
        .containsExactly(
            clusterName(A), clusterName(B), clusterName("c.default.svc.cluster.local"));
    slow.ack(latest);
    slow.subscribe(XdsType.LISTENER);
    slow.next(XdsType.LISTENER); // nothing else was queued before it
  }

  @Test
  void whatAStreamOwesIsSettledWhenItDrains() throws Exception {
    server.close();
    engine.close();
    startWith(1); // the default budget: 256KiB owed leaves room, so nothing goes stale
    AdsTestClient slow =
        stalledClient("sidecar~10.1.0.22~draining-1.default~default.svc.cluster.local");
    assertThat(engine.sendBudget().inFlight()).isGreaterThanOrEqualTo(256 * 1024);
    slow.read(100);
    assertThat(slow.next(XdsType.CLUSTER).getVersionInfo()).isEqualTo("0");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (engine.sendBudget().inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(engine.sendBudget().inFlight()).as("settled by gRPC's on-ready signal").isZero();
    assertThat(engine.sendBudget().expired()).isZero();
  }

  @Test
  void aClientThatStopsReadingStopsCountingAgainstTheSendBudget() throws Exception {
    server.close();
    engine.close();
    startWith(1, 64 * 1024); // one worker, and a budget the slow client's response fills
    AdsTestClient slow =
        stalledClient("sidecar~10.1.0.21~stalled-1.default~default.svc.cluster.local");
    // The padded response is owed, not drained (read without expiring anything).
    assertThat(engine.sendBudget().inFlight()).isGreaterThanOrEqualTo(256 * 1024);
    AdsTestClient fast = connect();
    fast.subscribe(XdsType.CLUSTER);
    fast.ack(fast.next(XdsType.CLUSTER));

    // The worker waits for room at most the stale time, then the stalled bytes stop counting.
    store.put(service("b"));
    push(true, Reason.CONFIG);
    assertThat(fast.next(XdsType.CLUSTER).getVersionInfo()).isEqualTo("1");
    assertThat(engine.sendBudget().expired()).isEqualTo(1);
    store.put(service("c"));
    push(true, Reason.CONFIG);
    assertThat(fast.next(XdsType.CLUSTER).getVersionInfo()).isEqualTo("2");
    assertThat(engine.sendBudget().expired()).as("forgotten once, not per push").isEqualTo(1);

    // Once the slow client reads, it converges, and nothing stays counted.
    slow.read(100);
    assertThat(slow.next(XdsType.CLUSTER).getVersionInfo()).isEqualTo("0");
    slow.ack(slow.next(XdsType.CLUSTER));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (engine.sendBudget().inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(engine.sendBudget().inFlight()).isZero();
  }

  @Test
  void closingTheServerEndsStreamsWithUnavailable() throws Exception {
    AdsTestClient c = connect();
    c.subscribe(XdsType.CLUSTER);
    c.next(XdsType.CLUSTER);
    server.close();
    Status status = c.awaitClose();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }
}
