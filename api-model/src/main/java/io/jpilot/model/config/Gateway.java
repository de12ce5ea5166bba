package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * networking.istio.io Gateway: the servers (ports, hosts, TLS) that the proxies matching {@code
 * selector} expose.
 *
 * @param selector pod labels of the gateway proxies this applies to; empty selects every gateway
 *     proxy (istiod's nil selector)
 */
public record Gateway(ConfigMeta meta, Map<String, String> selector, List<GatewayServer> servers)
    implements IstioConfig {
  public static final String KIND = "Gateway";

  public Gateway {
    requireNonNull(meta, "meta");
    selector = Map.copyOf(selector);
    servers = List.copyOf(servers);
  }

  /** {@code namespace/name}, the form VirtualServices bind to. */
  public String qualifiedName() {
    return meta.namespace() + "/" + meta.name();
  }

  /** True when every selector label is among {@code labels} (an empty selector matches all). */
  public boolean selects(Map<String, String> labels) {
    return labels.entrySet().containsAll(selector.entrySet());
  }
}
