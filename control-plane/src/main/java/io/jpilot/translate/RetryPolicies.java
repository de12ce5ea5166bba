package io.jpilot.translate;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig;
import io.jpilot.model.config.HttpRetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * istiod's route/retry package (ConvertPolicy): a VirtualService HTTPRetry as an Envoy RetryPolicy.
 *
 * <ul>
 *   <li>no policy: {@code num_retries 2}, {@code retry_on
 *       connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes}, {@code
 *       host_selection_retry_max_attempts 5} and the previous_hosts predicate (left out when the
 *       destination hashes consistently);
 *   <li>{@code attempts <= 0}: no retry policy at all;
 *   <li>otherwise the defaults overridden: integer tokens of retryOn that are HTTP statuses move to
 *       {@code retriable_status_codes} (adding {@code retriable-status-codes} to retry_on),
 *       perTryTimeout, retryIgnorePreviousHosts, retryRemoteLocalities (previous_priorities,
 *       update_frequency 2) and backoff (base_interval).
 * </ul>
 */
final class RetryPolicies {
  static final String DEFAULT_RETRY_ON =
      "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";
  static final String RETRIABLE_STATUS_CODES = "retriable-status-codes";
  static final String PREVIOUS_PRIORITIES = "envoy.retry_priorities.previous_priorities";
  static final int DEFAULT_NUM_RETRIES = 2;
  static final int HOST_SELECTION_RETRY_MAX_ATTEMPTS = 5;

  /** Go's net/http StatusText keys: the integers istiod treats as status codes in retryOn. */
  private static final Set<Integer> HTTP_STATUS_CODES =
      Set.of(
          100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303,
          304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413,
          414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500, 501, 502,
          503, 504, 505, 506, 507, 508, 510, 511);

  /** The built-in default, with and without the previous_hosts predicate (immutable). */
  private static final Optional<RetryPolicy> DEFAULT = Optional.of(defaults(false).build());

  private static final Optional<RetryPolicy> DEFAULT_HASHED = Optional.of(defaults(true).build());

  private RetryPolicies() {}

  /**
   * @param policy the VirtualService's retries (or the mesh default); empty for the built-in
   *     default
   * @param consistentHash whether the single destination hashes consistently
   * @return empty when retries are disabled
   */
  static Optional<RetryPolicy> convert(Optional<HttpRetry> policy, boolean consistentHash) {
    if (policy.isEmpty()) {
      return consistentHash ? DEFAULT_HASHED : DEFAULT;
    }
    HttpRetry in = policy.get();
    if (in.attempts() <= 0) {
      return Optional.empty();
    }
    RetryPolicy.Builder out = defaults(consistentHash);
    out.setNumRetries(XdsProtos.uint32(in.attempts()));
    if (!in.retryOn().isEmpty()) {
      List<String> tokens = new ArrayList<>();
      List<Integer> codes = new ArrayList<>();
      for (String part : in.retryOn().split(",", -1)) {
        String p = part.trim();
        if (p.isEmpty()) {
          continue;
        }
        Optional<Integer> code = statusCode(p);
        if (code.isPresent()) {
          codes.add(code.get());
        } else {
          tokens.add(p);
        }
      }
      String retryOn = String.join(",", tokens);
      if (!codes.isEmpty() && !retryOn.contains(RETRIABLE_STATUS_CODES)) {
        retryOn += "," + RETRIABLE_STATUS_CODES;
      }
      out.setRetryOn(retryOn);
      out.addAllRetriableStatusCodes(codes);
    }
    in.perTryTimeout().ifPresent(d -> out.setPerTryTimeout(XdsProtos.duration(d)));
    if (in.retryIgnorePreviousHosts().isPresent()) {
      out.clearRetryHostPredicate();
      if (in.retryIgnorePreviousHosts().get()) {
        out.addRetryHostPredicate(previousHosts());
      }
    }
    if (in.retryRemoteLocalities().orElse(false)) {
      out.setRetryPriority(
          RetryPolicy.RetryPriority.newBuilder()
              .setName(PREVIOUS_PRIORITIES)
              .setTypedConfig(
                  XdsProtos.pack(
                      PreviousPrioritiesConfig.newBuilder().setUpdateFrequency(2).build())));
    }
    in.backoff()
        .ifPresent(
            b ->
                out.setRetryBackOff(
                    RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(XdsProtos.duration(b))));
    return Optional.of(out.build());
  }

  /** istiod's built-in default policy. */
  static RetryPolicy defaultPolicy() {
    return DEFAULT.get();
  }

  private static RetryPolicy.Builder defaults(boolean consistentHash) {
    RetryPolicy.Builder b =
        RetryPolicy.newBuilder()
            .setRetryOn(DEFAULT_RETRY_ON)
            .setNumRetries(XdsProtos.uint32(DEFAULT_NUM_RETRIES))
            .setHostSelectionRetryMaxAttempts(HOST_SELECTION_RETRY_MAX_ATTEMPTS);
    if (!consistentHash) {
      b.addRetryHostPredicate(previousHosts());
    }
    return b;
  }

  private static RetryPolicy.RetryHostPredicate previousHosts() {
    return RetryPolicy.RetryHostPredicate.newBuilder()
        .setName(IstioNames.PREVIOUS_HOSTS_PREDICATE)
        .setTypedConfig(XdsProtos.pack(PreviousHostsPredicate.getDefaultInstance()))
        .build();
  }

  /** An integer token that Go's net/http knows as a status (strconv.Atoi accepts a sign). */
  private static Optional<Integer> statusCode(String token) {
    if (!token.matches("[+-]?[0-9]{1,9}")) {
      return Optional.empty();
    }
    int code = Integer.parseInt(token);
    return HTTP_STATUS_CODES.contains(code) ? Optional.of(code) : Optional.empty();
  }
}
