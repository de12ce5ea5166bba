package io.jpilot.model.parse;

import static io.jpilot.model.parse.Schema.Scalar.BOOL;
import static io.jpilot.model.parse.Schema.Scalar.BYTES;
import static io.jpilot.model.parse.Schema.Scalar.DOUBLE;
import static io.jpilot.model.parse.Schema.Scalar.DURATION;
import static io.jpilot.model.parse.Schema.Scalar.INT32;
import static io.jpilot.model.parse.Schema.Scalar.STRING;
import static io.jpilot.model.parse.Schema.Scalar.UINT32;
import static io.jpilot.model.parse.Schema.Scalar.UINT64;

import io.jpilot.model.parse.Schema.EnumType;
import io.jpilot.model.parse.Schema.ListOf;
import io.jpilot.model.parse.Schema.MapOf;
import io.jpilot.model.parse.Schema.Message;

/**
 * The networking.istio.io v1 (= v1beta1 = v1alpha3) schema of VirtualService and DestinationRule,
 * field by field, with JSON (camelCase) names. Every legal field is listed, whether or not jpilot
 * translates it yet, so legal config is never rejected and typos always are.
 */
final class IstioSchema {
  private IstioSchema() {}

  // ---- shared -------------------------------------------------------------------------------

  static final Message PORT_SELECTOR =
      Message.builder("PortSelector").field("number", UINT32).wrapHint("{number: %s}").build();

  static final Message PERCENT =
      Message.builder("Percent").field("value", DOUBLE).wrapHint("{value: %s}").build();

  static final Message STRING_MATCH =
      Message.builder("StringMatch")
          .field("exact", STRING)
          .field("prefix", STRING)
          .field("regex", STRING)
          .oneof("exact", "prefix", "regex")
          .wrapHint("{exact: %s}")
          .build();

  static final Message DESTINATION =
      Message.builder("Destination")
          .field("host", STRING)
          .field("subset", STRING)
          .field("port", PORT_SELECTOR)
          .wrapHint("{host: %s}")
          .build();

  static final Message WORKLOAD_SELECTOR =
      Message.builder("WorkloadSelector").map("matchLabels", STRING).build();

  // ---- VirtualService -----------------------------------------------------------------------

  static final Message HEADER_OPERATIONS =
      Message.builder("HeaderOperations")
          .map("set", STRING)
          .map("add", STRING)
          .list("remove", STRING)
          .build();

  static final Message HEADERS =
      Message.builder("Headers")
          .field("request", HEADER_OPERATIONS)
          .field("response", HEADER_OPERATIONS)
          .build();

  static final Message HTTP_MATCH_REQUEST =
      Message.builder("HTTPMatchRequest")
          .field("name", STRING)
          .field("uri", STRING_MATCH)
          .field("scheme", STRING_MATCH)
          .field("method", STRING_MATCH)
          .field("authority", STRING_MATCH)
          .map("headers", STRING_MATCH)
          .field("port", UINT32)
          .map("sourceLabels", STRING)
          .list("gateways", STRING)
          .map("queryParams", STRING_MATCH)
          .field("ignoreUriCase", BOOL)
          .map("withoutHeaders", STRING_MATCH)
          .field("sourceNamespace", STRING)
          .field("statPrefix", STRING)
          .build();

  static final Message HTTP_ROUTE_DESTINATION =
      Message.builder("HTTPRouteDestination")
          .field("destination", DESTINATION)
          .field("weight", INT32)
          .field("headers", HEADERS)
          .wrapHint("{destination: {host: %s}}")
          .build();

  static final Message ROUTE_DESTINATION =
      Message.builder("RouteDestination")
          .field("destination", DESTINATION)
          .field("weight", INT32)
          .wrapHint("{destination: {host: %s}}")
          .build();

  static final Message HTTP_REDIRECT =
      Message.builder("HTTPRedirect")
          .field("uri", STRING)
          .field("authority", STRING)
          .field("port", UINT32)
          .field(
              "derivePort",
              EnumType.of("RedirectPortSelection", "FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"))
          .field("scheme", STRING)
          .field("redirectCode", UINT32)
          .field("prefixRewrite", STRING)
          .oneof("port", "derivePort")
          .build();

  static final Message HTTP_BODY =
      Message.builder("HTTPBody")
          .field("string", STRING)
          .field("bytes", BYTES)
          .oneof("string", "bytes")
          .wrapHint("{string: %s}")
          .build();

