package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * networking.istio.io ServiceEntry: hosts added to the mesh's service registry, with their ports,
 * how their endpoints are found ({@code resolution}) and whether they belong to the mesh.
 *
 * @param endpoints inline endpoints; empty when {@code workloadSelector} selects them instead
 * @param workloadSelector {@code workloadSelector.labels}, absent when not set
 */
public record ServiceEntry(
    ConfigMeta meta,
    List<String> hosts,
    List<String> addresses,
    List<Port> ports,
    Location location,
    Resolution resolution,
    List<WorkloadEndpoint> endpoints,
    Optional<Map<String, String>> workloadSelector,
    List<String> exportTo,
    List<String> subjectAltNames)
    implements IstioConfig {
  public static final String KIND = "ServiceEntry";

  /** {@code location}: MESH_EXTERNAL is the API default. */
  public enum Location {
    MESH_EXTERNAL,
    MESH_INTERNAL
  }

  /** {@code resolution}: NONE is the API default. */
  public enum Resolution {
    NONE,
    STATIC,
    DNS,
    DNS_ROUND_ROBIN,
    DYNAMIC_DNS
  }

  /**
   * One ServiceEntry port.
   *
   * @param protocol as written (e.g. {@code HTTP}), empty when unset
   * @param targetPort 0 when unset
   */
  public record Port(int number, String protocol, String name, int targetPort) {
    public Port {
      requireNonNull(protocol, "protocol");
      requireNonNull(name, "name");
    }
  }

  public ServiceEntry {
    requireNonNull(meta, "meta");
    hosts = List.copyOf(hosts);
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
    requireNonNull(location, "location");
    requireNonNull(resolution, "resolution");
    endpoints = List.copyOf(endpoints);
    workloadSelector = workloadSelector.map(Map::copyOf);
    exportTo = List.copyOf(exportTo);
    subjectAltNames = List.copyOf(subjectAltNames);
  }
}
