package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/**
 * istiod's resolveGatewayName: how a gateway reference in a VirtualService ({@code gateways:} or a
 * match's {@code gateways:}) names a Gateway object, as {@code namespace/name}.
 */
public final class GatewayNameResolver {
  /** The reserved name of the sidecars' implicit gateway; never resolved. */
  public static final String MESH = "mesh";

  private GatewayNameResolver() {}

  /**
   * {@code name} and {@code ./name} become {@code <namespace>/name}; the legacy FQDN form {@code
   * name.ns.svc.cluster.local} becomes {@code ns/name}; {@code ns/name} and {@code mesh} stay.
   *
   * @param namespace the namespace of the VirtualService holding the reference
   */
  public static String resolve(String gateway, String namespace) {
    requireNonNull(gateway, "gateway");
    requireNonNull(namespace, "namespace");
    if (gateway.equals(MESH)) {
      return gateway;
    }
    int slash = gateway.indexOf('/');
    if (slash < 0) {
      int dot = gateway.indexOf('.');
      if (dot < 0) {
        return namespace + "/" + gateway;
      }
      String rest = gateway.substring(dot + 1);
      int next = rest.indexOf('.');
      return (next < 0 ? rest : rest.substring(0, next)) + "/" + gateway.substring(0, dot);
    }
    if (gateway.substring(0, slash).equals(".")) {
      return namespace + "/" + gateway.substring(slash + 1);
    }
    return gateway;
  }
}
