package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** Istio's HTTPFaultInjection: a delay, an abort, or both. */
public record HttpFault(Optional<FaultDelay> delay, Optional<FaultAbort> abort) {
  public HttpFault {
    requireNonNull(delay, "delay");
    requireNonNull(abort, "abort");
  }
}
