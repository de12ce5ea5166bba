package io.jpilot.model.parse;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Parses Istio durations, which use Go's syntax: a sequence of decimal numbers with units, such as
 * {@code 1.5s}, {@code 100ms}, {@code 1m30s} or {@code 1h}. Units: ns, us (or µs), ms, s, m, h.
 */
final class Durations {
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  private Durations() {}

  /**
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  static Duration parse(String text) {
    String s = text;
    if (s.isEmpty()) {
      throw new IllegalArgumentException("invalid duration \"\": empty");
    }
    boolean negative = false;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw invalid(text);
    }
    BigDecimal total = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
        i++;
      }
      String number = s.substring(start, i);
      if (number.isEmpty()
          || number.equals(".")
          || number.indexOf('.') != number.lastIndexOf('.')) {
        throw invalid(text);
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
        i++;
      }
      String unit = s.substring(unitStart, i);
      long nanosPerUnit = nanosPerUnit(unit, text);
      BigDecimal value = new BigDecimal(number.endsWith(".") ? number + "0" : number);
      total = total.add(value.multiply(BigDecimal.valueOf(nanosPerUnit)));
      if (total.compareTo(MAX_NANOS) > 0) {
        throw new IllegalArgumentException("invalid duration \"" + text + "\": too large");
      }
    }
    long nanos = total.setScale(0, RoundingMode.DOWN).longValueExact();
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  private static long nanosPerUnit(String unit, String text) {
    switch (unit) {
      case "ns":
        return 1L;
      case "us":
      case "\u00b5s":
      case "\u03bcs":
        return 1_000L;
      case "ms":
        return 1_000_000L;
      case "s":
        return 1_000_000_000L;
      case "m":
        return 60_000_000_000L;
      case "h":
        return 3_600_000_000_000L;
      case "":
        throw new IllegalArgumentException(
            "invalid duration \"" + text + "\": missing unit (use ms, s, m or h, e.g. \"1.5s\")");
      default:
        throw new IllegalArgumentException(
            "invalid duration \""
                + text
                + "\": unknown unit \""
                + unit
                + "\" (expected: ns, us, ms, s, m or h)");
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "invalid duration \""
            + text
            + "\" (expected: a number with a unit, e.g. \"1.5s\", \"100ms\")");
  }
}
