package io.jpilot.cli;

import io.jpilot.cli.Args.UsageException;
import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.Durations;
import io.jpilot.push.PushSettings;
import io.jpilot.server.JPilotServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code jpilot serve}: runs the control plane until SIGTERM/SIGINT. */
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
                "root-namespace"),
            Set.of());
    if (!args.positionals().isEmpty()) {
      throw new UsageException("serve takes no arguments, got " + args.positionals());
    }
    String config = args.get("config", null);
    if (config == null) {
      throw new UsageException("serve needs --config DIR");
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
            Path.of(config),
            args.get("bind", "127.0.0.1"),
            port(args, "xds-port", 15010),
            port(args, "monitoring-port", 15014),
            duration(args, "debounce-after", env.debounceAfter()),
            duration(args, "debounce-max", env.debounceMax()),
            args.getInt("push-throttle", env.pushThrottle()),
            args.get("domain-suffix", MeshSnapshot.DEFAULT_DOMAIN_SUFFIX),
            args.get("root-namespace", MeshConfig.DEFAULT_ROOT_NAMESPACE));
    if (options.pushThrottle() < 1) {
      throw new UsageException("--push-throttle " + options.pushThrottle() + " (expected: >= 1)");
    }
    JPilotServer server;
    try {
      server = JPilotServer.start(options);
    } catch (IOException e) {
      err.println("jpilot: cannot start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
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
