package io.jpilot.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.ConfigStore;
import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Namespace;
import io.jpilot.push.PushRequest;
import io.jpilot.push.PushRequest.Reason;
import io.jpilot.testing.LogCapture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSourceTest {
  /** Generous: the watch normally reacts within a few tens of milliseconds. */
  private static final long WAIT_SECONDS = 10;

  private static final ConfigKey VS_KEY = new ConfigKey("VirtualService", "default", "reviews");
  private static final ConfigKey SLICE_KEY = new ConfigKey("EndpointSlice", "default", "reviews-1");
  private static final ConfigKey NS_KEY = new ConfigKey("Namespace", "", "shop");

  @TempDir Path dir;
  private final ConfigStore store = new ConfigStore();
  private final BlockingQueue<PushRequest> pushes = new LinkedBlockingQueue<>();
  private FileSource source;

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
  }

  static String vs(int v1Weight) {
    return "apiVersion: networking.istio.io/v1\n"
        + "kind: VirtualService\n"
        + "metadata: {name: reviews, namespace: default}\n"
        + "spec:\n"
        + "  hosts: [reviews]\n"
        + "  http:\n"
        + "  - route:\n"
        + "    - {destination: {host: reviews, subset: v1}, weight: "
        + v1Weight
        + "}\n"
        + "    - {destination: {host: reviews, subset: v2}, weight: "
        + (100 - v1Weight)
        + "}\n";
  }

  static String slice(String ip) {
    return "apiVersion: discovery.k8s.io/v1\n"
        + "kind: EndpointSlice\n"
        + "metadata: {name: reviews-1, namespace: default, labels:"
        + " {kubernetes.io/service-name: reviews}}\n"
        + "addressType: IPv4\n"
        + "ports: [{name: http, port: 9080}]\n"
        + "endpoints: [{addresses: ["
        + ip
        + "]}]\n";
  }

  static String namespace(String team) {
    return "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: "
        + team
        + "}}\n";
  }

  private void write(String rel, String text) throws IOException {
    Path p = dir.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
  }

  private FileSource newSource(io.micrometer.core.instrument.MeterRegistry meters) {
    // A one-hour poll: every change in these tests must be noticed by the watch itself.
    source = new FileSource(dir, store, "cluster.local", pushes::add, meters, Duration.ofHours(1));
    return source;
  }

  private PushRequest nextPush() throws InterruptedException {
    PushRequest r = pushes.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(r).as("a push request").isNotNull();
    return r;
  }

  private VirtualService storedVs() {
    return (VirtualService) store.get(VS_KEY);
  }

  @Test
  void initialLoadReadsEveryConfigFileAndReportsProblems() throws Exception {
    write("a.yaml", vs(80) + "---\n" + namespace("a"));
    write("sub/deeper/b.yml", slice("10.0.0.1"));
    write(
        "c.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"json-ns\"}}");
    write("d-bad.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels: a: b\n");
    write(
        "e-invalid.yaml",
        vs(80).replace("reviews, namespace", "other, namespace") + "    circuitBreaker: {}\n");
    write("notes.txt", "not config");
    write(".hidden/x.yaml", namespace("hidden"));
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    LoadReport report = newSource(meters).loadInitial();

    assertThat(report.files()).isEqualTo(5);
    assertThat(report.objects()).isEqualTo(4);
    assertThat(store.all())
        .extracting(MeshObject::key)
        .containsExactlyInAnyOrder(
            VS_KEY, NS_KEY, SLICE_KEY, new ConfigKey("Namespace", "", "json-ns"));
    assertThat(report.errors()).isEqualTo(2);
    assertThat(report.diagnostics())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "ERROR ("
                + dir.resolve("d-bad.yaml")
                + "): line 5, column 12: mapping values are not allowed here",
            "ERROR VirtualService default/other ("
                + dir.resolve("e-invalid.yaml")
                + "): spec.http[0].circuitBreaker: unknown field \"circuitBreaker\"; circuit"
                + " breaking belongs in a DestinationRule:"
                + " trafficPolicy.connectionPool/outlierDetection");
    assertThat(((VirtualService) store.get(VS_KEY)).meta().source())
        .isEqualTo(dir.resolve("a.yaml").toString());
    assertThat(pushes).isEmpty();
    String scrape = meters.scrape();
    assertThat(scrape).contains("jpilot_config_invalid_total{kind=\"VirtualService\"} 1.0");
    assertThat(scrape).contains("jpilot_config_invalid_total{kind=\"unknown\"} 1.0");
  }

  @Test
  void editPushesTheChangedKey() throws Exception {
    write("vs.yaml", vs(80));
    write("ns.yaml", namespace("a"));
    newSource(new SimpleMeterRegistry()).loadInitial();
    source.start();

    write("vs.yaml", vs(50));

    PushRequest r = nextPush();
    assertThat(r.full()).isTrue();
    assertThat(r.changed()).containsExactly(VS_KEY);
    assertThat(r.reasons()).containsExactly(Reason.CONFIG);
    assertThat(storedVs().http().get(0).route().get(0).weight()).isEqualTo(50);

    write("ns.yaml", namespace("b"));
    PushRequest ns = nextPush();
    assertThat(ns.full()).isTrue();
    assertThat(ns.changed()).containsExactly(NS_KEY);
    assertThat(ns.reasons()).containsExactly(Reason.NAMESPACE);
  }

  @Test
  void endpointSliceOnlyChangeIsAnIncrementalEndpointPush() throws Exception {
    write("eps/slice.yaml", slice("10.0.0.1"));
    newSource(new SimpleMeterRegistry()).loadInitial();
    source.start();

    write("eps/slice.yaml", slice("10.0.0.2"));

    PushRequest r = nextPush();
    assertThat(r.full()).isFalse();
    assertThat(r.reasons()).containsExactly(Reason.ENDPOINT);
    assertThat(r.changed()).containsExactly(SLICE_KEY);
    assertThat(((EndpointSlice) store.get(SLICE_KEY)).endpoints().get(0).addresses())
        .containsExactly("10.0.0.2");
  }

  @Test
  void addingAndRemovingFilesAddsAndRemovesTheirObjects() throws Exception {
    write("ns.yaml", namespace("a"));
    newSource(new SimpleMeterRegistry()).loadInitial();
    source.start();

    write("new/vs.yaml", vs(80));
    PushRequest added = nextPush();
    assertThat(added.changed()).containsExactly(VS_KEY);
    assertThat(storedVs()).isNotNull();

    Files.delete(dir.resolve("new/vs.yaml"));
    PushRequest removed = nextPush();
    assertThat(removed.changed()).containsExactly(VS_KEY);
    assertThat(removed.full()).isTrue();
    assertThat(store.get(VS_KEY)).isNull();
    assertThat(store.get(NS_KEY)).isNotNull();
  }

  @Test
  void malformedEditKeepsTheOldObjects() throws Exception {
    write("vs.yaml", vs(80) + "---\n" + namespace("a"));
    newSource(new SimpleMeterRegistry()).loadInitial();
    source.start();
    VirtualService before = storedVs();

    // Malformed YAML (an unclosed flow sequence), then a marker file: its push proves the
    // malformed file was read.
    write(
        "vs.yaml",
        vs(60).replace("hosts: [reviews]", "hosts: [reviews") + "---\n" + namespace("b"));
    write("marker.yaml", namespace("a").replace("shop", "marker"));

    PushRequest r = nextPush();
    assertThat(r.changed()).containsExactly(new ConfigKey("Namespace", "", "marker"));
    assertThat(storedVs()).isEqualTo(before);
    assertThat(((Namespace) store.get(NS_KEY)).labels()).isEqualTo(Map.of("team", "a"));

    write("vs.yaml", vs(60) + "---\n" + namespace("a"));
    assertThat(nextPush().changed()).containsExactly(VS_KEY);
    assertThat(storedVs().http().get(0).route().get(0).weight()).isEqualTo(60);
  }

  @Test
  void invalidObjectKeepsItsLastValidVersion() throws Exception {
    write("vs.yaml", vs(80) + "---\n" + namespace("a"));
    newSource(new SimpleMeterRegistry()).loadInitial();
    source.start();
    VirtualService before = storedVs();

    write("vs.yaml", vs(70) + "    timeout: 0s\n---\n" + namespace("b"));

    PushRequest r = nextPush();
    assertThat(r.changed()).containsExactly(NS_KEY);
    assertThat(storedVs()).isEqualTo(before);
    assertThat(((Namespace) store.get(NS_KEY)).labels()).isEqualTo(Map.of("team", "b"));
  }

  @Test
  void malformedEditIsOneErrorLineSayingTheOldObjectsStay() throws Exception {
    write("vs.yaml", vs(80) + "---\n" + namespace("a"));
    newSource(new SimpleMeterRegistry()).loadInitial();
    try (LogCapture logs = LogCapture.install()) {
      source.start();

      write("vs.yaml", vs(60).replace("hosts: [reviews]", "hosts: [reviews"));
      write("marker.yaml", namespace("a").replace("shop", "marker"));

      assertThat(nextPush().changed()).containsExactly(new ConfigKey("Namespace", "", "marker"));
      assertThat(logs.linesNaming(dir.resolve("vs.yaml")))
          .singleElement()
          .satisfies(
              l ->
                  assertThat(l)
                      .contains(
                          "ERROR",
                          "line 6, column 7",
                          "(the 2 objects last read from this file stay in use until it is valid"
                              + " again)"));
    }
  }

  @Test
  void sameBytesAreNotParsedLoggedOrCountedAgain() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    write("bad.yaml", vs(80) + "    circuitBreaker: {}\n");
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    newSource(meters).loadInitial();
    try (LogCapture logs = LogCapture.install()) {
      source.start();

      // A touch: the watch reports the file, but its bytes are the ones already read.
      Files.setLastModifiedTime(bad, FileTime.fromMillis(System.currentTimeMillis() + 5000));
      write("marker.yaml", namespace("a").replace("shop", "marker"));

      assertThat(nextPush().changed()).containsExactly(new ConfigKey("Namespace", "", "marker"));
      assertThat(logs.linesNaming(bad)).isEmpty();
      assertThat(
              meters.get(FileSource.INVALID_METRIC).tag("kind", "VirtualService").counter().count())
          .isEqualTo(1.0);
    }
  }

  @Test
  void unchangedResaveCausesNoPush() throws Exception {
    write("vs.yaml", vs(80));
    write("ns.yaml", namespace("a"));
    newSource(new SimpleMeterRegistry()).loadInitial();
    source.start();

    write("vs.yaml", vs(80));
    Files.setLastModifiedTime(
        dir.resolve("vs.yaml"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
    Thread.sleep(300);
    write("ns.yaml", namespace("b"));

    // Had the re-save caused a push, it would come first and name the VirtualService.
    PushRequest r = nextPush();
    assertThat(r.changed()).containsExactly(NS_KEY);
    assertThat(pushes).isEmpty();
  }

  @Test
  void sameObjectInTwoFilesFirstSortedFileWins() throws Exception {
    write("a.yaml", namespace("from-a"));
    write("b.yaml", namespace("from-b"));

    LoadReport report = newSource(new SimpleMeterRegistry()).loadInitial();

    assertThat(((Namespace) store.get(NS_KEY)).labels()).containsEntry("team", "from-a");
    assertThat(report.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.WARNING);
              assertThat(d.source()).isEqualTo(dir.resolve("b.yaml").toString());
              assertThat(d.object()).isEqualTo("Namespace shop");
              assertThat(d.message()).startsWith("also defined in " + dir.resolve("a.yaml"));
            });

    source.start();
    write("b.yaml", namespace("from-b2"));
    write("marker.yaml", namespace("m").replace("shop", "marker"));
    assertThat(nextPush().changed()).containsExactly(new ConfigKey("Namespace", "", "marker"));
    assertThat(((Namespace) store.get(NS_KEY)).labels()).containsEntry("team", "from-a");

    Files.delete(dir.resolve("a.yaml"));
    PushRequest r = nextPush();
    assertThat(r.changed()).containsExactly(NS_KEY);
    assertThat(((Namespace) store.get(NS_KEY)).labels()).containsEntry("team", "from-b2");
  }

  @Test
  void newSubdirectoriesAreWatched() throws Exception {
    newSource(new SimpleMeterRegistry()).loadInitial();
    source.start();

    Files.createDirectories(dir.resolve("x/y"));
    Thread.sleep(100);
    write("x/y/ns.yaml", namespace("a"));

    assertThat(nextPush().changed()).containsExactly(NS_KEY);
  }

  @Test
  void removingAndRecreatingADirectory() throws Exception {
    write("team/ns.yaml", namespace("a"));
    newSource(new SimpleMeterRegistry()).loadInitial();
    source.start();

    Files.delete(dir.resolve("team/ns.yaml"));
    Files.delete(dir.resolve("team"));
    assertThat(nextPush().changed()).containsExactly(NS_KEY);
    assertThat(store.get(NS_KEY)).isNull();

    Files.createDirectories(dir.resolve("team"));
    Thread.sleep(100);
    write("team/ns.yaml", namespace("b"));
    assertThat(nextPush().changed()).containsExactly(NS_KEY);
    assertThat(((Namespace) store.get(NS_KEY)).labels()).containsEntry("team", "b");
  }

  @Test
  void configMapStyleSymlinkSwapIsNoticed() throws Exception {
    Files.createDirectories(dir.resolve("..v1"));
    Files.createDirectories(dir.resolve("..v2"));
    Files.writeString(dir.resolve("..v1/ns.yaml"), namespace("one"));
    Files.writeString(dir.resolve("..v2/ns.yaml"), namespace("two"));
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("..v1"));
    Files.createSymbolicLink(dir.resolve("ns.yaml"), Path.of("..data/ns.yaml"));
    newSource(new SimpleMeterRegistry()).loadInitial();
    assertThat(((Namespace) store.get(NS_KEY)).labels()).containsEntry("team", "one");
    source.start();

    Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("..v2"));
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

    assertThat(nextPush().changed()).containsExactly(NS_KEY);
    assertThat(((Namespace) store.get(NS_KEY)).labels()).containsEntry("team", "two");
  }

  @Test
  void podChangesAreFullPushesWithEndpointReason() throws Exception {
    String pod =
        "apiVersion: v1\n"
            + "kind: Pod\n"
            + "metadata: {name: p, labels: {version: v1}}\n"
            + "status: {podIP: 10.0.0.1}\n";
    write("pod.yaml", pod);
    newSource(new SimpleMeterRegistry()).loadInitial();
    source.start();

    write("pod.yaml", pod.replace("version: v1", "version: v2"));

    PushRequest r = nextPush();
    assertThat(r.full()).isTrue();
    assertThat(r.reasons()).isEqualTo(Set.of(Reason.ENDPOINT));
  }

  @Test
  void bookinfoExampleLoadsWithoutErrors() {
    Path bookinfo = Path.of(System.getProperty("jpilot.repoRoot"), "examples", "bookinfo");
    FileSource s =
        new FileSource(bookinfo, store, "cluster.local", pushes::add, new SimpleMeterRegistry());
    try (s) {
      LoadReport report = s.loadInitial();
      assertThat(report.diagnostics()).filteredOn(d -> d.severity() == Severity.ERROR).isEmpty();
      assertThat(report.files()).isEqualTo(6);
      assertThat(report.objects()).isEqualTo(21);
    }
  }
}
