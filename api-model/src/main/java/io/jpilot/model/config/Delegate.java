package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/**
 * Istio's Delegate: the VirtualService (without hosts) whose http routes replace this route. An
 * empty namespace means the root VirtualService's namespace.
 */
public record Delegate(String name, String namespace) {
  public Delegate {
    requireNonNull(name, "name");
    requireNonNull(namespace, "namespace");
  }
}
