package io.jpilot.cli;

import io.jpilot.model.Durations;
import io.jpilot.cli.Args.UsageException;
import java.io.PrintStream;
import java.util.Arrays;

/** {@code jpilot <command> [options]}: serve, proxy-config, bootstrap, analyze, version. */
public final class Main {
  static final String USAGE =
      String.join(
          "\n",
          "usage: jpilot <command> [options]",
          "",
          "commands:",
          "  serve --config DIR          run the control plane on the config in DIR (watched)",
          "        [--bind ADDR]               address to listen on (default 127.0.0.1)",
          "        [--xds-port N]              ADS gRPC port (default 15010)",
          "        [--monitoring-port N]       /ready, /metrics, /debug/* (default 15014)",
          "        [--debounce-after D]        PILOT_DEBOUNCE_AFTER (default 100ms)",
          "        [--debounce-max D]          PILOT_DEBOUNCE_MAX (default 10s)",
          "        [--push-throttle N]         PILOT_PUSH_THROTTLE (default min(15 + 5 x cores, 100))",
          "        [--domain-suffix S]         cluster domain (default cluster.local)",
          "        [--http-port N]             also answer /ready on this port (istiod's 8080)",
          "        [--tls-cert F --tls-key F]  also serve ADS over TLS (PEM files) on --xds-tls-port",
          "        [--xds-tls-port N]          (default 15012)",
          "        [--tls-client-ca F]         require client certificates signed by this CA",
          "        [--root-namespace NS]       mesh root namespace (default istio-system)",
          "  serve --kubeconfig FILE     the same on the objects of a Kubernetes cluster (watched);",
          "                              in a pod, without --config, the pod's service account is used",
          "        [--cluster-id ID]           the cluster's name in the mesh (default Kubernetes)",
          "        [--discovery-selector SEL]...  only namespaces matching a label selector, e.g.",
          "                                    'istio-discovery=enabled' (repeat: any may match)",
          "  proxy-config <clusters|listeners|routes|endpoints|all> --config DIR --proxy NODE_ID",
          "        [-o json]                   print an envoy.admin.v3.ConfigDump instead of a table",
          "        [--meta KEY=VALUE]...       node metadata, e.g. --meta GENERATOR=grpc",
          "        [--label KEY=VALUE]...      proxy labels (default: the labels of its Pod)",
          "        [--name HOST:PORT]...       for proxyless gRPC: the xds:/// targets it dials",
          "        [--root-namespace NS]       mesh root namespace (default istio-system)",
          "  bootstrap --node NODE_ID --xds-address HOST:PORT",
          "                              print the Envoy bootstrap of a plain sidecar served by jpilot",
          "        [--xds-ca FILE]             use TLS to jpilot, trusting this CA (PEM)",
          "        [--admin-port N]            Envoy's admin port on 127.0.0.1 (default 15000)",
          "        [--meta KEY=VALUE]...       node metadata; [--label KEY=VALUE]... its LABELS",
          "  analyze PATH...             check config as istioctl analyze does: files, directories",
          "                              (yaml, json, yaml blocks of markdown) or - for stdin;",
          "                              exit code 1 when there are errors",
          "        [-o json]                   print the findings as a JSON array",
          "        [--domain-suffix S]         cluster domain (default cluster.local)",
          "  version                     print the version",
          "",
          "Durations use istiod's syntax: 100ms, 10s, 1m30s. Flags override the PILOT_* environment.",
          "");

  private Main() {}

  /**
   * Netty's pooled direct buffers, when it may call DirectByteBuffer's private constructor, are
   * allocated without the JDK zeroing every new chunk; a push of hundreds of megabytes otherwise
   * spends a visible share of its CPU clearing memory that is then overwritten. The jar's manifest
   * opens java.nio for this ({@code Add-Opens}); without it Netty falls back to the JDK path.
   */
  private static final String NETTY_REFLECTION =
      "io.grpc.netty.shaded.io.netty.tryReflectionSetAccessible";

  /**
   * Netty's buffer leak detector, off unless asked for (set the property to {@code simple} or
   * {@code paranoid} to debug a leak). At its default level it records the stack of one buffer
   * allocation in 128, which during a full push of a large mesh is thousands of stack walks.
   */
  private static final String NETTY_LEAK_DETECTION =
      "io.grpc.netty.shaded.io.netty.leakDetection.level";

  public static void main(String[] argv) {
    if (System.getProperty(NETTY_REFLECTION) == null) {
      System.setProperty(NETTY_REFLECTION, "true");
    }
    if (System.getProperty(NETTY_LEAK_DETECTION) == null) {
      System.setProperty(NETTY_LEAK_DETECTION, "disabled");
    }
    int code = run(argv, System.out, System.err);
    if (code != 0 || !(argv.length > 0 && argv[0].equals("serve"))) {
      System.exit(code);
    }
  }

  static int run(String[] argv, PrintStream out, PrintStream err) {
    if (argv.length == 0) {
      err.print(USAGE);
      return 2;
    }
    String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
    try {
      switch (argv[0]) {
        case "serve":
          return ServeCommand.run(rest, out, err);
        case "proxy-config":
          // an offline report: only problems with the input belong on stderr
          System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
          return ProxyConfigCommand.run(rest, out, err);
        case "bootstrap":
          return BootstrapCommand.run(rest, out, err);
        case "analyze":
          System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
          return AnalyzeCommand.run(rest, out, err);
        case "version":
        case "--version":
          out.println("jpilot " + version());
          return 0;
        case "help":
        case "-h":
        case "--help":
          out.print(USAGE);
          return 0;
        default:
          throw new UsageException("unknown command " + argv[0]);
      }
    } catch (UsageException e) {
      err.println("jpilot: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
