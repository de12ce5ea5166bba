package io.jpilot.model.registry;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Pod, reduced to what the registry reads: its labels, IPs, node, locality, service account and
 * named container ports.
 *
 * @param serviceAccount {@code spec.serviceAccountName}, {@code default} when unset
 * @param ports named TCP container ports (name to number; the first of a name wins)
 */
public record Pod(
    String name,
    String namespace,
    Map<String, String> labels,
    List<String> ips,
    String nodeName,
    Locality locality,
    String serviceAccount,
    SortedMap<String, Integer> ports)
    implements MeshObject {
  public static final String KIND = "Pod";

  public Pod {
    requireNonNull(name, "name");
    requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
    ips = List.copyOf(ips);
    requireNonNull(nodeName, "nodeName");
    requireNonNull(locality, "locality");
    requireNonNull(serviceAccount, "serviceAccount");
    ports = Collections.unmodifiableSortedMap(new TreeMap<>(ports));
  }

  /** A pod in the {@code default} service account without named ports. */
  public Pod(
      String name,
      String namespace,
      Map<String, String> labels,
      List<String> ips,
      String nodeName,
      Locality locality) {
    this(name, namespace, labels, ips, nodeName, locality, "default", new TreeMap<>());
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(KIND, namespace, name);
  }
}
