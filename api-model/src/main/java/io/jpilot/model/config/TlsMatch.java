package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * VirtualService TLSMatchAttributes (a tls[] match). Conditions are ANDed.
 *
 * @param port 0 when unset
 */
public record TlsMatch(
    List<String> sniHosts,
    List<String> destinationSubnets,
    int port,
    Map<String, String> sourceLabels,
    List<String> gateways,
    String sourceNamespace) {
  public TlsMatch {
    sniHosts = List.copyOf(sniHosts);
    destinationSubnets = List.copyOf(destinationSubnets);
    sourceLabels = Map.copyOf(sourceLabels);
    gateways = List.copyOf(gateways);
    requireNonNull(sourceNamespace, "sourceNamespace");
  }
}
