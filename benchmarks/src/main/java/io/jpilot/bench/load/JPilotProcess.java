package io.jpilot.bench.load;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * jpilot as a separate JVM: {@code java -Xmx<heap> -jar jpilot.jar serve --config DIR ...}, with
 * its output in a log file. Heap is read with {@code jcmd <pid> GC.run} then {@code GC.heap_info};
 * CPU from /proc.
 */
final class JPilotProcess implements ControlPlane {
  private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

  private final Process process;
  private final int xdsPort;
  private final int monitoringPort;
  private final Path log;
  private final Duration debounce;

  private JPilotProcess(
      Process process, int xdsPort, int monitoringPort, Path log, Duration debounce) {
    this.debounce = debounce;
    this.process = process;
    this.xdsPort = xdsPort;
    this.monitoringPort = monitoringPort;
    this.log = log;
  }

  /**
   * Starts jpilot on {@code configDir} and waits until its /ready answers 200.
   *
   * @param extraJvmArgs more JVM options (e.g. GC choice); may be empty
   */
  static JPilotProcess start(
      Path jar,
      Path configDir,
      String heap,
      Duration debounceAfter,
      List<String> extraJvmArgs,
      Path log,
      Duration readyTimeout)
      throws IOException, InterruptedException {
    requireNonNull(jar, "jar");
    if (!jar.toFile().isFile()) {
      throw new IOException("jpilot jar " + jar + " not found (build it: bin/jpilot --help)");
    }
    int xds = freePort();
    int monitoring = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.addAll(extraJvmArgs);
    cmd.addAll(
        List.of(
            "-jar", jar.toString(), "serve",
            "--config", configDir.toString(),
            "--bind", "127.0.0.1",
            "--xds-port", Integer.toString(xds),
            "--monitoring-port", Integer.toString(monitoring),
            "--debounce-after", debounceAfter.toMillis() + "ms"));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
            .start();
    JPilotProcess jp = new JPilotProcess(p, xds, monitoring, log, debounceAfter);
    long deadline = System.nanoTime() + readyTimeout.toNanos();
    while (!jp.ready()) {
      if (!p.isAlive()) {
        throw new IOException("jpilot exited with " + p.exitValue() + "; see " + log);
      }
      if (System.nanoTime() > deadline) {
        jp.close();
        throw new IOException("jpilot not ready within " + readyTimeout + "; see " + log);
      }
      Thread.sleep(200);
    }
    return jp;
  }

  private boolean ready() {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              new URL("http://127.0.0.1:" + monitoringPort + "/ready").openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      try {
        return c.getResponseCode() == 200;
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int xdsPort() {
    return xdsPort;
  }

  @Override
  public long heapAfterGcBytes() throws IOException, InterruptedException {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher m = HEAP_USED.matcher(info);
    if (!m.find()) {
      throw new IOException("cannot read heap use from jcmd GC.heap_info: " + info);
    }
    return Long.parseLong(m.group(1)) * 1024;
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(
                jcmd.toFile().isFile() ? jcmd.toString() : "jcmd",
                Long.toString(process.pid()),
                command)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("jcmd " + command + " failed: " + out);
    }
    return out;
  }

  @Override
  public Duration debounce() {
    return debounce;
  }

  @Override
  public double cpuSeconds() throws IOException {
    return ControlPlane.procCpuSeconds(process.pid());
  }

  @Override
  public double compilerCpuSeconds() throws IOException {
    return ControlPlane.procCompilerCpuSeconds(process.pid());
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
