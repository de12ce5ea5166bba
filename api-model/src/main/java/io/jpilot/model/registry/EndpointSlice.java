package io.jpilot.model.registry;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import java.util.List;

/**
 * A discovery.k8s.io/v1 EndpointSlice, reduced to what the registry reads.
 *
 * @param serviceName the {@code kubernetes.io/service-name} label
 */
public record EndpointSlice(
    String name, String namespace, String serviceName, List<Port> ports, List<Entry> endpoints)
    implements MeshObject {
  public static final String KIND = "EndpointSlice";

  /** A slice port: the Service port name it serves and the workload port number. */
  public record Port(String name, int port) {
    public Port {
      requireNonNull(name, "name");
    }
  }

  /**
   * One endpoint. {@code ready} follows conditions.ready (absent means ready). {@code podName} comes
   * from targetRef when it is a Pod, else empty.
   */
  public record Entry(
      List<String> addresses, boolean ready, String zone, String nodeName, String podName) {
    public Entry {
      addresses = List.copyOf(addresses);
      requireNonNull(zone, "zone");
      requireNonNull(nodeName, "nodeName");
      requireNonNull(podName, "podName");
    }
  }

  public EndpointSlice {
    requireNonNull(name, "name");
    requireNonNull(namespace, "namespace");
    requireNonNull(serviceName, "serviceName");
    ports = List.copyOf(ports);
    endpoints = List.copyOf(endpoints);
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(KIND, namespace, name);
  }
}
