package io.jpilot.model;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

/**
 * Go's duration syntax, as istiod reads PILOT_DEBOUNCE_AFTER and friends: an optional sign, then
 * one or more decimal numbers each followed by a unit ({@code ns}, {@code us}, {@code µs}, {@code
 * ms}, {@code s}, {@code m}, {@code h}), e.g. {@code 100ms}, {@code 1m30s}, {@code 1.5s}. A bare
 * {@code 0} is zero; any other number needs a unit.
 */
public final class Durations {
  private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

  private Durations() {}

  /**
   * Parses a Go duration.
   *
   * @throws IllegalArgumentException naming the value and what was expected
   */
  public static Duration parse(String value) {
    requireNonNull(value, "value");
    String s = value;
    int i = 0;
    boolean negative = false;
    if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
      negative = s.charAt(i) == '-';
      i++;
    }
    if (s.substring(i).equals("0")) {
      return Duration.ZERO;
    }
    if (i == s.length()) {
      throw invalid(value, "empty");
    }
    BigDecimal totalNanos = BigDecimal.ZERO;
    while (i < s.length()) {
      int numberStart = i;
      boolean digits = false;
      while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
        i++;
        digits = true;
      }
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
          i++;
          digits = true;
        }
      }
      if (!digits) {
        throw invalid(value, "expected a number at offset " + numberStart);
      }
      BigDecimal number = new BigDecimal(s.substring(numberStart, i));
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      if (unit.isEmpty()) {
        throw invalid(value, "missing unit after " + s.substring(numberStart, unitStart));
      }
      totalNanos = totalNanos.add(number.multiply(BigDecimal.valueOf(unitNanos(value, unit))));
    }
    BigInteger nanos = totalNanos.toBigInteger();
    if (nanos.compareTo(MAX_NANOS) > 0) {
      throw invalid(value, "out of range");
    }
    long n = nanos.longValueExact();
    return Duration.ofNanos(negative ? -n : n);
  }

  /** Formats a duration the way Go prints one: {@code 100ms}, {@code 10s}, {@code 1m30s}. */
  public static String format(Duration d) {
    requireNonNull(d, "d");
    if (d.isZero()) {
      return "0s";
    }
    long nanos = d.toNanos();
    String sign = nanos < 0 ? "-" : "";
    nanos = Math.abs(nanos);
    if (nanos < 1_000L) {
      return sign + nanos + "ns";
    }
    if (nanos < 1_000_000L) {
      return sign + decimal(nanos, 1_000L) + "us";
    }
    if (nanos < 1_000_000_000L) {
      return sign + decimal(nanos, 1_000_000L) + "ms";
    }
    StringBuilder out = new StringBuilder(sign);
    long hours = nanos / 3_600_000_000_000L;
    nanos %= 3_600_000_000_000L;
    long minutes = nanos / 60_000_000_000L;
    nanos %= 60_000_000_000L;
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    return out.append(decimal(nanos, 1_000_000_000L)).append('s').toString();
  }

  private static String decimal(long nanos, long unit) {
    return BigDecimal.valueOf(nanos)
        .divide(BigDecimal.valueOf(unit))
        .stripTrailingZeros()
        .toPlainString();
  }

  private static long unitNanos(String value, String unit) {
    switch (unit) {
      case "ns":
        return 1L;
      case "us":
      case "\u00b5s": // micro sign
      case "\u03bcs": // Greek small letter mu
        return 1_000L;
      case "ms":
        return 1_000_000L;
      case "s":
        return 1_000_000_000L;
      case "m":
        return 60_000_000_000L;
      case "h":
        return 3_600_000_000_000L;
      default:
        throw invalid(value, "unknown unit '" + unit + "'");
    }
  }

  private static IllegalArgumentException invalid(String value, String why) {
    return new IllegalArgumentException(
        "duration: '"
            + value
            + "': "
            + why
            + " (expected: a Go duration such as 100ms, 10s, 1m30s, 1.5s)");
  }
}
