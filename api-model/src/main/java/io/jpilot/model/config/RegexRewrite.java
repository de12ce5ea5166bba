package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/** Istio's RegexRewrite: an RE2 {@code match} and its {@code rewrite} substitution. */
public record RegexRewrite(String match, String rewrite) {
  public RegexRewrite {
    requireNonNull(match, "match");
    requireNonNull(rewrite, "rewrite");
  }
}