  static final Message HTTP_DIRECT_RESPONSE =
      Message.builder("HTTPDirectResponse")
          .field("status", UINT32)
          .field("body", HTTP_BODY)
          .build();

  static final Message DELEGATE =
      Message.builder("Delegate").field("name", STRING).field("namespace", STRING).build();

  static final Message REGEX_REWRITE =
      Message.builder("RegexRewrite").field("match", STRING).field("rewrite", STRING).build();

  static final Message HTTP_REWRITE =
      Message.builder("HTTPRewrite")
          .field("uri", STRING)
          .field("authority", STRING)
          .field("uriRegexRewrite", REGEX_REWRITE)
          .build();

  static final Message HTTP_RETRY =
      Message.builder("HTTPRetry")
          .field("attempts", INT32)
          .field("perTryTimeout", DURATION)
          .field("retryOn", STRING)
          .field("retryRemoteLocalities", BOOL)
          .field("retryIgnorePreviousHosts", BOOL)
          .field("backoff", DURATION)
          .build();

  static final Message FAULT_DELAY =
      Message.builder("Delay")
          .deprecated("percent", INT32, "percent is deprecated; use percentage")
          .field("fixedDelay", DURATION)
          .field("exponentialDelay", DURATION)
          .field("percentage", PERCENT)
          .oneof("fixedDelay", "exponentialDelay")
          .build();

  static final Message FAULT_ABORT =
      Message.builder("Abort")
          .field("httpStatus", INT32)
          .field("grpcStatus", STRING)
          .field("http2Error", STRING)
          .field("percentage", PERCENT)
          .oneof("httpStatus", "grpcStatus", "http2Error")
          .build();

  static final Message HTTP_FAULT_INJECTION =
      Message.builder("HTTPFaultInjection")
          .field("delay", FAULT_DELAY)
          .field("abort", FAULT_ABORT)
          .build();

  static final Message HTTP_MIRROR_POLICY =
      Message.builder("HTTPMirrorPolicy")
          .field("destination", DESTINATION)
          .field("percentage", PERCENT)
          .wrapHint("{destination: {host: %s}}")
          .build();

  static final Message CORS_POLICY =
      Message.builder("CorsPolicy")
          .deprecated(
              "allowOrigin", new ListOf(STRING), "allowOrigin is deprecated; use allowOrigins")
          .list("allowOrigins", STRING_MATCH)
          .list("allowMethods", STRING)
          .list("allowHeaders", STRING)
          .list("exposeHeaders", STRING)
          .field("maxAge", DURATION)
          .field("allowCredentials", BOOL)
          .field(
              "unmatchedPreflights",
              EnumType.of("UnmatchedPreflights", "UNSPECIFIED", "FORWARD", "IGNORE"))
          .build();

  static final Message HTTP_ROUTE =
      Message.builder("HTTPRoute")
          .field("name", STRING)
          .list("match", HTTP_MATCH_REQUEST)
          .list("route", HTTP_ROUTE_DESTINATION)
          .field("redirect", HTTP_REDIRECT)
          .field("directResponse", HTTP_DIRECT_RESPONSE)
          .field("delegate", DELEGATE)
          .field("rewrite", HTTP_REWRITE)
          .field("timeout", DURATION)
          .field("retries", HTTP_RETRY)
          .field("fault", HTTP_FAULT_INJECTION)
          .field("mirror", DESTINATION)
          .list("mirrors", HTTP_MIRROR_POLICY)
          .deprecated(
              "mirrorPercent",
              UINT32,
              "using deprecated setting \"mirrorPercent\", use \"mirrorPercentage\" instead")
          .field("mirrorPercentage", PERCENT)
          .field("corsPolicy", CORS_POLICY)
          .field("headers", HEADERS)
          .build();

  static final Message TLS_MATCH_ATTRIBUTES =
      Message.builder("TLSMatchAttributes")
          .list("sniHosts", STRING)
          .list("destinationSubnets", STRING)
          .field("port", UINT32)
          .map("sourceLabels", STRING)
          .list("gateways", STRING)
          .field("sourceNamespace", STRING)
          .build();

  static final Message TLS_ROUTE =
      Message.builder("TLSRoute")
          .list("match", TLS_MATCH_ATTRIBUTES)
          .list("route", ROUTE_DESTINATION)
          .build();

