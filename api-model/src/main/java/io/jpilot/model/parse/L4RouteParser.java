package io.jpilot.model.parse;

import static io.jpilot.model.parse.IstioValidator.get;
import static io.jpilot.model.parse.IstioValidator.list;
import static io.jpilot.model.parse.IstioValidator.lng;
import static io.jpilot.model.parse.IstioValidator.str;
import static io.jpilot.model.parse.IstioValidator.stringMap;
import static io.jpilot.model.parse.IstioValidator.strings;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.L4Match;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.TcpRoute;
import io.jpilot.model.config.TlsMatch;
import io.jpilot.model.config.TlsRoute;
import io.jpilot.model.config.VirtualService;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tcp[]} and {@code tls[]} sections of a VirtualService (validated by {@link
 * IstioValidator} beforehand).
 */
final class L4RouteParser {
  private L4RouteParser() {}

  /** {@code vs} with the tcp and tls routes of {@code spec}. */
  static VirtualService withL4Routes(VirtualService vs, JsonNode spec) {
    return vs.withL4Routes(tcpRoutes(spec), tlsRoutes(spec));
  }

  static List<TcpRoute> tcpRoutes(JsonNode spec) {
    List<TcpRoute> out = new ArrayList<>();
    for (JsonNode r : list(spec, "tcp")) {
      List<L4Match> matches = new ArrayList<>();
      for (JsonNode m : list(r, "match")) {
        matches.add(
            new L4Match(
                strings(m, "destinationSubnets"),
                (int) lng(m, "port"),
                stringMap(m, "sourceLabels"),
                strings(m, "gateways"),
                str(m, "sourceNamespace")));
      }
      out.add(new TcpRoute(matches, destinations(r)));
    }
    return out;
  }

  static List<TlsRoute> tlsRoutes(JsonNode spec) {
    List<TlsRoute> out = new ArrayList<>();
    for (JsonNode r : list(spec, "tls")) {
      List<TlsMatch> matches = new ArrayList<>();
      for (JsonNode m : list(r, "match")) {
        matches.add(
            new TlsMatch(
                strings(m, "sniHosts"),
                strings(m, "destinationSubnets"),
                (int) lng(m, "port"),
                stringMap(m, "sourceLabels"),
                strings(m, "gateways"),
                str(m, "sourceNamespace")));
      }
      out.add(new TlsRoute(matches, destinations(r)));
    }
    return out;
  }

  private static List<RouteDestination> destinations(JsonNode r) {
    List<RouteDestination> route = new ArrayList<>();
    for (JsonNode rd : list(r, "route")) {
      JsonNode d = get(rd, "destination");
      route.add(
          new RouteDestination(
              new Destination(
                  str(d, "host"), str(d, "subset"), (int) lng(get(d, "port"), "number")),
              (int) lng(rd, "weight")));
    }
    return route;
  }
}
