package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Where traffic to destinations outside the registry goes: ALLOW_ANY passes it through (or to
 * {@code egressProxy}), REGISTRY_ONLY drops it. In a Sidecar an unset mode means REGISTRY_ONLY, as
 * in the Istio API (its zero value).
 */
public record OutboundTrafficPolicy(Mode mode, Optional<Destination> egressProxy) {
  public enum Mode {
    REGISTRY_ONLY,
    ALLOW_ANY
  }

  public static final OutboundTrafficPolicy ALLOW_ANY =
      new OutboundTrafficPolicy(Mode.ALLOW_ANY, Optional.empty());
  public static final OutboundTrafficPolicy REGISTRY_ONLY =
      new OutboundTrafficPolicy(Mode.REGISTRY_ONLY, Optional.empty());

  public OutboundTrafficPolicy {
    requireNonNull(mode, "mode");
    requireNonNull(egressProxy, "egressProxy");
  }
}
