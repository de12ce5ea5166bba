package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * VirtualService L4MatchAttributes (a tcp[] match). Conditions are ANDed.
 *
 * @param port 0 when unset
 */
public record L4Match(
    List<String> destinationSubnets,
    int port,
    Map<String, String> sourceLabels,
    List<String> gateways,
    String sourceNamespace) {
  public L4Match {
    destinationSubnets = List.copyOf(destinationSubnets);
    sourceLabels = Map.copyOf(sourceLabels);
    gateways = List.copyOf(gateways);
    requireNonNull(sourceNamespace, "sourceNamespace");
  }
}
