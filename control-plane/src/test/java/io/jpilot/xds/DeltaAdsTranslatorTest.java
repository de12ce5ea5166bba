package io.jpilot.xds;

import static io.jpilot.testing.DeltaAdsTestClient.names;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.ConfigStore;
import io.jpilot.model.MeshObject;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParsedFile;
import io.jpilot.push.PushEngine;
import io.jpilot.push.PushRequest;
import io.jpilot.push.PushRequest.Reason;
import io.jpilot.push.PushSettings;
import io.jpilot.push.PushSummary;
import io.jpilot.testing.DeltaAdsTestClient;
import io.jpilot.translate.TranslationInputs;
import io.jpilot.translate.Translator;
import io.jpilot.translate.XdsType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delta ADS end to end with the production engine ({@link Translator} and {@link
 * TranslationInputs#normalize}) on a small mesh parsed from YAML: two services on their own ports,
 * a VirtualService for one of them.
 */
class DeltaAdsTranslatorTest {
  private static final String SUFFIX = "cluster.local";
  private static final String REVIEWS = "outbound|9080||reviews.default.svc.cluster.local";
  private static final String RATINGS = "outbound|8080||ratings.default.svc.cluster.local";

  private final ConfigStore store = new ConfigStore();
  private final BlockingQueue<PushSummary> summaries = new LinkedBlockingQueue<>();
  private PushEngine engine;
  private XdsServer server;
  private DeltaAdsTestClient client;
  private int probes;

  @BeforeEach
  void start() throws Exception {
    put(service("reviews", 9080, "10.1.0.1") + "---\n" + service("ratings", 8080, "10.1.0.2"));
    put(virtualService("v1"));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Translator translator = new Translator();
    engine =
        new PushEngine(
            store,
            SUFFIX,
            new PushSettings(Duration.ZERO, Duration.ofSeconds(10), 2),
            translator::generate,
            TranslationInputs::normalize,
            meters);
    engine.addListener(summaries::add);
    engine.start();
    server = new XdsServer("127.0.0.1", 0, engine, meters);
    server.start();
    client = new DeltaAdsTestClient(server.port());
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
    engine.close();
  }

  private Set<ConfigKey> put(String yaml) {
    Set<ConfigKey> keys = new HashSet<>();
    for (MeshObject o : parse(yaml)) {
      store.put(o);
      keys.add(o.key());
    }
    return keys;
  }

  private static List<MeshObject> parse(String yaml) {
    ParsedFile f = ConfigFileParser.parse("mesh.yaml", yaml, SUFFIX);
    assertThat(f.readable()).isTrue();
    return f.objects();
  }

  private PushSummary push(Set<ConfigKey> changed) throws InterruptedException {
    engine.request(PushRequest.now(true, changed, Reason.CONFIG));
    PushSummary s = summaries.poll(10, TimeUnit.SECONDS);
    assertThat(s).as("push summary").isNotNull();
    return s;
  }

  /** Subscribes as Envoy does: CDS and LDS wildcard, EDS and RDS by the names they point to. */
  private void subscribeAll() throws Exception {
    client.subscribe(XdsType.CLUSTER);
    DeltaDiscoveryResponse cds = client.next(XdsType.CLUSTER);
    assertThat(names(cds)).contains(REVIEWS, RATINGS);
    client.ack(cds);
    client.subscribe(XdsType.ENDPOINT, REVIEWS, RATINGS);
    DeltaDiscoveryResponse eds = client.next(XdsType.ENDPOINT);
    assertThat(names(eds)).containsExactly(RATINGS, REVIEWS);
    client.ack(eds);
    client.subscribe(XdsType.LISTENER);
    DeltaDiscoveryResponse lds = client.next(XdsType.LISTENER);
    assertThat(names(lds)).isNotEmpty();
    client.ack(lds);
    client.subscribe(XdsType.ROUTE, "9080", "8080");
    DeltaDiscoveryResponse rds = client.next(XdsType.ROUTE);
    assertThat(names(rds)).containsExactly("8080", "9080");
    client.ack(rds);
  }

  /**
   * Subscribes to one more (unknown) endpoint name: the very next response is its answer (the
   * translator answers unknown clusters with an empty assignment, as for state-of-the-world).
   */
  private void probe() throws Exception {
    String name = "outbound|1||probe-" + (++probes) + ".default.svc." + SUFFIX;
    client.subscribe(XdsType.ENDPOINT, name);
    DeltaDiscoveryResponse r = client.next(XdsType.ENDPOINT);
    assertThat(names(r)).containsExactly(name);
    assertThat(r.getRemovedResourcesList()).isEmpty();
    client.ack(r);
  }

  /** ACKs every response until a probe's answer; the types of those responses, in order. */
  private List<XdsType> typesUntilProbe() throws Exception {
    String name = "outbound|1||probe-" + (++probes) + ".default.svc." + SUFFIX;
    client.subscribe(XdsType.ENDPOINT, name);
    List<XdsType> types = new ArrayList<>();
    while (true) {
      DeltaDiscoveryResponse r = client.next();
      client.ack(r);
      if (r.getTypeUrl().equals(XdsType.ENDPOINT.typeUrl()) && names(r).equals(List.of(name))) {
        return types;
      }
      types.add(XdsType.fromTypeUrl(r.getTypeUrl()));
    }
  }

  @Test
  void aChangedVirtualServiceSendsOnlyItsRouteConfiguration() throws Exception {
    subscribeAll();
    String version8080 = client.held(XdsType.ROUTE).get("8080");

    PushSummary s = push(put(virtualService("v2")));
    assertThat(s.changed()).isEqualTo(1);
    DeltaDiscoveryResponse rds = client.next(XdsType.ROUTE);
    assertThat(names(rds)).containsExactly("9080");
    assertThat(rds.getRemovedResourcesList()).isEmpty();
    RouteConfiguration route = rds.getResources(0).getResource().unpack(RouteConfiguration.class);
    assertThat(route.toString()).contains("x-delta");
    assertThat(client.held(XdsType.ROUTE).get("8080")).isEqualTo(version8080);
    client.ack(rds);
    probe(); // nothing else (no CDS, EDS or LDS) was sent
  }

  @Test
  void aRemovedServiceIsRemovedFromClustersAndComesBack() throws Exception {
    subscribeAll();
    List<ConfigKey> ratings = new ArrayList<>();
    for (MeshObject o : parse(service("ratings", 8080, "10.1.0.2"))) {
      ratings.add(o.key());
      store.remove(o.key());
    }
    push(Set.copyOf(ratings));

    DeltaDiscoveryResponse cds = client.next(XdsType.CLUSTER);
    assertThat(cds.getResourcesList()).isEmpty();
    assertThat(cds.getRemovedResourcesList()).containsExactly(RATINGS);
    client.ack(cds);
    // The translator answers a subscribed cluster it does not know with an empty assignment.
    DeltaDiscoveryResponse eds = client.next(XdsType.ENDPOINT);
    assertThat(names(eds)).containsExactly(RATINGS);
    assertThat(eds.getResources(0).getResource().unpack(ClusterLoadAssignment.class)
            .getEndpointsList())
        .isEmpty();
    client.ack(eds);
    // Then its listener and route: LDS and RDS follow, in that order, and nothing else.
    assertThat(typesUntilProbe()).containsExactly(XdsType.LISTENER, XdsType.ROUTE);

    // It comes back: the name still subscribed is sent again.
    push(put(service("ratings", 8080, "10.1.0.2")));
    DeltaDiscoveryResponse back = client.next(XdsType.CLUSTER);
    assertThat(names(back)).containsExactly(RATINGS);
    client.ack(back);
    DeltaDiscoveryResponse eds2 = client.next(XdsType.ENDPOINT);
    assertThat(names(eds2)).containsExactly(RATINGS);
    assertThat(eds2.getResources(0).getResource().unpack(ClusterLoadAssignment.class)
            .getEndpointsCount())
        .isEqualTo(1);
    client.ack(eds2);
  }

  private static String service(String name, int port, String ip) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %1$s
          namespace: default
        spec:
          clusterIP: 10.96.0.%4$d
          selector:
            app: %1$s
          ports:
          - name: http
            port: %2$d
            targetPort: %2$d
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %1$s-abc
          namespace: default
          labels:
            kubernetes.io/service-name: %1$s
        addressType: IPv4
        ports:
        - name: http
          port: %2$d
        endpoints:
        - addresses: ["%3$s"]
          conditions:
            ready: true
        """
        .formatted(name, port, ip, port % 250);
  }

  private static String virtualService(String header) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: default
        spec:
          hosts:
          - reviews
          http:
          - match:
            - headers:
                x-delta:
                  exact: %s
            route:
            - destination:
                host: reviews
          - route:
            - destination:
                host: reviews
        """
        .formatted(header);
  }
}
