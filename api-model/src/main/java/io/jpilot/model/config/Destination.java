package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/**
 * A route destination. {@code host} is as written in the VirtualService (short names are resolved
 * against the VirtualService's namespace at translation); {@code port} is 0 when unset.
 */
public record Destination(String host, String subset, int port) {
  public Destination {
    requireNonNull(host, "host");
    requireNonNull(subset, "subset");
  }
}
