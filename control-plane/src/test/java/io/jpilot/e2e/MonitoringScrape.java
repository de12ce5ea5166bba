package io.jpilot.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Reads jpilot's monitoring port over HTTP, as Kubernetes probes and Prometheus do. */
final class MonitoringScrape {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private MonitoringScrape() {}

  /** GET {@code path}; the status code, or -1 when nothing listens. */
  static int status(int port, String path) throws InterruptedException {
    try {
      return HTTP.send(request(port, path), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * The sum of every sample of a Prometheus metric whose labels include {@code labels}, e.g. {@code
   * sum(port, "pilot_push_triggers_total", Map.of("type", "endpoint"))}.
   */
  static double sum(int port, String metric, Map<String, String> labels)
      throws IOException, InterruptedException {
    String body = HTTP.send(request(port, "/metrics"), HttpResponse.BodyHandlers.ofString()).body();
    double total = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith("#")
          || !(line.startsWith(metric + "{") || line.startsWith(metric + " "))) {
        continue;
      }
      boolean match = true;
      for (Map.Entry<String, String> l : labels.entrySet()) {
        if (!line.contains(l.getKey() + "=\"" + l.getValue() + "\"")) {
          match = false;
          break;
        }
      }
      if (match) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  private static HttpRequest request(int port, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5))
        .build();
  }
}
