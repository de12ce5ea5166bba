package io.jpilot.bench.load;

import java.io.IOException;
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

  @Override
  void close();

  /** utime + stime of a process, from /proc/<pid>/stat (clock ticks of 1/100 s). */
  static double procCpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // f[0] is field 3 (state); utime is field 14, stime field 15.
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }
}
