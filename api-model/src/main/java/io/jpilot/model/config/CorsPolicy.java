package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Istio's CorsPolicy. {@code allowOrigin} is the deprecated list of exact origins, used only when
 * {@code allowOrigins} is empty.
 */
public record CorsPolicy(
    List<StringMatch> allowOrigins,
    List<String> allowOrigin,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    Optional<Duration> maxAge,
    Optional<Boolean> allowCredentials,
    UnmatchedPreflights unmatchedPreflights) {

  /** What to do with a preflight request whose origin does not match. */
  public enum UnmatchedPreflights {
    UNSPECIFIED,
    FORWARD,
    IGNORE
  }

  public CorsPolicy {
    allowOrigins = List.copyOf(allowOrigins);
    allowOrigin = List.copyOf(allowOrigin);
    allowMethods = List.copyOf(allowMethods);
    allowHeaders = List.copyOf(allowHeaders);
    exposeHeaders = List.copyOf(exposeHeaders);
    requireNonNull(maxAge, "maxAge");
    requireNonNull(allowCredentials, "allowCredentials");
    requireNonNull(unmatchedPreflights, "unmatchedPreflights");
  }
}
