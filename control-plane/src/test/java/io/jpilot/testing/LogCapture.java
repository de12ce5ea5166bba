package io.jpilot.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tees {@code System.err}, where slf4j-simple writes (it looks the stream up on every call), into a
 * buffer a test can read as lines. Install it before the code under test logs; close it after.
 */
public final class LogCapture extends OutputStream implements AutoCloseable {
  private final PrintStream original;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

  private LogCapture(PrintStream original) {
    this.original = original;
  }

  public static LogCapture install() {
    LogCapture c = new LogCapture(System.err);
    System.setErr(new PrintStream(c, true, StandardCharsets.UTF_8));
    return c;
  }

  @Override
  public synchronized void write(int b) {
    original.write(b);
    buffer.write(b);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    original.write(b, off, len);
    buffer.write(b, off, len);
  }

  @Override
  public void flush() {
    original.flush();
  }

  /** Every complete line written so far. */
  public synchronized List<String> lines() {
    String text = buffer.toString(StandardCharsets.UTF_8);
    return text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
  }

  /** Complete log lines that mention {@code file}'s path. */
  public List<String> linesNaming(Path file) {
    String path = file.toString();
    return lines().stream().filter(l -> l.contains(path)).toList();
  }

  /** Waits up to 10 seconds for a line naming {@code file} and containing {@code text}. */
  public String awaitLineNaming(Path file, String text) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      for (String l : linesNaming(file)) {
        if (l.contains(text)) {
          return l;
        }
      }
      assertThat(System.nanoTime())
          .as("waiting for a log line naming %s with %s", file, text)
          .isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}
