package io.jpilot.translate;

import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.jpilot.model.config.HttpFault;
import io.jpilot.model.config.Percent;
import io.jpilot.model.config.StringMatch;
import java.util.Map;

/**
 * The per-route configurations istiod puts in {@code typed_per_filter_config}: the fault filter's
 * HTTPFault (TranslateFault) and the CORS filter's CorsPolicy (TranslateCORSPolicy).
 */
final class RouteFilterConfigs {
  /** istiod's SupportedGRPCStatus: gRPC status names and their codes. */
  static final Map<String, Integer> GRPC_STATUS_CODES =
      Map.ofEntries(
          Map.entry("OK", 0),
          Map.entry("CANCELLED", 1),
          Map.entry("UNKNOWN", 2),
          Map.entry("INVALID_ARGUMENT", 3),
          Map.entry("DEADLINE_EXCEEDED", 4),
          Map.entry("NOT_FOUND", 5),
          Map.entry("ALREADY_EXISTS", 6),
          Map.entry("PERMISSION_DENIED", 7),
          Map.entry("RESOURCE_EXHAUSTED", 8),
          Map.entry("FAILED_PRECONDITION", 9),
          Map.entry("ABORTED", 10),
          Map.entry("OUT_OF_RANGE", 11),
          Map.entry("UNIMPLEMENTED", 12),
          Map.entry("INTERNAL", 13),
          Map.entry("UNAVAILABLE", 14),
          Map.entry("DATA_LOSS", 15),
          Map.entry("UNAUTHENTICATED", 16));

  private RouteFilterConfigs() {}

  /**
   * istiod's TranslateFault: a fixed delay (an exponential one is dropped) with its percentage (the
   * deprecated integer percent when no percentage is given); an abort with an HTTP or gRPC status
   * and, when given, its percentage. A fault left with neither is an empty HTTPFault.
   */
  static HTTPFault fault(HttpFault in) {
    HTTPFault.Builder out = HTTPFault.newBuilder();
    in.delay()
        .filter(d -> d.fixedDelay().isPresent())
        .ifPresent(
            d ->
                out.setDelay(
                    FaultDelay.newBuilder()
                        .setFixedDelay(XdsProtos.duration(d.fixedDelay().get()))
                        .setPercentage(
                            d.percentage().isPresent()
                                ? perMillion(d.percentage().get())
                                : perHundred(d.percent()))));
    in.abort()
        .ifPresent(
            a -> {
              FaultAbort.Builder abort = FaultAbort.newBuilder();
              switch (a.errorType()) {
                case HTTP_STATUS:
                  abort.setHttpStatus(a.httpStatus());
                  break;
                case GRPC_STATUS:
                  abort.setGrpcStatus(GRPC_STATUS_CODES.getOrDefault(a.grpcStatus(), 0));
                  break;
                default:
                  return; // only HTTP and gRPC aborts are supported
              }
              a.percentage().ifPresent(p -> abort.setPercentage(perMillion(p)));
              out.setAbort(abort);
            });
    return out.build();
  }

  /**
   * istiod's TranslateCORSPolicy: origins from allowOrigins (else the deprecated exact
   * allowOrigin), the lists joined with {@code ,}, max age in seconds, enabled for all requests,
   * forwarding unmatched preflights unless told to ignore them.
   */
  static CorsPolicy cors(io.jpilot.model.config.CorsPolicy in) {
    CorsPolicy.Builder out = CorsPolicy.newBuilder();
    out.setForwardNotMatchingPreflights(
        XdsProtos.bool(
            in.unmatchedPreflights()
                != io.jpilot.model.config.CorsPolicy.UnmatchedPreflights.IGNORE));
    if (!in.allowOrigins().isEmpty()) {
      for (StringMatch o : in.allowOrigins()) {
        if (o.kind() != StringMatch.Kind.PRESENT) {
          out.addAllowOriginStringMatch(RouteMatchTranslator.stringMatcher(o));
        }
      }
    } else {
      for (String o : in.allowOrigin()) {
        out.addAllowOriginStringMatch(RouteMatchTranslator.stringMatcher(StringMatch.exact(o)));
      }
    }
    out.setFilterEnabled(
        RuntimeFractionalPercent.newBuilder()
            .setDefaultValue(
                FractionalPercent.newBuilder()
                    .setNumerator(100)
                    .setDenominator(FractionalPercent.DenominatorType.HUNDRED)));
    in.allowCredentials().ifPresent(c -> out.setAllowCredentials(XdsProtos.bool(c)));
    out.setAllowHeaders(String.join(",", in.allowHeaders()));
    out.setAllowMethods(String.join(",", in.allowMethods()));
    out.setExposeHeaders(String.join(",", in.exposeHeaders()));
    in.maxAge().ifPresent(d -> out.setMaxAge(Long.toString(d.getSeconds())));
    return out.build();
  }

  /** istiod's translatePercentToFractionalPercent: value × 10000 per million. */
  static FractionalPercent perMillion(Percent p) {
    return perMillion(RoutePlanner.perMillion(p.value()));
  }

  /** A numerator per million. */
  static FractionalPercent perMillion(long numerator) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) numerator)
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }

  /** istiod's translateIntegerToFractionalPercent: an integer per hundred. */
  static FractionalPercent perHundred(long p) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) p)
        .setDenominator(FractionalPercent.DenominatorType.HUNDRED)
        .build();
  }
}
