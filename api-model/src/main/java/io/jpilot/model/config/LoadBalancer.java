package io.jpilot.model.config;

/** DestinationRule loadBalancer.simple. UNSPECIFIED means "not set here". */
public enum LoadBalancer {
  UNSPECIFIED,
  LEAST_CONN,
  RANDOM,
  PASSTHROUGH,
  ROUND_ROBIN,
  LEAST_REQUEST
}