  static final Message L4_MATCH_ATTRIBUTES =
      Message.builder("L4MatchAttributes")
          .list("destinationSubnets", STRING)
          .field("port", UINT32)
          .field("sourceSubnet", STRING)
          .map("sourceLabels", STRING)
          .list("gateways", STRING)
          .field("sourceNamespace", STRING)
          .build();

  static final Message TCP_ROUTE =
      Message.builder("TCPRoute")
          .list("match", L4_MATCH_ATTRIBUTES)
          .list("route", ROUTE_DESTINATION)
          .build();

  static final Message VIRTUAL_SERVICE =
      Message.builder("VirtualService")
          .list("hosts", STRING)
          .list("gateways", STRING)
          .list("http", HTTP_ROUTE)
          .list("tls", TLS_ROUTE)
          .list("tcp", TCP_ROUTE)
          .list("exportTo", STRING)
          .build();

  // ---- DestinationRule ----------------------------------------------------------------------

  static final Message RING_HASH =
      Message.builder("RingHash").field("minimumRingSize", UINT64).build();

  static final Message MAGLEV = Message.builder("MagLev").field("tableSize", UINT64).build();

  static final Message COOKIE_ATTRIBUTE =
      Message.builder("Attribute").field("name", STRING).field("value", STRING).build();

  static final Message HTTP_COOKIE =
      Message.builder("HTTPCookie")
          .field("name", STRING)
          .field("path", STRING)
          .field("ttl", DURATION)
          .list("attributes", COOKIE_ATTRIBUTE)
          .build();

  static final Message CONSISTENT_HASH =
      Message.builder("ConsistentHashLB")
          .field("httpHeaderName", STRING)
          .field("httpCookie", HTTP_COOKIE)
          .field("useSourceIp", BOOL)
          .field("httpQueryParameterName", STRING)
          .field("ringHash", RING_HASH)
          .field("maglev", MAGLEV)
          .deprecated(
              "minimumRingSize",
              UINT64,
              "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash"
                  + " configuration instead")
          .oneof("httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName")
          .oneof("ringHash", "maglev")
          .build();

  static final Message LOCALITY_DISTRIBUTE =
      Message.builder("Distribute").field("from", STRING).map("to", UINT32).build();

  static final Message LOCALITY_FAILOVER =
      Message.builder("Failover").field("from", STRING).field("to", STRING).build();

  static final Message LOCALITY_LB_SETTING =
      Message.builder("LocalityLoadBalancerSetting")
          .list("distribute", LOCALITY_DISTRIBUTE)
          .list("failover", LOCALITY_FAILOVER)
          .list("failoverPriority", STRING)
          .field("enabled", BOOL)
          .build();

  static final Message ZONE_AWARE_LB_SETTING =
      Message.builder("ZoneAwareLoadBalancerSetting")
          .field("enabled", BOOL)
          .list("failover", LOCALITY_FAILOVER)
          .list("failoverPriority", STRING)
          .field("minClusterSize", UINT64)
          .build();

  static final Message WARMUP =
      Message.builder("WarmupConfiguration")
          .field("duration", DURATION)
          .field("minimumPercent", DOUBLE)
          .field("aggression", DOUBLE)
          .build();

  static final EnumType SIMPLE_LB =
      EnumType.of(
          "SimpleLB",
          "UNSPECIFIED",
          "LEAST_CONN",
          "RANDOM",
          "PASSTHROUGH",
          "ROUND_ROBIN",
          "LEAST_REQUEST");

  static final Message LOAD_BALANCER =
      Message.builder("LoadBalancerSettings")
          .field("simple", SIMPLE_LB)
          .field("consistentHash", CONSISTENT_HASH)
          .field("localityLbSetting", LOCALITY_LB_SETTING)
          .field("zoneAwareLbSetting", ZONE_AWARE_LB_SETTING)
          .field("warmupDurationSecs", DURATION)
          .field("warmup", WARMUP)
          .oneof("simple", "consistentHash")
          .wrapHint("{simple: %s}")
          .build();

  static final Message TCP_KEEPALIVE =
      Message.builder("TcpKeepalive")
          .field("probes", UINT32)
          .field("time", DURATION)
          .field("interval", DURATION)
          .build();

  static final Message TCP_SETTINGS =
      Message.builder("TCPSettings")
          .field("maxConnections", INT32)
          .field("connectTimeout", DURATION)
          .field("tcpKeepalive", TCP_KEEPALIVE)
          .field("maxConnectionDuration", DURATION)
          .field("idleTimeout", DURATION)
          .build();

