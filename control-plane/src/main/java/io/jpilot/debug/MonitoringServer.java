package io.jpilot.debug;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring port (istiod's 15014): {@code /ready}, {@code /metrics} (Prometheus text), {@code
 * /debug/config_dump?proxyID=...}, {@code /debug/syncz} and {@code /debug/push_status}.
 */
public final class MonitoringServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MonitoringServer.class);

  private final HttpServer server;
  private final ExecutorService executor;

  public MonitoringServer(
      String bind, int port, BooleanSupplier ready, PrometheusMeterRegistry metrics, DebugViews views)
      throws IOException {
    requireNonNull(ready, "ready");
    requireNonNull(metrics, "metrics");
    requireNonNull(views, "views");
    server = HttpServer.create(new InetSocketAddress(bind, port), 64);
    executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "jpilot-monitoring");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(
        "/ready",
        ex -> {
          if (ready.getAsBoolean()) {
            send(ex, 200, "text/plain", "ready\n");
          } else {
            send(ex, 503, "text/plain", "not ready\n");
          }
        });
    server.createContext(
        "/metrics",
        ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
    server.createContext(
        "/debug/config_dump",
        ex -> {
          String proxy = query(ex).get("proxyID");
          if (proxy == null || proxy.isEmpty()) {
            send(ex, 400, "text/plain", "missing query parameter proxyID\n");
            return;
          }
          Optional<String> dump = views.configDump(proxy);
          if (dump.isEmpty()) {
            send(ex, 404, "text/plain", "proxy not connected: " + proxy + "\n");
          } else {
            send(ex, 200, "application/json", dump.get());
          }
        });
    server.createContext("/debug/syncz", ex -> send(ex, 200, "application/json", views.syncz()));
    server.createContext(
        "/debug/push_status", ex -> send(ex, 200, "application/json", views.pushStatus()));
    server.createContext(
        "/",
        ex ->
            send(
                ex,
                404,
                "text/plain",
                "not found; try /ready, /metrics, /debug/config_dump?proxyID=<id>, /debug/syncz,"
                    + " /debug/push_status\n"));
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static Map<String, String> query(HttpExchange ex) {
    Map<String, String> out = new HashMap<>();
    String q = ex.getRequestURI().getRawQuery();
    if (q == null) {
      return out;
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      String v = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(
          URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void send(HttpExchange ex, int status, String contentType, String body)
      throws IOException {
    try {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", contentType);
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream os = ex.getResponseBody()) {
        os.write(bytes);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("monitoring response failed: {}", e.toString());
      throw e;
    } finally {
      ex.close();
    }
  }
}
