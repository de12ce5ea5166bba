package io.jpilot.model.parse;

import static io.jpilot.model.parse.IstioValidator.bool;
import static io.jpilot.model.parse.IstioValidator.dbl;
import static io.jpilot.model.parse.IstioValidator.dur;
import static io.jpilot.model.parse.IstioValidator.enumName;
import static io.jpilot.model.parse.IstioValidator.get;
import static io.jpilot.model.parse.IstioValidator.has;
import static io.jpilot.model.parse.IstioValidator.list;
import static io.jpilot.model.parse.IstioValidator.lng;
import static io.jpilot.model.parse.IstioValidator.map;
import static io.jpilot.model.parse.IstioValidator.str;
import static io.jpilot.model.parse.IstioValidator.stringMap;
import static io.jpilot.model.parse.IstioValidator.strings;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpilot.model.config.ClientTlsSettings;
import io.jpilot.model.config.ConfigMeta;
import io.jpilot.model.config.ConnectionPoolSettings;
import io.jpilot.model.config.ConsistentHash;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.LoadBalancerSettings;
import io.jpilot.model.config.LocalityLbSetting;
import io.jpilot.model.config.OutlierDetection;
import io.jpilot.model.config.PortTrafficPolicy;
import io.jpilot.model.config.RetryBudget;
import io.jpilot.model.config.Subset;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.config.Warmup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads a DestinationRule spec that passed the schema and semantic checks into its record: every
 * traffic policy field translation uses, at the top level, per port and per subset.
 */
final class DestinationRuleParser {
  private DestinationRuleParser() {}

  static DestinationRule destinationRule(ConfigMeta meta, JsonNode spec) {
    List<Subset> subsets = new ArrayList<>();
    for (JsonNode s : list(spec, "subsets")) {
      subsets.add(
          new Subset(
              str(s, "name"), stringMap(s, "labels"), trafficPolicy(get(s, "trafficPolicy"))));
    }
    JsonNode selector = get(spec, "workloadSelector");
    Optional<Map<String, String>> workloadSelector =
        selector == null ? Optional.empty() : Optional.of(stringMap(selector, "matchLabels"));
    return new DestinationRule(
        meta,
        str(spec, "host"),
        trafficPolicy(get(spec, "trafficPolicy")),
        subsets,
        strings(spec, "exportTo"),
        workloadSelector);
  }

  static Optional<TrafficPolicy> trafficPolicy(JsonNode tp) {
    if (tp == null) {
      return Optional.empty();
    }
    List<PortTrafficPolicy> portLevel = new ArrayList<>();
    for (JsonNode p : list(tp, "portLevelSettings")) {
      portLevel.add(
          new PortTrafficPolicy(
              (int) lng(get(p, "port"), "number"),
              loadBalancer(get(p, "loadBalancer")),
              connectionPool(get(p, "connectionPool")),
              outlierDetection(get(p, "outlierDetection")),
              tls(get(p, "tls"))));
    }
    JsonNode budget = get(tp, "retryBudget");
    Optional<RetryBudget> retryBudget =
        budget == null
            ? Optional.empty()
            : Optional.of(
                new RetryBudget(
                    has(budget, "percent") ? Optional.of(dbl(budget, "percent")) : Optional.empty(),
                    (int) lng(budget, "minRetryConcurrency"),
                    optionalDuration(budget, "budgetInterval")));
    return Optional.of(
        new TrafficPolicy(
            LoadBalancer.UNSPECIFIED,
            loadBalancer(get(tp, "loadBalancer")),
            connectionPool(get(tp, "connectionPool")),
            outlierDetection(get(tp, "outlierDetection")),
            tls(get(tp, "tls")),
            portLevel,
            retryBudget));
  }

