package io.jpilot.cli;

import io.jpilot.cli.Args.UsageException;
import io.jpilot.k8s.KubernetesConnection;
import io.jpilot.k8s.KubernetesSource;
import io.jpilot.k8s.NamespaceSelector;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.Durations;
import io.jpilot.push.PushSettings;
import io.jpilot.server.JPilotServer;
import io.jpilot.xds.XdsTls;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code jpilot serve}: runs the control plane until SIGTERM/SIGINT, on a config directory or on a
 * Kubernetes cluster.
 */
final class ServeCommand {
  private ServeCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args =
        Args.parse(
            argv,
            Set.of(
                "config",
                "bind",
                "xds-port",
                "monitoring-port",
                "debounce-after",
                "debounce-max",
                "push-throttle",
                "domain-suffix",
                "kubeconfig",
                "cluster-id",
                "discovery-selector",
                "http-port",
                "xds-tls-port",
                "tls-cert",
                "tls-key",
                "tls-client-ca",
                "root-namespace"),
            Set.of());
    if (!args.positionals().isEmpty()) {
      throw new UsageException("serve takes no arguments, got " + args.positionals());
    }
    String config = args.get("config", null);
    Optional<JPilotServer.KubernetesOptions> kubernetes;
    try {
      kubernetes = kubernetesOptions(args, config, System.getenv());
    } catch (IOException e) {
      err.println("jpilot: " + e.getMessage());
      return 1;
    }
    PushSettings env;
    try {
      env = PushSettings.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      err.println("jpilot: " + e.getMessage());
      return 2;
    }
    JPilotServer.Options options =
        new JPilotServer.Options(
            config == null ? null : Path.of(config),
            args.get("bind", "127.0.0.1"),
            port(args, "xds-port", 15010),
            port(args, "monitoring-port", 15014),
            duration(args, "debounce-after", env.debounceAfter()),
            duration(args, "debounce-max", env.debounceMax()),
            args.getInt("push-throttle", env.pushThrottle()),
            args.get("domain-suffix", MeshSnapshot.DEFAULT_DOMAIN_SUFFIX),
            kubernetes);
    Optional<XdsTls> tls = xdsTls(args);
    if (tls.isPresent()) {
      options = options.withXdsTls(tls.get());
    }
    options =
        options
            .withRootNamespace(args.get("root-namespace", MeshConfig.DEFAULT_ROOT_NAMESPACE))
            .withSendBudget(env.sendBudgetBytes());
    if (options.pushThrottle() < 1) {
      throw new UsageException("--push-throttle " + options.pushThrottle() + " (expected: >= 1)");
    }
    ReadinessEndpoint readiness = null;
    JPilotServer server;
    try {
      if (args.has("http-port")) {
        readiness = ReadinessEndpoint.start(options.bind(), port(args, "http-port", 8080));
      }
      server = JPilotServer.start(options);
    } catch (IOException e) {
      if (readiness != null) {
        readiness.close();
      }
      err.println("jpilot: cannot start: " + e.getMessage());
      return 1;
    }
    if (readiness != null) {
      readiness.markReady(true);
    }
    ReadinessEndpoint probe = readiness;
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (probe != null) {
                    probe.markReady(false);
                  }
                  server.close();
                  if (probe != null) {
                    probe.close();
                  }
                  stopped.countDown();
                },
                "jpilot-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * The cluster to watch: {@code --kubeconfig FILE}, or the pod's own service account when running
   * in a pod without {@code --config}. Empty when serving {@code --config DIR}.
   */
  static Optional<JPilotServer.KubernetesOptions> kubernetesOptions(
      Args args, String config, Map<String, String> env) throws IOException {
    String kubeconfig = args.get("kubeconfig", null);
    if (config != null && kubeconfig != null) {
      throw new UsageException("--config and --kubeconfig are exclusive: serve one source");
    }
    if (config != null) {
      for (String k8sOnly : List.of("cluster-id", "discovery-selector")) {
        if (args.has(k8sOnly)) {
          throw new UsageException("--" + k8sOnly + " applies to a cluster, not to --config");
        }
      }
      return Optional.empty();
    }
    KubernetesConnection client;
    if (kubeconfig != null) {
      client = KubernetesConnection.fromKubeconfig(Path.of(kubeconfig));
    } else if (KubernetesConnection.inCluster(env)) {
      client = KubernetesConnection.inCluster();
    } else {
      throw new UsageException(
          "serve needs --config DIR or --kubeconfig FILE (or to run in a Kubernetes pod)");
    }
    NamespaceSelector namespaces;
    try {
      namespaces = NamespaceSelector.parse(args.all("discovery-selector"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--discovery-selector: " + e.getMessage());
    }
    String clusterId = args.get("cluster-id", KubernetesSource.Settings.DEFAULT_CLUSTER_ID);
    if (clusterId.isEmpty()) {
      throw new UsageException("--cluster-id must not be empty");
    }
    return Optional.of(
        new JPilotServer.KubernetesOptions(client, clusterId, namespaces, Optional.empty()));
  }

  /** {@code --tls-cert} and {@code --tls-key} (and optionally {@code --tls-client-ca}). */
  static Optional<XdsTls> xdsTls(Args args) {
    String cert = args.get("tls-cert", null);
    String key = args.get("tls-key", null);
    if (cert == null && key == null) {
      for (String tlsOnly : List.of("tls-client-ca", "xds-tls-port")) {
        if (args.has(tlsOnly)) {
          throw new UsageException("--" + tlsOnly + " needs --tls-cert and --tls-key");
        }
      }
      return Optional.empty();
    }
    if (cert == null || key == null) {
      throw new UsageException("--tls-cert and --tls-key go together");
    }
    return Optional.of(
        new XdsTls(
            port(args, "xds-tls-port", 15012),
            Path.of(cert),
            Path.of(key),
            Optional.ofNullable(args.get("tls-client-ca", null)).map(Path::of)));
  }

  private static int port(Args args, String name, int defaultValue) {
    int p = args.getInt(name, defaultValue);
    if (p < 0 || p > 65535) {
      throw new UsageException("--" + name + " " + p + " (expected: 0..65535)");
    }
    return p;
  }

  private static Duration duration(Args args, String name, Duration defaultValue) {
    String v = args.get(name, null);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + name + ": " + e.getMessage());
    }
  }
}