  static final Message CONNECTION_KEEPALIVE =
      Message.builder("ConnectionKeepalive")
          .field("interval", DURATION)
          .field("timeout", DURATION)
          .build();

  static final Message HTTP_SETTINGS =
      Message.builder("HTTPSettings")
          .field("http1MaxPendingRequests", INT32)
          .field("http2MaxRequests", INT32)
          .field("maxRequestsPerConnection", INT32)
          .field("maxRetries", INT32)
          .field("idleTimeout", DURATION)
          .field(
              "h2UpgradePolicy",
              EnumType.of("H2UpgradePolicy", "DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"))
          .field("useClientProtocol", BOOL)
          .field("maxConcurrentStreams", INT32)
          .field("http2KeepAlive", CONNECTION_KEEPALIVE)
          .build();

  static final Message CONNECTION_POOL =
      Message.builder("ConnectionPoolSettings")
          .field("tcp", TCP_SETTINGS)
          .field("http", HTTP_SETTINGS)
          .build();

  static final Message OUTLIER_DETECTION =
      Message.builder("OutlierDetection")
          .deprecated(
              "consecutiveErrors",
              INT32,
              "consecutiveErrors is deprecated; use consecutive5xxErrors (or"
                  + " consecutiveGatewayErrors)")
          .field("splitExternalLocalOriginErrors", BOOL)
          .field("consecutiveLocalOriginFailures", UINT32)
          .field("consecutiveGatewayErrors", UINT32)
          .field("consecutive5xxErrors", UINT32)
          .field("interval", DURATION)
          .field("baseEjectionTime", DURATION)
          .field("maxEjectionPercent", INT32)
          .field("minHealthPercent", INT32)
          .list("outlierDetectionHttpErrorCodes", UINT32)
          .build();

  static final Message CLIENT_TLS =
      Message.builder("ClientTLSSettings")
          .field("mode", EnumType.of("TLSmode", "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"))
          .field("clientCertificate", STRING)
          .field("privateKey", STRING)
          .field("caCertificates", STRING)
          .field("credentialName", STRING)
          .list("subjectAltNames", STRING)
          .field("sni", STRING)
          .field("insecureSkipVerify", BOOL)
          .field("caCrl", STRING)
          .wrapHint("{mode: %s}")
          .build();

  static final Message PORT_TRAFFIC_POLICY =
      Message.builder("PortTrafficPolicy")
          .field("port", PORT_SELECTOR)
          .field("loadBalancer", LOAD_BALANCER)
          .field("connectionPool", CONNECTION_POOL)
          .field("outlierDetection", OUTLIER_DETECTION)
          .field("tls", CLIENT_TLS)
          .build();

  static final Message TUNNEL_SETTINGS =
      Message.builder("TunnelSettings")
          .field("protocol", STRING)
          .field("targetHost", STRING)
          .field("targetPort", UINT32)
          .build();

  static final Message PROXY_PROTOCOL =
      Message.builder("ProxyProtocol").field("version", EnumType.of("VERSION", "V1", "V2")).build();

  static final Message RETRY_BUDGET =
      Message.builder("RetryBudget")
          .field("percent", DOUBLE)
          .field("minRetryConcurrency", UINT32)
          .field("budgetInterval", DURATION)
          .build();

  static final Message TRAFFIC_POLICY =
      Message.builder("TrafficPolicy")
          .field("loadBalancer", LOAD_BALANCER)
          .field("connectionPool", CONNECTION_POOL)
          .field("outlierDetection", OUTLIER_DETECTION)
          .field("tls", CLIENT_TLS)
          .field("portLevelSettings", new ListOf(PORT_TRAFFIC_POLICY))
          .field("tunnel", TUNNEL_SETTINGS)
          .field("proxyProtocol", PROXY_PROTOCOL)
          .field("retryBudget", RETRY_BUDGET)
          .build();

  static final Message SUBSET =
      Message.builder("Subset")
          .field("name", STRING)
          .field("labels", new MapOf(STRING))
          .field("trafficPolicy", TRAFFIC_POLICY)
          .build();

  static final Message DESTINATION_RULE =
      Message.builder("DestinationRule")
          .field("host", STRING)
          .field("trafficPolicy", TRAFFIC_POLICY)
          .list("subsets", SUBSET)
          .list("exportTo", STRING)
          .field("workloadSelector", WORKLOAD_SELECTOR)
          .build();
}
