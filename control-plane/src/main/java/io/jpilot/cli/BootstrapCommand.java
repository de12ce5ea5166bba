package io.jpilot.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.jpilot.cli.Args.UsageException;
import io.jpilot.envoy.EnvoyTypeRegistry;
import io.jpilot.envoy.ProtoValidator;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Locality;
import io.jpilot.translate.BootstrapGenerator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code jpilot bootstrap --node ID --xds-address HOST:PORT}: prints the Envoy bootstrap (JSON) of
 * a plain sidecar that gets its config from jpilot, checked against Envoy's validation rules.
 */
final class BootstrapCommand {
  private BootstrapCommand() {}

  static int run(String[] argv, PrintStream out, PrintStream err) {
    Args args =
        Args.parse(
            argv, Set.of("node", "xds-address", "admin-port", "xds-ca", "meta", "label"), Set.of());
    if (!args.positionals().isEmpty()) {
      throw new UsageException("bootstrap takes no arguments, got " + args.positionals());
    }
    String nodeId = args.get("node", null);
    String address = args.get("xds-address", null);
    if (nodeId == null || address == null) {
      throw new UsageException("bootstrap needs --node ID and --xds-address HOST:PORT");
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new UsageException("--xds-address " + address + " (expected: HOST:PORT)");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UsageException("--xds-address " + address + " (expected: HOST:PORT)");
    }
    Map<String, String> meta = pairs(args.all("meta"), "meta");
    Map<String, String> labels = pairs(args.all("label"), "label");
    ProxyView proxy;
    try {
      proxy = ProxyView.parse(nodeId, meta, labels, Locality.NONE);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--node: " + e.getMessage());
    }
    BootstrapGenerator.Request request;
    try {
      request =
          new BootstrapGenerator.Request(
              proxy,
              host,
              port,
              args.getInt("admin-port", 15000),
              Optional.ofNullable(args.get("xds-ca", null)).map(Path::of),
              meta);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    Bootstrap bootstrap = BootstrapGenerator.generate(request);
    List<String> violations = new ProtoValidator().validate(bootstrap);
    if (!violations.isEmpty()) {
      violations.forEach(v -> err.println("jpilot: invalid bootstrap: " + v));
      return 1;
    }
    try {
      out.println(
          JsonFormat.printer()
              .preservingProtoFieldNames()
              .usingTypeRegistry(
                  EnvoyTypeRegistry.defaultRegistry().jsonTypeRegistry(List.of(bootstrap)))
              .print(bootstrap));
    } catch (InvalidProtocolBufferException e) {
      err.println("jpilot: cannot print the bootstrap: " + e.getMessage());
      return 1;
    }
    return 0;
  }

  private static Map<String, String> pairs(List<String> values, String option) {
    Map<String, String> out = new TreeMap<>();
    for (String v : values) {
      int eq = v.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--" + option + " " + v + " (expected: KEY=VALUE)");
      }
      out.put(v.substring(0, eq), v.substring(eq + 1));
    }
    return out;
  }
}