  private static Optional<LoadBalancerSettings> loadBalancer(JsonNode lb) {
    if (lb == null) {
      return Optional.empty();
    }
    LoadBalancer simple = LoadBalancer.valueOf(enumName(get(lb, "simple"), IstioSchema.SIMPLE_LB));
    JsonNode warmup = get(lb, "warmup");
    return Optional.of(
        new LoadBalancerSettings(
            simple,
            consistentHash(get(lb, "consistentHash")),
            localityLbSetting(get(lb, "localityLbSetting")),
            warmup == null
                ? Optional.empty()
                : Optional.of(
                    new Warmup(
                        has(warmup, "duration") ? dur(warmup, "duration") : Duration.ZERO,
                        has(warmup, "minimumPercent")
                            ? Optional.of(dbl(warmup, "minimumPercent"))
                            : Optional.empty(),
                        has(warmup, "aggression")
                            ? Optional.of(dbl(warmup, "aggression"))
                            : Optional.empty())),
            optionalDuration(lb, "warmupDurationSecs")));
  }

  private static Optional<ConsistentHash> consistentHash(JsonNode ch) {
    if (ch == null) {
      return Optional.empty();
    }
    ConsistentHash.HashKey key = ConsistentHash.HashKey.NONE;
    Optional<ConsistentHash.HttpCookie> cookie = Optional.empty();
    if (has(ch, "httpHeaderName")) {
      key = ConsistentHash.HashKey.HTTP_HEADER_NAME;
    } else if (has(ch, "httpCookie")) {
      key = ConsistentHash.HashKey.HTTP_COOKIE;
      JsonNode c = get(ch, "httpCookie");
      List<ConsistentHash.Attribute> attributes = new ArrayList<>();
      for (JsonNode a : list(c, "attributes")) {
        attributes.add(new ConsistentHash.Attribute(str(a, "name"), str(a, "value")));
      }
      cookie =
          Optional.of(
              new ConsistentHash.HttpCookie(
                  str(c, "name"), str(c, "path"), optionalDuration(c, "ttl"), attributes));
    } else if (has(ch, "useSourceIp")) {
      key = ConsistentHash.HashKey.USE_SOURCE_IP;
    } else if (has(ch, "httpQueryParameterName")) {
      key = ConsistentHash.HashKey.HTTP_QUERY_PARAMETER_NAME;
    }
    ConsistentHash.Algorithm algorithm = ConsistentHash.Algorithm.UNSET;
    if (has(ch, "ringHash")) {
      algorithm = ConsistentHash.Algorithm.RING_HASH;
    } else if (has(ch, "maglev")) {
      algorithm = ConsistentHash.Algorithm.MAGLEV;
    }
    return Optional.of(
        new ConsistentHash(
            key,
            str(ch, "httpHeaderName"),
            cookie,
            bool(ch, "useSourceIp"),
            str(ch, "httpQueryParameterName"),
            algorithm,
            lng(get(ch, "ringHash"), "minimumRingSize"),
            lng(get(ch, "maglev"), "tableSize"),
            lng(ch, "minimumRingSize")));
  }

  private static Optional<LocalityLbSetting> localityLbSetting(JsonNode l) {
    if (l == null) {
      return Optional.empty();
    }
    List<LocalityLbSetting.Distribute> distribute = new ArrayList<>();
    for (JsonNode d : list(l, "distribute")) {
      SortedMap<String, Integer> to = new TreeMap<>();
      map(d, "to").forEach((k, v) -> to.put(k, v.asInt()));
      distribute.add(new LocalityLbSetting.Distribute(str(d, "from"), to));
    }
    List<LocalityLbSetting.Failover> failover = new ArrayList<>();
    for (JsonNode f : list(l, "failover")) {
      failover.add(new LocalityLbSetting.Failover(str(f, "from"), str(f, "to")));
    }
    return Optional.of(
        new LocalityLbSetting(
            distribute,
            failover,
            strings(l, "failoverPriority"),
            has(l, "enabled") ? Optional.of(bool(l, "enabled")) : Optional.empty()));
  }

