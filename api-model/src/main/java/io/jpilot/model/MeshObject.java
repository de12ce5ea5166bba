package io.jpilot.model;

import io.jpilot.model.config.ConfigKey;

/**
 * Anything a source feeds into the model: Kubernetes objects (Service, EndpointSlice, Pod,
 * Namespace) and Istio config. Implementations are immutable records, so {@code equals} tells a
 * real change from a no-op update.
 */
public interface MeshObject {
  ConfigKey key();
}
