package io.jpilot.model.registry;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One workload address behind a service, for one named service port.
 *
 * @param hostname the owning service's FQDN
 * @param servicePortName the Service port name this endpoint serves (EndpointSlice port name)
 * @param port the port to dial on the workload
 * @param labels the workload's labels (from its Pod), used for subset selection
 * @param workloadName the pod name, or empty
 */
public record Endpoint(
    String hostname,
    String servicePortName,
    String address,
    int port,
    Map<String, String> labels,
    Locality locality,
    boolean ready,
    String workloadName,
    String namespace) {
  public Endpoint {
    requireNonNull(hostname, "hostname");
    requireNonNull(servicePortName, "servicePortName");
    requireNonNull(address, "address");
    labels = Map.copyOf(labels);
    requireNonNull(locality, "locality");
    requireNonNull(workloadName, "workloadName");
    requireNonNull(namespace, "namespace");
  }
}
