package io.jpilot.model;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.registry.Locality;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Everything the translator may know about one proxy. Two proxies with equal views get equal
 * resources.
 *
 * <p>Parsed from an istiod-style node id {@code <type>~<ip>~<pod>.<ns>~<ns>.svc.cluster.local} and
 * the node metadata (NAMESPACE, INSTANCE_IPS, LABELS, GENERATOR).
 */
public record ProxyView(
    String nodeId,
    Type type,
    List<String> ips,
    String id,
    String namespace,
    String dnsDomain,
    Map<String, String> labels,
    Generator generator,
    Locality locality) {

  /** The proxy flavour named by the first field of the node id. */
  public enum Type {
    SIDECAR,
    ROUTER
  }

  /** Which generator serves this proxy: Envoy (default) or proxyless gRPC (GENERATOR=grpc). */
  public enum Generator {
    ENVOY,
    GRPC
  }

  public ProxyView {
    requireNonNull(nodeId, "nodeId");
    requireNonNull(type, "type");
    ips = List.copyOf(ips);
    requireNonNull(id, "id");
    requireNonNull(namespace, "namespace");
    requireNonNull(dnsDomain, "dnsDomain");
    labels = Map.copyOf(labels);
    requireNonNull(generator, "generator");
    requireNonNull(locality, "locality");
  }

  /**
   * Parses a node the way istiod does: the id must have exactly four '~'-separated parts and a
   * known type. IPs come from INSTANCE_IPS when present, else from the id. The namespace comes from
   * NAMESPACE, else from the first label of the DNS domain, else from the id's {@code pod.ns}.
   *
   * @param metadata string-valued node metadata (NAMESPACE, INSTANCE_IPS, GENERATOR, ...)
   * @param labels the LABELS metadata
   * @throws IllegalArgumentException naming what is wrong with the id
   */
  public static ProxyView parse(
      String nodeId, Map<String, String> metadata, Map<String, String> labels, Locality locality) {
    requireNonNull(nodeId, "nodeId");
    String[] parts = nodeId.split("~", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException(
          "node id " + nodeId + ": expected 4 parts separated by '~' (type~ip~id~domain), got "
              + parts.length);
    }
    Type type;
    switch (parts[0]) {
      case "sidecar":
        type = Type.SIDECAR;
        break;
      case "router":
        type = Type.ROUTER;
        break;
      default:
        throw new IllegalArgumentException(
            "node id " + nodeId + ": unknown proxy type '" + parts[0] + "' (expected: sidecar or router)");
    }
    String instanceIps = metadata.getOrDefault("INSTANCE_IPS", "");
    List<String> ips =
        instanceIps.isEmpty()
            ? (parts[1].isEmpty() ? List.of() : List.of(parts[1]))
            : Arrays.stream(instanceIps.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    String dnsDomain = parts[3];
    String namespace = metadata.getOrDefault("NAMESPACE", "");
    if (namespace.isEmpty()) {
      int dot = dnsDomain.indexOf('.');
      if (dot > 0 && dnsDomain.substring(dot + 1).startsWith("svc.")) {
        namespace = dnsDomain.substring(0, dot);
      } else if (parts[2].contains(".")) {
        namespace = parts[2].substring(parts[2].lastIndexOf('.') + 1);
      } else {
        namespace = "default";
      }
    }
    Generator generator =
        "grpc".equals(metadata.getOrDefault("GENERATOR", "")) ? Generator.GRPC : Generator.ENVOY;
    return new ProxyView(
        nodeId, type, ips, parts[2], namespace, dnsDomain, labels, generator,
        locality == null ? Locality.NONE : locality);
  }

  public boolean isProxylessGrpc() {
    return generator == Generator.GRPC;
  }
}
