package io.jpilot.model.config;

/** Istio's Percent: a share in percent, 0 to 100, with fractions (e.g. 0.1). */
public record Percent(double value) {
  public Percent {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("value: " + value + " (expected: a finite number)");
    }
  }
}
