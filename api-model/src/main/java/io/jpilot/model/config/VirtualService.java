package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** networking.istio.io VirtualService, the parts that translation reads. */
public record VirtualService(
    ConfigMeta meta,
    List<String> hosts,
    List<String> gateways,
    List<HttpRoute> http,
    List<String> exportTo)
    implements IstioConfig {
  public static final String KIND = "VirtualService";

  public VirtualService {
    requireNonNull(meta, "meta");
    hosts = List.copyOf(hosts);
    gateways = List.copyOf(gateways);
    http = List.copyOf(http);
    exportTo = List.copyOf(exportTo);
  }
}
