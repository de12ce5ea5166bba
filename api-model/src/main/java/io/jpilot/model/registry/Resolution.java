package io.jpilot.model.registry;

/**
 * How a proxy finds a service's endpoints (istiod's model.Resolution): from the control plane
 * (EDS), by resolving DNS names itself, or by passing the original destination through.
 */
public enum Resolution {
  /** Endpoints over EDS: Kubernetes ClusterIP services and STATIC ServiceEntries. */
  CLIENT_SIDE_LB,
  /** DNS ServiceEntries: every address is resolved and all are balanced (STRICT_DNS). */
  DNS_LB,
  /** DNS_ROUND_ROBIN ServiceEntries: one resolved address at a time (LOGICAL_DNS). */
  DNS_ROUND_ROBIN_LB,
  /** Headless Kubernetes services and NONE ServiceEntries: the original destination is used. */
  PASSTHROUGH,
  /** DYNAMIC_DNS ServiceEntries (dynamic forward proxy). */
  DYNAMIC_DNS
}
