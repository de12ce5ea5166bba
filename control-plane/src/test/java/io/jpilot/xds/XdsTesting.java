package io.jpilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Registry objects and waits shared by the ADS server tests. */
final class XdsTesting {
  private XdsTesting() {}

  /** {@code <name>.default.svc.cluster.local}, HTTP on port 80 (target 8080). */
  static Service service(String name) {
    return new Service(
        name + ".default.svc.cluster.local",
        name,
        "default",
        "10.0.0.1",
        List.of(new ServicePort("http", 80, 8080, "", Protocol.HTTP)),
        Map.of("app", name),
        Map.of());
  }

  /** The service's one slice, port 8080, with ready {@code addresses}. */
  static EndpointSlice slice(String service, String... addresses) {
    return new EndpointSlice(
        service + "-abc",
        "default",
        service,
        List.of(new EndpointSlice.Port("http", 8080)),
        List.of(new EndpointSlice.Entry(Arrays.asList(addresses), true, "", "", "")));
  }

  /** Waits (10 seconds at most) for a connection of {@code server} to meet {@code condition}. */
  static ConnectionStatus awaitStatus(XdsServer server, Predicate<ConnectionStatus> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      for (ConnectionStatus s : server.connections()) {
        if (condition.test(s)) {
          return s;
        }
      }
      assertThat(System.nanoTime()).as("waiting for connection state").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
