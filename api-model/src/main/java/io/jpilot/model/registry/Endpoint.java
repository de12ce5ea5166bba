package io.jpilot.model.registry;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One workload address behind a service, for one named service port.
 *
 * @param hostname the owning service's FQDN
 * @param servicePortName the Service port name this endpoint serves (EndpointSlice port name)
 * @param address an IP, or a hostname for DNS ServiceEntries
 * @param port the port to dial on the workload
 * @param labels the workload's labels (from its Pod or WorkloadEntry), used for subset selection
 * @param workloadName the pod (or WorkloadEntry) name, or empty
 * @param serviceAccount the workload's SPIFFE identity ({@code spiffe://<trust domain>/ns/<ns>/sa/
 *     <account>}), or empty when unknown
 * @param weight the endpoint's load-balancing weight, 0 when unset (counts as 1)
 * @param tlsMode {@code istio} when the workload accepts Istio mTLS, else {@code disabled}
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
    String namespace,
    String serviceAccount,
    int weight,
    String tlsMode) {
  /** The label (on pods and WorkloadEntries) that says whether a workload accepts Istio mTLS. */
  public static final String TLS_MODE_LABEL = "security.istio.io/tlsMode";

  public static final String TLS_MODE_ISTIO = "istio";
  public static final String TLS_MODE_DISABLED = "disabled";

  public Endpoint {
    requireNonNull(hostname, "hostname");
    requireNonNull(servicePortName, "servicePortName");
    requireNonNull(address, "address");
    labels = Map.copyOf(labels);
    requireNonNull(locality, "locality");
    requireNonNull(workloadName, "workloadName");
    requireNonNull(namespace, "namespace");
    requireNonNull(serviceAccount, "serviceAccount");
    requireNonNull(tlsMode, "tlsMode");
    if (weight < 0) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
    }
  }

  /** An endpoint without a known identity or weight; its TLS mode follows the tlsMode label. */
  public Endpoint(
      String hostname,
      String servicePortName,
      String address,
      int port,
      Map<String, String> labels,
      Locality locality,
      boolean ready,
      String workloadName,
      String namespace) {
    this(
        hostname,
        servicePortName,
        address,
        port,
        labels,
        locality,
        ready,
        workloadName,
        namespace,
        "",
        0,
        labels.getOrDefault(TLS_MODE_LABEL, TLS_MODE_DISABLED));
  }

  /** The weight Envoy gets: at least 1. */
  public int effectiveWeight() {
    return weight == 0 ? 1 : weight;
  }
}
