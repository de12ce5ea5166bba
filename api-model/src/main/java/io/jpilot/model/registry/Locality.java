package io.jpilot.model.registry;

import static java.util.Objects.requireNonNull;

/** Where a workload runs: region/zone/subzone, each possibly empty. */
public record Locality(String region, String zone, String subZone) implements Comparable<Locality> {
  public static final Locality NONE = new Locality("", "", "");

  public Locality {
    requireNonNull(region, "region");
    requireNonNull(zone, "zone");
    requireNonNull(subZone, "subZone");
  }

  /** Parses istio's {@code region/zone/subzone} form; missing parts are empty. */
  public static Locality parse(String value) {
    if (value == null || value.isEmpty()) {
      return NONE;
    }
    String[] parts = value.split("/", 3);
    return new Locality(
        parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "");
  }

  public boolean isEmpty() {
    return region.isEmpty() && zone.isEmpty() && subZone.isEmpty();
  }

  @Override
  public int compareTo(Locality o) {
    return toString().compareTo(o.toString());
  }

  @Override
  public String toString() {
    return region + "/" + zone + "/" + subZone;
  }
}
