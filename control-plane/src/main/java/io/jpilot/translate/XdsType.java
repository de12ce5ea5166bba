package io.jpilot.translate;

/** The xDS resource types jpilot serves, in push order (CDS, EDS, LDS, RDS: make before break). */
public enum XdsType {
  CLUSTER("type.googleapis.com/envoy.config.cluster.v3.Cluster", "CDS"),
  ENDPOINT("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "EDS"),
  LISTENER("type.googleapis.com/envoy.config.listener.v3.Listener", "LDS"),
  ROUTE("type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "RDS");

  private final String typeUrl;
  private final String shortName;

  XdsType(String typeUrl, String shortName) {
    this.typeUrl = typeUrl;
    this.shortName = shortName;
  }

  public String typeUrl() {
    return typeUrl;
  }

  /** CDS, EDS, LDS or RDS. */
  public String shortName() {
    return shortName;
  }

  /** The type for a type URL, or null when jpilot does not serve it. */
  public static XdsType fromTypeUrl(String typeUrl) {
    for (XdsType t : values()) {
      if (t.typeUrl.equals(typeUrl)) {
        return t;
      }
    }
    return null;
  }

  /**
   * True for types whose subscriptions name resources (EDS, RDS): the translator returns only the
   * requested names. CDS and LDS are wildcard for Envoy, but proxyless gRPC names its LDS and CDS.
   */
  public boolean namedByParent() {
    return this == ENDPOINT || this == ROUTE;
  }
}
