package io.jpilot.server;

import io.jpilot.model.Durations;
import static java.util.Objects.requireNonNull;

import io.jpilot.debug.MonitoringServer;
import io.jpilot.model.ConfigStore;
import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.push.PushEngine;
import io.jpilot.push.PushSettings;
import io.jpilot.source.FileSource;
import io.jpilot.source.LoadReport;
import io.jpilot.translate.Translator;
import io.jpilot.xds.XdsServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running jpilot: the file source, config store, push engine, ADS server and monitoring server
 * wired together. {@code bin/jpilot serve} and the end-to-end tests both start it through {@link
 * #start(Options)}.
 */
public final class JPilotServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JPilotServer.class);

  /**
   * @param configDir directory read (recursively) and watched for *.yaml, *.yml and *.json
   * @param bind address every port binds to (tests use 127.0.0.1)
   * @param xdsPort ADS gRPC port; 0 picks a free one
   * @param monitoringPort /ready, /metrics and /debug/* port; 0 picks a free one
   * @param debounceAfter PILOT_DEBOUNCE_AFTER
   * @param debounceMax PILOT_DEBOUNCE_MAX
   * @param pushThrottle PILOT_PUSH_THROTTLE
   * @param rootNamespace the mesh root namespace (mesh-wide default Sidecar, exported rules)
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
      String rootNamespace) {

    public Options {
      requireNonNull(configDir, "configDir");
      requireNonNull(bind, "bind");
      requireNonNull(debounceAfter, "debounceAfter");
      requireNonNull(debounceMax, "debounceMax");
      requireNonNull(domainSuffix, "domainSuffix");
      requireNonNull(rootNamespace, "rootNamespace");
    }

    /** Options with istiod's default root namespace, istio-system. */
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
          MeshConfig.DEFAULT_ROOT_NAMESPACE);
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

    PushSettings pushSettings() {
      return new PushSettings(debounceAfter, debounceMax, pushThrottle);
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
   * Loads the config directory, then starts serving. Bad objects are logged and skipped; only an
   * unreadable directory or a port that cannot be bound fails the start.
   */
  public static JPilotServer start(Options options) throws IOException {
    requireNonNull(options, "options");
    if (!Files.isDirectory(options.configDir())) {
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
    Translator translator =
        new Translator(MeshConfig.DEFAULT.withRootNamespace(options.rootNamespace()));
    PushEngine engine =
        new PushEngine(
            store, options.domainSuffix(), options.pushSettings(), translator::generate, meters);
    FileSource source =
        new FileSource(options.configDir(), store, options.domainSuffix(), engine::request, meters);
    try {
      LoadReport report = source.loadInitial();
      engine.start();
      closeables.add(engine);
      XdsServer xds = new XdsServer(options.bind(), options.xdsPort(), engine, meters);
      xds.start();
      closeables.add(0, xds);
      source.start();
      closeables.add(0, source);
      JPilotServer[] self = new JPilotServer[1];
      MonitoringServer monitoring =
          new MonitoringServer(
              options.bind(),
              options.monitoringPort(),
              () -> self[0] != null,
              meters,
              new XdsDebugViews(xds));
      monitoring.start();
      closeables.add(0, monitoring);
      self[0] = new JPilotServer(closeables, xds, monitoring, engine, store, meters);
      MeshSnapshot snapshot = engine.snapshot();
      long errors =
          report.diagnostics().stream()
              .filter(d -> d.severity() == Diagnostic.Severity.ERROR)
              .count();
      long warnings =
          report.diagnostics().stream()
              .filter(d -> d.severity() == Diagnostic.Severity.WARNING)
              .count();
      log.info(
          "jpilot ready in {}ms: xds={}:{} monitoring={}:{} config={} files={} services={} configs={}"
              + " errors={} warnings={} debounce_after={} debounce_max={} push_throttle={}",
          (System.nanoTime() - startNanos) / 1_000_000,
          options.bind(),
          xds.port(),
          options.bind(),
          monitoring.port(),
          options.configDir(),
          report.files(),
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
      source.close();
      throw e;
    }
  }

  /** The bound ADS port. */
  public int xdsPort() {
    return xds.port();
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
}
