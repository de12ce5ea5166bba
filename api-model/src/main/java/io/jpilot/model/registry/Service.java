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
 * @param exportTo the namespaces the service is visible to ({@code *} everywhere, {@code .} its own
 *     namespace, {@code ~} nowhere); empty means the mesh default, everywhere. Kubernetes Services
 *     take it from the {@code networking.istio.io/exportTo} annotation.
 */
public record Service(
    String hostname,
    String name,
    String namespace,
    String clusterIp,
    List<ServicePort> ports,
    Map<String, String> selector,
    Map<String, String> labels,
    List<String> exportTo)
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
    exportTo = List.copyOf(exportTo);
  }

  /** A service visible everywhere (no exportTo). */
  public Service(
      String hostname,
      String name,
      String namespace,
      String clusterIp,
      List<ServicePort> ports,
      Map<String, String> selector,
      Map<String, String> labels) {
    this(hostname, name, namespace, clusterIp, ports, selector, labels, List.of());
  }

  /** This service narrowed to some of its ports (a Sidecar import on one port). */
  public Service withPorts(List<ServicePort> newPorts) {
    return new Service(hostname, name, namespace, clusterIp, newPorts, selector, labels, exportTo);
  }

  /**
   * istiod's IsServiceVisible: whether a proxy in {@code namespace} may see this service. Empty
   * exportTo or {@code *} is public; {@code .} is the service's own namespace; {@code ~} alone
   * hides it.
   */
  public boolean visibleTo(String namespace) {
    if (exportTo.isEmpty() || exportTo.contains("*")) {
      return true;
    }
    return exportTo.contains(namespace)
        || (exportTo.contains(".") && this.namespace.equals(namespace));
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
