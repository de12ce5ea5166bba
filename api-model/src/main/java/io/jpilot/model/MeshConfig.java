package io.jpilot.model;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.config.OutboundTrafficPolicy;

/**
 * The mesh-wide settings translation reads (a slice of istiod's MeshConfig).
 *
 * @param rootNamespace where the mesh-wide default Sidecar and exported DestinationRules live
 * @param outboundTrafficPolicy what a proxy does with traffic to unknown destinations when its
 *     Sidecar does not say
 */
public record MeshConfig(String rootNamespace, OutboundTrafficPolicy.Mode outboundTrafficPolicy) {
  public static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

  /** istiod's defaults: root namespace {@code istio-system}, ALLOW_ANY. */
  public static final MeshConfig DEFAULT =
      new MeshConfig(DEFAULT_ROOT_NAMESPACE, OutboundTrafficPolicy.Mode.ALLOW_ANY);

  public MeshConfig {
    requireNonNull(rootNamespace, "rootNamespace");
    requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
    if (rootNamespace.isEmpty()) {
      throw new IllegalArgumentException("rootNamespace: empty (expected: a namespace name)");
    }
  }

  public MeshConfig withRootNamespace(String namespace) {
    return new MeshConfig(namespace, outboundTrafficPolicy);
  }

  public MeshConfig withOutboundTrafficPolicy(OutboundTrafficPolicy.Mode mode) {
    return new MeshConfig(rootNamespace, mode);
  }
}
