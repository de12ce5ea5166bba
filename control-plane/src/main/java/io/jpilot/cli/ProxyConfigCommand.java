package io.jpilot.cli;

import com.google.protobuf.Message;
import io.jpilot.cli.Args.UsageException;
import io.jpilot.debug.ConfigDumps;
import io.jpilot.debug.ProxyConfigTables;
import io.jpilot.debug.SubscriptionWalker;
import io.jpilot.model.ConfigStore;
import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Pod;
import io.jpilot.source.FileSource;
import io.jpilot.translate.Translator;
import io.jpilot.translate.XdsType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * {@code jpilot proxy-config}: what a proxy would be sent for the config in a directory, computed
 * offline with the same translator the server uses.
 */
final class ProxyConfigCommand {
  private ProxyConfigCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args =
        Args.parse(
            argv,
            Set.of(
                "config",
                "proxy",
                "o",
                "output",
                "meta",
                "label",
                "name",
                "domain-suffix",
                "root-namespace"),
            Set.of());
    if (args.positionals().size() != 1) {
      throw new UsageException("proxy-config needs one of clusters, listeners, routes, endpoints, all");
    }
    String what = args.positionals().get(0);
    if (!Set.of("clusters", "listeners", "routes", "endpoints", "all").contains(what)) {
      throw new UsageException("proxy-config: unknown resource kind " + what);
    }
    String dir = args.get("config", null);
    String nodeId = args.get("proxy", null);
    if (dir == null || nodeId == null) {
      throw new UsageException("proxy-config needs --config DIR and --proxy NODE_ID");
    }
    String output = args.get("o", args.get("output", "table"));
    if (!output.equals("json") && !output.equals("table")) {
      throw new UsageException("-o " + output + " (expected: json)");
    }
    Path configDir = Path.of(dir);
    if (!Files.isDirectory(configDir)) {
      err.println("jpilot: --config " + dir + ": not a directory");
      return 1;
    }
    String suffix = args.get("domain-suffix", MeshSnapshot.DEFAULT_DOMAIN_SUFFIX);
    ConfigStore store = new ConfigStore();
    try (FileSource source =
        new FileSource(configDir, store, suffix, request -> {}, new SimpleMeterRegistry())) {
      source.loadInitial();
    }
    MeshSnapshot snapshot = MeshSnapshot.build(1, suffix, store.all());

    Map<String, String> meta = keyValues(args, "meta");
    Map<String, String> labels = keyValues(args, "label");
    ProxyView proxy;
    try {
      proxy = ProxyView.parse(nodeId, meta, labels, Locality.NONE);
    } catch (IllegalArgumentException e) {
      err.println("jpilot: --proxy: " + e.getMessage());
      return 1;
    }
    if (labels.isEmpty()) {
      proxy = withPodLabels(proxy, store);
    }
    Map<XdsType, SortedMap<String, Message>> resources =
        SubscriptionWalker.walk(
            new Translator(
                MeshConfig.DEFAULT.withRootNamespace(
                    args.get("root-namespace", MeshConfig.DEFAULT_ROOT_NAMESPACE))),
            snapshot,
            proxy,
            new TreeSet<>(args.all("name")));
    if (output.equals("json")) {
      Map<XdsType, SortedMap<String, Message>> selected = new EnumMap<>(XdsType.class);
      Map<XdsType, String> versions = new EnumMap<>(XdsType.class);
      for (XdsType t : XdsType.values()) {
        if (what.equals("all") || what.equals(kindOf(t))) {
          selected.put(t, resources.get(t));
          versions.put(t, Long.toString(snapshot.version()));
        }
      }
      out.println(ConfigDumps.toJson(ConfigDumps.build(selected, versions)));
      return 0;
    }
    boolean all = what.equals("all");
    if (all || what.equals("clusters")) {
      out.print(ProxyConfigTables.clusters(resources.get(XdsType.CLUSTER)));
      if (all) out.println();
    }
    if (all || what.equals("listeners")) {
      out.print(ProxyConfigTables.listeners(resources.get(XdsType.LISTENER)));
      if (all) out.println();
    }
    if (all || what.equals("routes")) {
      out.print(ProxyConfigTables.routes(resources.get(XdsType.ROUTE)));
      if (all) out.println();
    }
    if (all || what.equals("endpoints")) {
      out.print(ProxyConfigTables.endpoints(resources.get(XdsType.ENDPOINT)));
    }
    return 0;
  }

  private static String kindOf(XdsType t) {
    switch (t) {
      case CLUSTER:
        return "clusters";
      case ENDPOINT:
        return "endpoints";
      case LISTENER:
        return "listeners";
      default:
        return "routes";
    }
  }

  /** Offline there is no node metadata: take the labels of the Pod the node id names, if any. */
  private static ProxyView withPodLabels(ProxyView proxy, ConfigStore store) {
    String id = proxy.id();
    int dot = id.lastIndexOf('.');
    String podName = dot > 0 ? id.substring(0, dot) : id;
    MeshObject o = store.get(new ConfigKey(Pod.KIND, proxy.namespace(), podName));
    if (!(o instanceof Pod pod)) {
      return proxy;
    }
    return new ProxyView(
        proxy.nodeId(), proxy.type(), proxy.ips(), proxy.id(), proxy.namespace(), proxy.dnsDomain(),
        pod.labels(), proxy.generator(), pod.locality().isEmpty() ? proxy.locality() : pod.locality());
  }

  private static Map<String, String> keyValues(Args args, String option) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : args.all(option)) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--" + option + " " + kv + " (expected: KEY=VALUE)");
      }
      out.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return out;
  }
}
