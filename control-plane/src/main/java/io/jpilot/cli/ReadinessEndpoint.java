package io.jpilot.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * istiod's readiness port (8080): {@code GET /ready} answers 503 until the server is serving xDS,
 * then 200. Up before the server starts, so a kubelet probing a pod that is still syncing gets a
 * clear "not ready" instead of a refused connection.
 */
final class ReadinessEndpoint implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private volatile boolean ready;

  private ReadinessEndpoint(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static ReadinessEndpoint start(String bind, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 16);
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "jpilot-readiness");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    ReadinessEndpoint endpoint = new ReadinessEndpoint(server, executor);
    server.createContext(
        "/ready",
        ex -> {
          if (endpoint.ready) {
            send(ex, 200, "ready\n");
          } else {
            send(ex, 503, "not ready\n");
          }
        });
    server.createContext("/", ex -> send(ex, 404, "not found; try /ready\n"));
    server.start();
    return endpoint;
  }

  int port() {
    return server.getAddress().getPort();
  }

  void markReady(boolean value) {
    ready = value;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    try {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "text/plain");
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    } finally {
      ex.close();
    }
  }
}
