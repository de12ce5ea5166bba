package io.jpilot.e2e;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the Node.js client in {@code control-plane/src/test/node/grpc-js-xds-client} (a real
 * {@code @grpc/grpc-js-xds} client) as a subprocess and reads the one JSON line it prints.
 *
 * <p>Its {@code node_modules} are not committed: {@link #ensureInstalled} runs {@code npm ci}
 * against the committed lock file the first time it is needed on a clone. Node.js and npm must be
 * on the {@code PATH}; when they are not, the test fails and says so.
 */
final class GrpcJsXdsClient {

  /** Relative to the repository root. */
  private static final Path CLIENT_DIR = Path.of("control-plane/src/test/node/grpc-js-xds-client");

  private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NACK_IN_TRACE =
      Pattern.compile("\"message\": \"(xDS response validation errors: .*)\"");

  /** One phase of calls: {@code calls} calls of WhoAmI, each with {@code headers} as metadata. */
  record Phase(String name, int calls, Map<String, String> headers) {
    Phase {
      requireNonNull(name, "name");
      if (!name.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("name: " + name + " (expected: [A-Za-z0-9_.-]+)");
      }
      if (calls < 0) {
        throw new IllegalArgumentException("calls: " + calls + " (expected: >= 0)");
      }
      headers = new TreeMap<>(requireNonNull(headers, "headers"));
    }

    String spec() {
      StringBuilder spec = new StringBuilder(name).append('=').append(calls);
      headers.forEach((key, value) -> spec.append(',').append(key).append(':').append(value));
      return spec.toString();
    }
  }

  /** What the client printed: see client.js for the fields. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Result(
      String target,
      Await await,
      List<PhaseResult> phases,
      long elapsedMs,
      boolean timedOut,
      String fatal) {

    Optional<PhaseResult> phase(String name) {
      return phases == null
          ? Optional.empty()
          : phases.stream().filter(p -> p.name().equals(name)).findFirst();
    }
  }

  /** The wait for every wanted identity to answer once. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Await(
      List<String> wanted, List<String> seen, int calls, long elapsedMs, String lastError) {}

  /**
   * One phase's tally.
   *
   * @param answers identity → calls it answered
   * @param errors gRPC status code name → failed calls
   * @param errorMessages the first distinct "CODE: details" messages
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record PhaseResult(
      String name,
      int calls,
      Map<String, String> headers,
      SortedMap<String, Integer> answers,
      SortedMap<String, Integer> errors,
      List<String> errorMessages) {}

  /**
   * A finished run.
   *
   * @param exitCode 0 when every phase ran, 2 when the client's own deadline passed first, 1 on a
   *     setup error; -1 when it had to be killed
   * @param result the parsed last line of stdout; null when there was none
   * @param stderr grpc-js's {@code xds_client} trace (unless {@code GRPC_TRACE} was set otherwise)
   */
  record Run(int exitCode, Result result, String stdout, String stderr) {

    /**
     * The distinct reasons the client gave when it NACKed a response, read from its {@code
     * xds_client} trace (each request it sends is logged, with its {@code error_detail}).
     */
    List<String> nacks() {
      Set<String> reasons = new LinkedHashSet<>();
      Matcher m = NACK_IN_TRACE.matcher(stderr);
      while (m.find()) {
        reasons.add(m.group(1));
      }
      return List.copyOf(reasons);
    }

    /** For assertion messages: the exit code, the output, the NACKs, and the end of stderr. */
    String describe() {
      String tail =
          stderr.length() > 3000 ? "…" + stderr.substring(stderr.length() - 3000) : stderr;
      return "grpc-js-xds client exit "
          + exitCode
          + "\nstdout: "
          + stdout
          + "\nNACKs: "
          + nacks()
          + "\nstderr: "
          + tail;
    }
  }

  private GrpcJsXdsClient() {}

  /** The client's directory in this checkout. */
  static Path clientDir() {
    String repoRoot = System.getProperty("jpilot.repoRoot");
    List<Path> candidates = new ArrayList<>();
    if (repoRoot != null) {
      candidates.add(Path.of(repoRoot).resolve(CLIENT_DIR));
    }
    Path cwd = Path.of("").toAbsolutePath();
    candidates.add(cwd.resolve(CLIENT_DIR)); // run from the repository root
    candidates.add(cwd.getParent() == null ? cwd : cwd.getParent().resolve(CLIENT_DIR));
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate.resolve("client.js"))) {
        return candidate.normalize();
      }
    }
    throw new IllegalStateException("grpc-js-xds client not found; looked in " + candidates);
  }

  /**
   * Installs the client's dependencies with {@code npm ci --no-audit --no-fund} when {@code
   * node_modules} lacks them, and checks that {@code node} runs.
   *
   * @throws AssertionError when node or npm is missing or the install fails, with what to do
   */
  static synchronized void ensureInstalled() throws IOException, InterruptedException {
    Path dir = clientDir();
    Path marker = dir.resolve("node_modules/@grpc/grpc-js-xds/package.json");
    if (!Files.isRegularFile(marker)) {
      ProcessOutcome npm =
          runTool(dir, NPM_CI_TIMEOUT, List.of(npmCommand(), "ci", "--no-audit", "--no-fund"));
      if (npm.exitCode != 0 || !Files.isRegularFile(marker)) {
        throw new AssertionError(
            "`npm ci` in "
                + dir
                + " failed (exit "
                + npm.exitCode
                + "); the grpc-js-xds end-to-end test needs its dependencies.\n"
                + npm.output);
      }
    }
    ProcessOutcome node = runTool(dir, Duration.ofSeconds(30), List.of("node", "--version"));
    if (node.exitCode != 0) {
      throw new AssertionError(
          "`node --version` failed (exit " + node.exitCode + "): " + node.output);
    }
  }

  /**
   * What one run of the client does.
   *
   * @param await identities that must each answer one call before the phases start (empty: none)
   * @param awaitTimeout how long that may take; past it the client stops with a {@code fatal}
   * @param phases the calls to tally, in order
   * @param rpcTimeout each call's deadline
   * @param deadline the whole run's; the client stops itself then and prints what it has
   */
  record Plan(
      List<String> await,
      Duration awaitTimeout,
      List<Phase> phases,
      Duration rpcTimeout,
      Duration deadline) {
    Plan {
      await = List.copyOf(requireNonNull(await, "await"));
      requireNonNull(awaitTimeout, "awaitTimeout");
      phases = List.copyOf(requireNonNull(phases, "phases"));
      requireNonNull(rpcTimeout, "rpcTimeout");
      requireNonNull(deadline, "deadline");
      for (Duration d : List.of(awaitTimeout, rpcTimeout, deadline)) {
        if (d.toMillis() <= 0) {
          throw new IllegalArgumentException("timeout: " + d + " (expected: >= 1 ms)");
        }
      }
    }

    List<String> args() {
      List<String> args = new ArrayList<>();
      if (!await.isEmpty()) {
        args.addAll(
            List.of("--await", String.join(",", await), "--await-ms", millis(awaitTimeout)));
      }
      for (Phase phase : phases) {
        args.addAll(List.of("--phase", phase.spec()));
      }
      args.addAll(
          List.of("--rpc-timeout-ms", millis(rpcTimeout), "--deadline-ms", millis(deadline)));
      return args;
    }

    private static String millis(Duration d) {
      return Long.toString(d.toMillis());
    }
  }

  /**
   * Runs the client against {@code target} with {@code bootstrapJson} in {@code
   * GRPC_XDS_BOOTSTRAP_CONFIG}. If it has not exited 10 s after the plan's deadline, it is killed.
   * Unless {@code GRPC_TRACE} is set in this JVM's environment, the client runs with grpc-js's
   * {@code xds_client} trace on, for {@link Run#nacks}.
   */
  static Run run(String target, String bootstrapJson, Plan plan)
      throws IOException, InterruptedException {
    requireNonNull(target, "target");
    requireNonNull(bootstrapJson, "bootstrapJson");
    requireNonNull(plan, "plan");
    Path dir = clientDir();
    List<String> command = new ArrayList<>(List.of("node", "client.js", "--target", target));
    command.addAll(plan.args());

    Path stdout = Files.createTempFile("grpc-js-xds-client", ".out");
    Path stderr = Files.createTempFile("grpc-js-xds-client", ".err");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile());
      Map<String, String> env = builder.environment();
      env.remove("GRPC_XDS_BOOTSTRAP");
      env.put("GRPC_XDS_BOOTSTRAP_CONFIG", bootstrapJson);
      // The xDS client's trace (some 40 kB per run) is where NACK reasons show; see Run#nacks.
      if (!env.containsKey("GRPC_TRACE")) {
        env.put("GRPC_TRACE", "xds_client");
        env.put("GRPC_VERBOSITY", "DEBUG");
      }
      Process process = builder.start();
      int exitCode = waitFor(process, plan.deadline().plusSeconds(10));
      String out = Files.readString(stdout, StandardCharsets.UTF_8);
      String err = Files.readString(stderr, StandardCharsets.UTF_8);
      return new Run(exitCode, parseLastLine(out), out, err);
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }

  private static Result parseLastLine(String stdout) {
    String[] lines = stdout.strip().split("\n");
    String last = lines[lines.length - 1].strip();
    if (!last.startsWith("{")) {
      return null;
    }
    try {
      return JSON.readValue(last, Result.class);
    } catch (IOException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private record ProcessOutcome(int exitCode, String output) {}

  private static String npmCommand() {
    return System.getProperty("os.name", "").startsWith("Windows") ? "npm.cmd" : "npm";
  }

  /**
   * Runs a tool to completion with stdout and stderr merged; a missing tool is an AssertionError.
   */
  private static ProcessOutcome runTool(Path dir, Duration timeout, List<String> command)
      throws IOException, InterruptedException {
    Path output = Files.createTempFile("grpc-js-xds-tool", ".log");
    try {
      Process process;
      try {
        process =
            new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                .redirectOutput(output.toFile())
                .start();
      } catch (IOException e) {
        throw new AssertionError(
            "cannot run `"
                + command.get(0)
                + "` ("
                + e.getMessage()
                + "): the grpc-js-xds end-to-end test needs Node.js 18+ and npm on the PATH",
            e);
      }
      int exitCode = waitFor(process, timeout);
      return new ProcessOutcome(exitCode, Files.readString(output, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(output);
    }
  }

  /** The exit code, or -1 after killing the process (and its children) when it overran. */
  private static int waitFor(Process process, Duration timeout) throws InterruptedException {
    try {
      if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return process.exitValue();
      }
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return -1;
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw e;
    }
  }

  private static java.io.File nullDevice() {
    return new java.io.File(
        System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
  }
}
