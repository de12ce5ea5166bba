package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * Object metadata that translation may read. {@code creationTimestamp} orders VirtualServices for
 * the same host (oldest wins, as in istiod); {@code source} names the file or API object it came
 * from, for diagnostics.
 */
public record ConfigMeta(
    ConfigKey key, Map<String, String> labels, Instant creationTimestamp, String source) {
  public ConfigMeta {
    requireNonNull(key, "key");
    labels = Map.copyOf(labels);
    requireNonNull(creationTimestamp, "creationTimestamp");
    requireNonNull(source, "source");
  }

  public String namespace() {
    return key.namespace();
  }

  public String name() {
    return key.name();
  }
}
