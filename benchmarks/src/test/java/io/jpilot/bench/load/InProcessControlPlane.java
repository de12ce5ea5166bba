package io.jpilot.bench.load;

import io.jpilot.server.JPilotServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/** jpilot in this JVM, for tests: heap from the memory bean, CPU of this whole process. */
final class InProcessControlPlane implements ControlPlane {
  final JPilotServer server;
  private final java.time.Duration debounce;

  InProcessControlPlane(Path configDir) throws IOException {
    JPilotServer.Options options = JPilotServer.Options.forTest(configDir);
    this.server = JPilotServer.start(options);
    this.debounce = options.debounceAfter();
  }

  @Override
  public String host() {
    return "127.0.0.1";
  }

  @Override
  public int xdsPort() {
    return server.xdsPort();
  }

  @Override
  public java.time.Duration debounce() {
    return debounce;
  }

  @Override
  public long heapAfterGcBytes() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Override
  public double cpuSeconds() throws IOException {
    return ControlPlane.procCpuSeconds(ProcessHandle.current().pid());
  }

  @Override
  public double compilerCpuSeconds() throws IOException {
    return ControlPlane.procCompilerCpuSeconds(ProcessHandle.current().pid());
  }

  @Override
  public void close() {
    server.close();
  }
}
