package io.jpilot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ReadinessEndpointTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void notReadyUntilMarkedThenReady() throws Exception {
    try (ReadinessEndpoint endpoint = ReadinessEndpoint.start("127.0.0.1", 0)) {
      assertThat(get(endpoint, "/ready")).isEqualTo(503);
      endpoint.markReady(true);
      assertThat(get(endpoint, "/ready")).isEqualTo(200);
      assertThat(get(endpoint, "/other")).isEqualTo(404);
      endpoint.markReady(false);
      assertThat(get(endpoint, "/ready")).isEqualTo(503);
    }
  }

  private int get(ReadinessEndpoint endpoint, String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