  static Optional<ConnectionPoolSettings> connectionPool(JsonNode cp) {
    if (cp == null) {
      return Optional.empty();
    }
    JsonNode tcp = get(cp, "tcp");
    JsonNode http = get(cp, "http");
    Optional<ConnectionPoolSettings.Tcp> tcpSettings = Optional.empty();
    if (tcp != null) {
      JsonNode ka = get(tcp, "tcpKeepalive");
      tcpSettings =
          Optional.of(
              new ConnectionPoolSettings.Tcp(
                  (int) lng(tcp, "maxConnections"),
                  optionalDuration(tcp, "connectTimeout"),
                  ka == null
                      ? Optional.empty()
                      : Optional.of(
                          new ConnectionPoolSettings.TcpKeepalive(
                              (int) lng(ka, "probes"),
                              optionalDuration(ka, "time"),
                              optionalDuration(ka, "interval"))),
                  optionalDuration(tcp, "maxConnectionDuration"),
                  optionalDuration(tcp, "idleTimeout")));
    }
    Optional<ConnectionPoolSettings.Http> httpSettings = Optional.empty();
    if (http != null) {
      JsonNode ka = get(http, "http2KeepAlive");
      httpSettings =
          Optional.of(
              new ConnectionPoolSettings.Http(
                  (int) lng(http, "http1MaxPendingRequests"),
                  (int) lng(http, "http2MaxRequests"),
                  (int) lng(http, "maxRequestsPerConnection"),
                  (int) lng(http, "maxRetries"),
                  optionalDuration(http, "idleTimeout"),
                  ConnectionPoolSettings.H2UpgradePolicy.valueOf(
                      enumName(
                          get(http, "h2UpgradePolicy"), "DEFAULT", "DO_NOT_UPGRADE", "UPGRADE")),
                  bool(http, "useClientProtocol"),
                  (int) lng(http, "maxConcurrentStreams"),
                  ka == null
                      ? Optional.empty()
                      : Optional.of(
                          new ConnectionPoolSettings.ConnectionKeepalive(
                              optionalDuration(ka, "interval"), optionalDuration(ka, "timeout")))));
    }
    return Optional.of(new ConnectionPoolSettings(tcpSettings, httpSettings));
  }

  private static Optional<OutlierDetection> outlierDetection(JsonNode od) {
    if (od == null) {
      return Optional.empty();
    }
    List<Integer> codes = new ArrayList<>();
    for (JsonNode c : list(od, "outlierDetectionHttpErrorCodes")) {
      codes.add(c.asInt());
    }
    return Optional.of(
        new OutlierDetection(
            optionalInt(od, "consecutive5xxErrors"),
            optionalInt(od, "consecutiveGatewayErrors"),
            (int) lng(od, "consecutiveErrors"),
            optionalDuration(od, "interval"),
            optionalDuration(od, "baseEjectionTime"),
            (int) lng(od, "maxEjectionPercent"),
            (int) lng(od, "minHealthPercent"),
            bool(od, "splitExternalLocalOriginErrors"),
            optionalInt(od, "consecutiveLocalOriginFailures"),
            codes));
  }

  private static Optional<ClientTlsSettings> tls(JsonNode tls) {
    if (tls == null) {
      return Optional.empty();
    }
    return Optional.of(
        new ClientTlsSettings(
            ClientTlsSettings.Mode.valueOf(
                enumName(get(tls, "mode"), "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL")),
            str(tls, "clientCertificate"),
            str(tls, "privateKey"),
            str(tls, "caCertificates"),
            str(tls, "credentialName"),
            strings(tls, "subjectAltNames"),
            str(tls, "sni"),
            bool(tls, "insecureSkipVerify"),
            str(tls, "caCrl")));
  }

  private static Optional<Duration> optionalDuration(JsonNode n, String field) {
    return has(n, field) ? Optional.of(dur(n, field)) : Optional.empty();
  }

  private static Optional<Integer> optionalInt(JsonNode n, String field) {
    return has(n, field) ? Optional.of((int) lng(n, field)) : Optional.empty();
  }
}
