package io.jpilot.model.registry;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service in the mesh registry, keyed by its FQDN hostname (e.g. {@code
 * reviews.default.svc.cluster.local}).
 *
 * @param clusterIp the VIP, or empty for headless services
 * @param selector pod labels that select the workloads; empty when endpoints come from elsewhere
 */
public record Service(
    String hostname,
    String name,
    String namespace,
    String clusterIp,
    List<ServicePort> ports,
    Map<String, String> selector,
    Map<String, String> labels)
    implements MeshObject {
  public static final String KIND = "Service";

  public Service {
    requireNonNull(hostname, "hostname");
    requireNonNull(name, "name");
    requireNonNull(namespace, "namespace");
    requireNonNull(clusterIp, "clusterIp");
    ports = List.copyOf(ports);
    selector = Map.copyOf(selector);
    labels = Map.copyOf(labels);
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(KIND, namespace, name);
  }

  public Optional<ServicePort> port(int number) {
    return ports.stream().filter(p -> p.port() == number).findFirst();
  }

  public Optional<ServicePort> portNamed(String portName) {
    return ports.stream().filter(p -> p.name().equals(portName)).findFirst();
  }
}
