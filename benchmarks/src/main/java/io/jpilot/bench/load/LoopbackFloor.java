package io.jpilot.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The network floor of a push: the time to write given byte counts to as many TCP sockets on
 * loopback, one count per socket, until a sink that reads and discards has received all of them.
 *
 * <p>Connections are opened before the clock starts (as ADS streams are). The clock runs from the
 * first write until every socket's sink side has seen EOF and answered with one byte; the fastest
 * of {@value #RUNS} runs counts. The writer is one thread with a selector; the sink is one thread
 * with a selector, in a child JVM when many sockets are needed (each socket costs a file
 * descriptor at both ends).
 */
final class LoopbackFloor {
  private static final int CHUNK = 64 * 1024;
  static final int IN_PROCESS_LIMIT = 4000;

  private LoopbackFloor() {}

  /** Runs of {@link #measure}; the fastest counts (the first ones warm up the code). */
  static final int RUNS = 10;

  /**
   * Nanoseconds to deliver {@code bytes[i]} to socket i (counts of 0 need no socket): the fastest
   * of {@value #RUNS} runs.
   */
  static long measure(long[] bytes) throws IOException, InterruptedException {
    long best = Long.MAX_VALUE;
    for (int run = 0; run < RUNS; run++) {
      best = Math.min(best, measureOnce(bytes));
    }
    return best;
  }

  private static long measureOnce(long[] bytes) throws IOException, InterruptedException {
    List<Long> counts = new ArrayList<>();
    for (long b : bytes) {
      if (b > 0) {
        counts.add(b);
      }
    }
    if (counts.isEmpty()) {
      return 0;
    }
    if (counts.size() <= IN_PROCESS_LIMIT) {
      try (Sink sink = Sink.start()) {
        return write(sink.port(), counts);
      }
    }
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                LoopbackFloor.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = in.readLine();
      if (line == null) {
        throw new IOException("loopback sink process exited before listening");
      }
      return write(Integer.parseInt(line.trim()), counts);
    } finally {
      child.destroy();
      child.waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** Child-process mode: runs a sink, prints its port, and serves until killed. */
  public static void main(String[] args) throws Exception {
    Sink sink = Sink.start();
    System.out.println(sink.port());
    System.out.flush();
    Thread.currentThread().join();
  }

  private static long write(int port, List<Long> counts) throws IOException {
    ByteBuffer data = ByteBuffer.allocateDirect(CHUNK);
    List<SocketChannel> sockets = new ArrayList<>(counts.size());
    try (Selector selector = Selector.open()) {
      long[] left = new long[counts.size()];
      for (int i = 0; i < counts.size(); i++) {
        SocketChannel s = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
        s.configureBlocking(false);
        sockets.add(s);
        left[i] = counts.get(i);
      }
      long start = System.nanoTime();
      for (int i = 0; i < sockets.size(); i++) {
        sockets.get(i).register(selector, SelectionKey.OP_WRITE, i);
      }
      int done = 0;
      ByteBuffer one = ByteBuffer.allocate(1);
      while (done < sockets.size()) {
        selector.select();
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
          SelectionKey key = it.next();
          it.remove();
          int i = (Integer) key.attachment();
          SocketChannel s = (SocketChannel) key.channel();
          if (key.isValid() && key.isWritable()) {
            while (left[i] > 0) {
              data.clear().limit((int) Math.min(CHUNK, left[i]));
              int n = s.write(data);
              if (n == 0) {
                break;
              }
              left[i] -= n;
            }
            if (left[i] == 0) {
              s.shutdownOutput();
              key.interestOps(SelectionKey.OP_READ);
            }
          } else if (key.isValid() && key.isReadable()) {
            one.clear();
            if (s.read(one) != 0) {
              key.cancel();
              done++;
            }
          }
        }
      }
      return System.nanoTime() - start;
    } finally {
      for (SocketChannel s : sockets) {
        s.close();
      }
    }
  }

  /** Accepts connections, reads and discards, answers one byte on EOF and closes. */
  static final class Sink implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;

    private Sink(ServerSocketChannel server, Selector selector) {
      this.server = server;
      this.selector = selector;
      this.thread = new Thread(this::run, "loopback-sink");
      thread.setDaemon(true);
    }

    static Sink start() throws IOException {
      ServerSocketChannel server = ServerSocketChannel.open();
      server.bind(new InetSocketAddress("127.0.0.1", 0), 65535);
      server.configureBlocking(false);
      Selector selector = Selector.open();
      server.register(selector, SelectionKey.OP_ACCEPT);
      Sink sink = new Sink(server, selector);
      sink.thread.start();
      return sink;
    }

    int port() throws IOException {
      return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private void run() {
      ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
      try {
        while (selector.isOpen()) {
          selector.select();
          Iterator<SelectionKey> it = selector.selectedKeys().iterator();
          while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            if (!key.isValid()) {
              continue;
            }
            if (key.isAcceptable()) {
              SocketChannel s;
              while ((s = server.accept()) != null) {
                s.configureBlocking(false);
                s.register(selector, SelectionKey.OP_READ);
              }
            } else if (key.isReadable()) {
              SocketChannel s = (SocketChannel) key.channel();
              int n;
              do {
                buf.clear();
                n = s.read(buf);
              } while (n > 0);
              if (n < 0) {
                s.write(ByteBuffer.wrap(new byte[] {1}));
                key.cancel();
                s.close();
              }
            }
          }
        }
      } catch (IOException | java.nio.channels.ClosedSelectorException e) {
        // closed
      }
    }

    @Override
    public void close() throws IOException {
      selector.close();
      server.close();
    }
  }
}
