package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Istio's HTTPFaultInjection.Abort: a share of requests fails with an HTTP status, a gRPC status
 * (by name, e.g. {@code UNAVAILABLE}) or an HTTP/2 error.
 */
public record FaultAbort(
    ErrorType errorType,
    int httpStatus,
    String grpcStatus,
    String http2Error,
    Optional<Percent> percentage) {

  /** Which of the error_type oneof is set. */
  public enum ErrorType {
    UNSET,
    HTTP_STATUS,
    GRPC_STATUS,
    HTTP2_ERROR
  }

  public FaultAbort {
    requireNonNull(errorType, "errorType");
    requireNonNull(grpcStatus, "grpcStatus");
    requireNonNull(http2Error, "http2Error");
    requireNonNull(percentage, "percentage");
  }

  public static FaultAbort httpStatus(int status, double percentage) {
    return new FaultAbort(
        ErrorType.HTTP_STATUS, status, "", "", Optional.of(new Percent(percentage)));
  }

  public static FaultAbort grpcStatus(String status, double percentage) {
    return new FaultAbort(
        ErrorType.GRPC_STATUS, 0, status, "", Optional.of(new Percent(percentage)));
  }
}
