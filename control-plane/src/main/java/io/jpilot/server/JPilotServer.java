package io.jpilot.server;

import io.jpilot.model.Durations;
import static java.util.Objects.requireNonNull;

import io.jpilot.debug.MonitoringServer;
import io.jpilot.k8s.KubernetesConnection;
import io.jpilot.k8s.KubernetesSource;
import io.jpilot.k8s.NamespaceSelector;
import io.jpilot.model.ConfigStore;
import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Pod;
import io.jpilot.push.PushEngine;
import io.jpilot.push.ResourceGenerator;
import io.jpilot.push.PushRequest;
import io.jpilot.push.PushSettings;
import io.jpilot.push.SendBudget;
import io.jpilot.source.FileSource;
import io.jpilot.source.LoadReport;
import io.jpilot.translate.ProxyDependencies;
import io.jpilot.translate.TranslationInputs;
import io.jpilot.translate.Translator;
import io.jpilot.xds.XdsServer;
import io.jpilot.xds.XdsTls;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running jpilot: a source (a config directory or a Kubernetes cluster), the config store, push
 * engine, ADS server and monitoring server wired together. {@code bin/jpilot serve} and the
 * end-to-end tests both start it through {@link #start(Options)}.
 */
public final class JPilotServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JPilotServer.class);
  private static final Duration SYNC_LOG_INTERVAL = Duration.ofSeconds(10);

  /**
   * @param configDir directory read (recursively) and watched for *.yaml, *.yml and *.json; null
   *     when the objects come from Kubernetes
   * @param bind address every port binds to (tests use 127.0.0.1)
   * @param xdsPort ADS gRPC port; 0 picks a free one
   * @param monitoringPort /ready, /metrics and /debug/* port; 0 picks a free one
   * @param debounceAfter PILOT_DEBOUNCE_AFTER
   * @param debounceMax PILOT_DEBOUNCE_MAX
   * @param pushThrottle PILOT_PUSH_THROTTLE
   * @param kubernetes when present, the objects are watched in this cluster instead of read from
   *     {@code configDir}
   * @param xdsTls when present, ADS is also served over TLS (istiod's 15012)
   * @param rootNamespace the mesh root namespace (mesh-wide default Sidecar, exported rules)
   * @param sendBudgetBytes JPILOT_PUSH_SEND_BUDGET (see {@link PushSettings})
   */
  public record Options(
      Path configDir,
      String bind,
      int xdsPort,
      int monitoringPort,
      Duration debounceAfter,
      Duration debounceMax,
      int pushThrottle,
      String domainSuffix,
      Optional<KubernetesOptions> kubernetes,
      Optional<XdsTls> xdsTls,
      String rootNamespace,
      long sendBudgetBytes) {

    public Options {
      requireNonNull(xdsTls, "xdsTls");
      requireNonNull(rootNamespace, "rootNamespace");
      requireNonNull(bind, "bind");
      requireNonNull(debounceAfter, "debounceAfter");
      requireNonNull(debounceMax, "debounceMax");
      requireNonNull(domainSuffix, "domainSuffix");
      requireNonNull(kubernetes, "kubernetes");
      if (kubernetes.isEmpty()) {
        requireNonNull(configDir, "configDir");
      } else if (configDir != null) {
        throw new IllegalArgumentException(
            "configDir: " + configDir + " (expected: null when watching Kubernetes)");
      }
    }

    /** Without TLS. */
    public Options(
        Path configDir,
        String bind,
        int xdsPort,
        int monitoringPort,
        Duration debounceAfter,
        Duration debounceMax,
        int pushThrottle,
        String domainSuffix,
        Optional<KubernetesOptions> kubernetes) {
      this(
          configDir,
          bind,
          xdsPort,
          monitoringPort,
          debounceAfter,
          debounceMax,
          pushThrottle,
          domainSuffix,
          kubernetes,
          Optional.empty(),
          MeshConfig.DEFAULT_ROOT_NAMESPACE,
          SendBudget.DEFAULT_LIMIT_BYTES);
    }

    /** The same options with another mesh root namespace. */
    public Options withRootNamespace(String namespace) {
      return with(xdsTls, namespace, sendBudgetBytes);
    }

    /** The same options, also serving ADS over TLS. */
    public Options withXdsTls(XdsTls tls) {
      return with(Optional.of(tls), rootNamespace, sendBudgetBytes);
    }

    /** The same options with another send budget (0: workers never pause). */
    public Options withSendBudget(long bytes) {
      return with(xdsTls, rootNamespace, bytes);
    }

    /** These options with the components the withers set replaced. */
    private Options with(Optional<XdsTls> tls, String namespace, long sendBudget) {
      return new Options(
          configDir,
          bind,
          xdsPort,
          monitoringPort,
          debounceAfter,
          debounceMax,
          pushThrottle,
          domainSuffix,
          kubernetes,
          tls,
          namespace,
          sendBudget);
    }

    /** Serves the config files of {@code configDir}. */
    public Options(
        Path configDir,
        String bind,
        int xdsPort,
        int monitoringPort,
        Duration debounceAfter,
        Duration debounceMax,
        int pushThrottle,
        String domainSuffix) {
      this(
          configDir,
          bind,
          xdsPort,
          monitoringPort,
          debounceAfter,
          debounceMax,
          pushThrottle,
          domainSuffix,
          Optional.empty());
    }

    /** Ephemeral ports on 127.0.0.1 and istiod's default push settings: what tests want. */
    public static Options forTest(Path configDir) {
      PushSettings defaults = PushSettings.defaults();
      return new Options(
          configDir,
          "127.0.0.1",
          0,
          0,
          defaults.debounceAfter(),
          defaults.debounceMax(),
          defaults.pushThrottle(),
          MeshSnapshot.DEFAULT_DOMAIN_SUFFIX);
    }

    /** Like {@link #forTest}, watching a cluster instead of a directory. */
    public static Options forTest(KubernetesOptions kubernetes) {
      Options o = forTest(Path.of("."));
      return new Options(
          null,
          o.bind(),
          o.xdsPort(),
          o.monitoringPort(),
          o.debounceAfter(),
          o.debounceMax(),
          o.pushThrottle(),
          o.domainSuffix(),
          Optional.of(kubernetes));
    }

    PushSettings pushSettings() {
      return new PushSettings(debounceAfter, debounceMax, pushThrottle, sendBudgetBytes);
    }
  }

  /**
   * Watching a Kubernetes cluster.
   *
   * @param connection where the API server is and how to authenticate (kubeconfig or in-cluster)
   * @param clusterId {@code --cluster-id}
   * @param namespaces the namespaces that are part of the mesh (istiod's discoverySelectors)
   * @param syncTimeout how long {@link #start} waits for the first sync; empty waits as long as it
   *     takes (with /ready answering 503 meanwhile)
   */
  public record KubernetesOptions(
      KubernetesConnection connection,
      String clusterId,
      NamespaceSelector namespaces,
      Optional<Duration> syncTimeout) {
    public KubernetesOptions {
      requireNonNull(connection, "connection");
      requireNonNull(clusterId, "clusterId");
      requireNonNull(namespaces, "namespaces");
      requireNonNull(syncTimeout, "syncTimeout");
    }
  }

  private final List<AutoCloseable> closeables;
  private final XdsServer xds;
  private final MonitoringServer monitoring;
  private final PushEngine engine;
  private final ConfigStore store;
  private final PrometheusMeterRegistry meters;

  private JPilotServer(
      List<AutoCloseable> closeables,
      XdsServer xds,
      MonitoringServer monitoring,
      PushEngine engine,
      ConfigStore store,
      PrometheusMeterRegistry meters) {
    this.closeables = closeables;
    this.xds = xds;
    this.monitoring = monitoring;
    this.engine = engine;
    this.store = store;
    this.meters = meters;
  }

  /**
   * Loads the config directory (or syncs with the cluster), then starts serving. Bad objects are
   * logged and skipped; only an unreadable directory, a port that cannot be bound or a cluster that
   * does not sync within the timeout fails the start. The monitoring port is up from the start and
   * answers {@code /ready} with 503 until xDS is served.
   */
  public static JPilotServer start(Options options) throws IOException {
    requireNonNull(options, "options");
    if (options.kubernetes().isEmpty() && !Files.isDirectory(options.configDir())) {
      throw new IOException("--config " + options.configDir() + ": not a directory");
    }
    long startNanos = System.nanoTime();
    List<AutoCloseable> closeables = new ArrayList<>();
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(meters);
    closeables.add(gc);
    ConfigStore store = new ConfigStore();
    MeshConfig mesh = MeshConfig.DEFAULT.withRootNamespace(options.rootNamespace());
    PushEngine engine =
        pushEngine(store, options.domainSuffix(), options.pushSettings(), mesh, meters);
    ConfigAnalysisLog analysis =
        new ConfigAnalysisLog(options.domainSuffix(), meters, engine::idle);
    closeables.add(analysis);
    XdsServer xds =
        new XdsServer(
            options.bind(),
            options.xdsPort(),
            engine,
            meters,
            options.xdsTls(),
            XdsServer.DEFAULT_MAX_CONNECTION_AGE);
    JPilotServer[] self = new JPilotServer[1];
    try {
      MonitoringServer monitoring =
          new MonitoringServer(
              options.bind(),
              options.monitoringPort(),
              () -> self[0] != null,
              meters,
              new XdsDebugViews(xds, engine));
      monitoring.start();
      closeables.add(0, monitoring);
      String loaded;
      long errors = 0;
      long warnings = 0;
      if (options.kubernetes().isPresent()) {
        KubernetesOptions k8s = options.kubernetes().get();
        KubernetesSource source =
            KubernetesSource.connect(
                k8s.connection(),
                store,
                new KubernetesSource.Settings(
                    options.domainSuffix(), k8s.clusterId(), k8s.namespaces()),
                change -> {
                  PushRequest request =
                      FileSource.pushRequest(change.changed(), change.startNanos());
                  engine.request(request);
                  if (needsAnalysis(request)) {
                    analysis.requestCheck(store::all);
                  }
                },
                meters);
        closeables.add(0, source);
        source.start();
        awaitSync(source, k8s);
        warnings += analysis.check(store.all()).added().size();
        loaded = "kubernetes=" + k8s.connection().apiServer() + " cluster=" + k8s.clusterId();
        engine.start();
        closeables.add(engine);
        xds.start();
        closeables.add(0, xds);
      } else {
        FileSource source =
            new FileSource(
                options.configDir(),
                store,
                options.domainSuffix(),
                request -> {
                  engine.request(request);
                  if (needsAnalysis(request)) {
                    analysis.requestCheck(store::all);
                  }
                },
                meters);
        closeables.add(0, source);
        LoadReport report = source.loadInitial();
        long referenceWarnings = analysis.check(store.all()).added().size();
        engine.start();
        closeables.add(engine);
        xds.start();
        closeables.add(0, xds);
        source.start();
        errors =
            report.diagnostics().stream()
                .filter(d -> d.severity() == Diagnostic.Severity.ERROR)
                .count();
        warnings =
            report.diagnostics().stream()
                    .filter(d -> d.severity() == Diagnostic.Severity.WARNING)
                    .count()
                + referenceWarnings;
        loaded = "config=" + options.configDir() + " files=" + report.files();
      }
      self[0] = new JPilotServer(closeables, xds, monitoring, engine, store, meters);
      MeshSnapshot snapshot = engine.snapshot();
      log.info(
          "jpilot ready in {}ms: xds={}:{}{} monitoring={}:{} {} services={} configs={}"
              + " errors={} warnings={} debounce_after={} debounce_max={} push_throttle={}",
          (System.nanoTime() - startNanos) / 1_000_000,
          options.bind(),
          xds.port(),
          xds.tlsPort().isPresent()
              ? " xds_tls=" + options.bind() + ":" + xds.tlsPort().getAsInt()
              : "",
          options.bind(),
          monitoring.port(),
          loaded,
          snapshot.services().size(),
          snapshot.configCount(),
          errors,
          warnings,
          io.jpilot.model.Durations.format(options.debounceAfter()),
          io.jpilot.model.Durations.format(options.debounceMax()),
          options.pushThrottle());
      return self[0];
    } catch (IOException | RuntimeException e) {
      closeAll(closeables);
      meters.close();
      throw e;
    }
  }

  /** Waits for the first sync, saying every 10s what is still being listed. */
  private static void awaitSync(KubernetesSource source, KubernetesOptions k8s)
      throws IOException {
    long deadline =
        k8s.syncTimeout().map(t -> System.nanoTime() + t.toNanos()).orElse(Long.MAX_VALUE);
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException(
              "kubernetes "
                  + k8s.connection().apiServer()
                  + ": not synced within "
                  + io.jpilot.model.Durations.format(k8s.syncTimeout().get())
                  + "; still listing "
                  + source.unsyncedKinds());
        }
        if (source.awaitReady(Duration.ofNanos(Math.min(left, SYNC_LOG_INTERVAL.toNanos())))) {
          return;
        }
        log.info(
            "waiting for kubernetes {} to sync; still listing {}",
            k8s.connection().apiServer(),
            source.unsyncedKinds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for kubernetes to sync", e);
    }
  }

  /** The bound ADS port. */
  public int xdsPort() {
    return xds.port();
  }

  /** The bound ADS-over-TLS port, when serving TLS. */
  public java.util.OptionalInt xdsTlsPort() {
    return xds.tlsPort();
  }

  /** The bound monitoring port. */
  public int monitoringPort() {
    return monitoring.port();
  }

  /** The current snapshot (for tests and debugging). */
  public MeshSnapshot snapshot() {
    return engine.snapshot();
  }

  ConfigStore store() {
    return store;
  }

  PrometheusMeterRegistry meters() {
    return meters;
  }

  @Override
  public void close() {
    closeAll(closeables);
    meters.close();
    log.info("jpilot stopped");
  }

  private static void closeAll(List<AutoCloseable> closeables) {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
      }
    }
  }

  /**
   * The push engine as the server wires it: istiod's translation, resources shared by normalized
   * proxy view ({@link TranslationInputs}), and full pushes reaching only the proxies a change can
   * affect ({@link ProxyDependencies}). Benchmarks use it to measure what production runs.
   */
  public static PushEngine pushEngine(
      ConfigStore store,
      String domainSuffix,
      PushSettings settings,
      MeshConfig mesh,
      MeterRegistry meters) {
    Translator translator = Translator.sharingVirtualHosts(mesh);
    return new PushEngine(
        store,
        domainSuffix,
        settings,
        ResourceGenerator.of(translator),
        TranslationInputs::normalize,
        new ProxyDependencies(translator)::affected,
        meters);
  }


  /**
   * Whether a change can add or clear a reference warning: the analysis reads Istio config and
   * Services, never Pods or EndpointSlices, so pod churn and rollouts do not re-run it.
   */
  static boolean needsAnalysis(PushRequest request) {
    if (request.changed().isEmpty()) {
      return request.full();
    }
    for (ConfigKey key : request.changed()) {
      if (!key.kind().equals(Pod.KIND) && !key.kind().equals(EndpointSlice.KIND)) {
        return request.full();
      }
    }
    return false;
  }

}
