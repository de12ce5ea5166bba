package io.jpilot.model.registry;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service in the mesh registry, keyed by its FQDN hostname (e.g. {@code
 * reviews.default.svc.cluster.local}). Kubernetes Services and ServiceEntry hosts both become one.
 *
 * @param clusterIp the VIP, empty for headless Kubernetes services, {@code 0.0.0.0} for a
 *     ServiceEntry host without addresses
 * @param selector pod labels that select the workloads; empty when endpoints come from elsewhere
 * @param resolution how proxies find the endpoints
 * @param meshExternal true for MESH_EXTERNAL ServiceEntries (no Istio mTLS to them)
 * @param serviceAccounts identities declared for the service (a ServiceEntry's subjectAltNames)
 * @param exportTo the namespaces the service is visible to (empty: everywhere)
 * @param registry where the service was declared
 */
public record Service(
    String hostname,
    String name,
    String namespace,
    String clusterIp,
    List<ServicePort> ports,
    Map<String, String> selector,
    Map<String, String> labels,
    Resolution resolution,
    boolean meshExternal,
    List<String> serviceAccounts,
    List<String> exportTo,
    Registry registry)
    implements MeshObject {
  public static final String KIND = "Service";

  /** The registry a service comes from (istiod's provider.Kubernetes / provider.External). */
  public enum Registry {
    KUBERNETES,
    SERVICE_ENTRY
  }

  public Service {
    requireNonNull(hostname, "hostname");
    requireNonNull(name, "name");
    requireNonNull(namespace, "namespace");
    requireNonNull(clusterIp, "clusterIp");
    ports = List.copyOf(ports);
    selector = Map.copyOf(selector);
    labels = Map.copyOf(labels);
    requireNonNull(resolution, "resolution");
    serviceAccounts = List.copyOf(serviceAccounts);
    exportTo = List.copyOf(exportTo);
    requireNonNull(registry, "registry");
  }

  /**
   * A Kubernetes Service: resolution PASSTHROUGH when headless (no cluster IP), CLIENT_SIDE_LB
   * otherwise.
   */
  public Service(
      String hostname,
      String name,
      String namespace,
      String clusterIp,
      List<ServicePort> ports,
      Map<String, String> selector,
      Map<String, String> labels) {
    this(
        hostname,
        name,
        namespace,
        clusterIp,
        ports,
        selector,
        labels,
        clusterIp.isEmpty() || clusterIp.equalsIgnoreCase("None")
            ? Resolution.PASSTHROUGH
            : Resolution.CLIENT_SIDE_LB,
        false,
        List.of(),
        List.of(),
        Registry.KUBERNETES);
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

  /** This service narrowed to some of its ports (a Sidecar import on one port). */
  public Service withPorts(List<ServicePort> newPorts) {
    return new Service(
        hostname,
        name,
        namespace,
        clusterIp,
        newPorts,
        selector,
        labels,
        resolution,
        meshExternal,
        serviceAccounts,
        exportTo,
        registry);
  }

  /** This service with another exportTo (a Kubernetes Service's exportTo annotation). */
  public Service withExportTo(List<String> namespaces) {
    return new Service(
        hostname,
        name,
        namespace,
        clusterIp,
        ports,
        selector,
        labels,
        resolution,
        meshExternal,
        serviceAccounts,
        namespaces,
        registry);
  }

  /**
   * Whether a proxy in {@code namespace} may see this service: no exportTo, {@code *}, {@code .}
   * from the service's own namespace, or the namespace named.
   */
  public boolean visibleTo(String proxyNamespace) {
    if (exportTo.isEmpty() || exportTo.contains("*")) {
      return true;
    }
    if (exportTo.contains(".") && proxyNamespace.equals(namespace)) {
      return true;
    }
    return exportTo.contains(proxyNamespace);
  }
}
