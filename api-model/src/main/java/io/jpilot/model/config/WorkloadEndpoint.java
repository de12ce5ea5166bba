package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The WorkloadEntry spec, also the shape of a ServiceEntry's inline {@code endpoints}: one
 * workload's address (an IP, a hostname for DNS ServiceEntries, or {@code unix://...}), its port
 * overrides by service port name, labels and placement.
 *
 * @param weight 0 when unset (counts as 1)
 * @param serviceAccount the Kubernetes service account name, or empty
 */
public record WorkloadEndpoint(
    String address,
    SortedMap<String, Integer> ports,
    Map<String, String> labels,
    String network,
    String locality,
    int weight,
    String serviceAccount) {
  public WorkloadEndpoint {
    requireNonNull(address, "address");
    ports = Collections.unmodifiableSortedMap(new TreeMap<>(ports));
    labels = Map.copyOf(labels);
    requireNonNull(network, "network");
    requireNonNull(locality, "locality");
    requireNonNull(serviceAccount, "serviceAccount");
  }

  public static WorkloadEndpoint of(String address, Map<String, String> labels) {
    return new WorkloadEndpoint(address, new TreeMap<>(), labels, "", "", 0, "");
  }
}
