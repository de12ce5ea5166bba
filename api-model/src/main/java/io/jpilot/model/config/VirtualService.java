package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** networking.istio.io VirtualService, the parts that translation reads. */
public record VirtualService(
    ConfigMeta meta,
    List<String> hosts,
    List<String> gateways,
    List<HttpRoute> http,
    List<String> exportTo,
    List<TcpRoute> tcp,
    List<TlsRoute> tls)
    implements IstioConfig {
  public static final String KIND = "VirtualService";

  public VirtualService {
    requireNonNull(meta, "meta");
    hosts = List.copyOf(hosts);
    gateways = List.copyOf(gateways);
    http = List.copyOf(http);
    exportTo = List.copyOf(exportTo);
    tcp = List.copyOf(tcp);
    tls = List.copyOf(tls);
  }

  /** A VirtualService with HTTP routes only. */
  public VirtualService(
      ConfigMeta meta,
      List<String> hosts,
      List<String> gateways,
      List<HttpRoute> http,
      List<String> exportTo) {
    this(meta, hosts, gateways, http, exportTo, List.of(), List.of());
  }

  /** This VirtualService with the given tcp[] and tls[] routes. */
  public VirtualService withL4Routes(List<TcpRoute> tcp, List<TlsRoute> tls) {
    return new VirtualService(meta, hosts, gateways, http, exportTo, tcp, tls);
  }
}
