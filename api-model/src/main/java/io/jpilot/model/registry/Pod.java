package io.jpilot.model.registry;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import java.util.List;
import java.util.Map;

/** A Pod, reduced to what the registry reads: its labels, IPs, node and locality. */
public record Pod(
    String name,
    String namespace,
    Map<String, String> labels,
    List<String> ips,
    String nodeName,
    Locality locality)
    implements MeshObject {
  public static final String KIND = "Pod";

  public Pod {
    requireNonNull(name, "name");
    requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
    ips = List.copyOf(ips);
    requireNonNull(nodeName, "nodeName");
    requireNonNull(locality, "locality");
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(KIND, namespace, name);
  }
}
