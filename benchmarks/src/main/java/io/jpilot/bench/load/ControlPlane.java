package io.jpilot.bench.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The jpilot under load: where its ADS port is and what it costs. */
interface ControlPlane extends AutoCloseable {
  String host();

  int xdsPort();

  /** The debounce jpilot runs with (PILOT_DEBOUNCE_AFTER). */
  java.time.Duration debounce();

  /** Heap in use right after a full GC, in bytes. */
  long heapAfterGcBytes() throws IOException, InterruptedException;

  /** CPU time (user + system) the process used so far, in seconds. */
  double cpuSeconds() throws IOException;

  /** CPU time the process's JIT compiler threads used so far, in seconds. */
  double compilerCpuSeconds() throws IOException;

  @Override
  void close();

  /** utime + stime of a process, from /proc/<pid>/stat (clock ticks of 1/100 s). */
  static double procCpuSeconds(long pid) throws IOException {
    return statCpuSeconds(Path.of("/proc/" + pid + "/stat"));
  }

  /**
   * utime + stime of a JVM's JIT compiler threads (HotSpot names them "C1 CompilerThreadN" and "C2
   * CompilerThreadN", which the kernel cuts to 15 characters), from /proc/<pid>/task/*. A compiler
   * thread that exited takes its time with it, so compare readings with that in mind.
   */
  static double procCompilerCpuSeconds(long pid) throws IOException {
    double sum = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        try {
          String comm = Files.readString(task.resolve("comm")).trim();
          if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            sum += statCpuSeconds(task.resolve("stat"));
          }
        } catch (IOException e) {
          // the thread ended while listed: its files are gone (ENOENT) or unreadable (ESRCH)
        }
      }
    }
    return sum;
  }

  private static double statCpuSeconds(Path stat) throws IOException {
    String line = Files.readString(stat);
    String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
    // f[0] is field 3 (state); utime is field 14, stime field 15.
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }
}
