package io.jpilot.translate;

import com.google.protobuf.Message;
import com.google.protobuf.UInt64Value;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.OutlierDetection;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.KeepaliveSettings;
import io.envoyproxy.envoy.config.core.v3.RuntimeDouble;
import io.envoyproxy.envoy.config.core.v3.TcpKeepalive;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig;
import io.envoyproxy.envoy.type.v3.Percent;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SortedMaps;
import io.jpilot.model.config.ClientTlsSettings;
import io.jpilot.model.config.ConnectionPoolSettings;
import io.jpilot.model.config.ConsistentHash;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.config.LoadBalancerSettings;
import io.jpilot.model.config.LocalityLbSetting;
import io.jpilot.model.config.RetryBudget;
import io.jpilot.model.config.TrafficPolicy;
import io.jpilot.model.config.Warmup;
import io.jpilot.model.registry.Endpoint;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Resolution;
import io.jpilot.model.registry.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Sidecar CDS (istiod's core/cluster.go, cluster_builder.go, cluster_traffic_policy.go): one
 * cluster per service port and per DestinationRule subset, typed by the service's resolution (EDS,
 * STRICT_DNS or LOGICAL_DNS with inline endpoints, ORIGINAL_DST), with the traffic policy applied:
 * connection pool (circuit breakers, timeouts, HTTP options, TCP keepalive), outlier detection,
 * load balancer (simple, ring hash, maglev, slow start, locality), and upstream TLS
 * (DestinationRule tls or auto-detected Istio mTLS). Plus istiod's BlackHoleCluster and
 * PassthroughCluster.
 */
final class ClusterTranslator {
  /** The mesh connectTimeout default. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** The mesh dnsRefreshRate default. */
  static final Duration DNS_REFRESH_RATE = Duration.ofSeconds(60);

  /** PILOT_DNS_JITTER_DURATION default. */
  static final Duration DNS_JITTER = Duration.ofMillis(100);

  /** PILOT_DNS_CARES_UDP_MAX_QUERIES default. */
  static final int CARES_UDP_MAX_QUERIES = 100;

  static final String CARES_RESOLVER = "envoy.network.dns_resolver.cares";

  private static final long MAX_THRESHOLD = 4294967295L;

  /** A cluster under construction and its HTTP protocol options (packed when built). */
  static final class Wrapper {
    final Cluster.Builder cluster;
    private io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.Builder http;

    Wrapper(Cluster.Builder cluster) {
      this.cluster = cluster;
    }

    io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.Builder http() {
      if (http == null) {
        http = io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder();
      }
      return http;
    }

    boolean hasHttp() {
      return http != null;
    }

    /** istiod's isHttp2Cluster: explicit HTTP/2 upstream options. */
    boolean isHttp2() {
      return http != null
          && http.hasExplicitHttpConfig()
          && http.getExplicitHttpConfig().hasHttp2ProtocolOptions();
    }

    /** setH2Options: explicit HTTP/2 unless an upstream protocol is already chosen. */
    void setH2() {
      if (!http().hasExplicitHttpConfig()
          && !http().hasUseDownstreamProtocolConfig()
          && !http().hasAutoConfig()) {
        http()
            .setExplicitHttpConfig(
                ExplicitHttpConfig.newBuilder()
                    .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()));
      }
    }

    /** setUseDownstreamProtocol, keeping explicit HTTP/1 options. */
    void setUseDownstreamProtocol() {
      Http1ProtocolOptions h1 =
          http().hasExplicitHttpConfig() && http().getExplicitHttpConfig().hasHttpProtocolOptions()
              ? http().getExplicitHttpConfig().getHttpProtocolOptions()
              : Http1ProtocolOptions.getDefaultInstance();
      http()
          .setUseDownstreamProtocolConfig(
              UseDownstreamHttpConfig.newBuilder()
                  .setHttpProtocolOptions(h1)
                  .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()));
    }

    Cluster build() {
      if (http != null) {
        if (!http.hasExplicitHttpConfig()
            && !http.hasUseDownstreamProtocolConfig()
            && !http.hasAutoConfig()) {
          http.setExplicitHttpConfig(
              ExplicitHttpConfig.newBuilder()
                  .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance()));
        }
        cluster.putTypedExtensionProtocolOptions(
            IstioNames.HTTP_PROTOCOL_OPTIONS, XdsProtos.pack(http.build()));
      }
      return cluster.build();
    }
  }

  /**
   * What the clusters of one generate call share, computed once per service or rule: the service
   * accounts, the {@code services} and {@code config} metadata values, the packed Istio mTLS
   * context without its SNI. Keyed by identity: one call sees one instance per service and rule.
   */
  static final class Shared {
    private final Map<Service, List<String>> serviceAccounts = new IdentityHashMap<>();
    private final Map<Service, Value> servicesMetadata = new IdentityHashMap<>();
    private final Map<DestinationRule, Value> ruleMetadata = new IdentityHashMap<>();
    final UpstreamTls.Memo tls = new UpstreamTls.Memo();

    List<String> serviceAccounts(MeshSnapshot snapshot, Service svc) {
      return serviceAccounts.computeIfAbsent(svc, s -> ClusterTranslator.serviceAccounts(snapshot, s));
    }
  }

  SortedMap<String, Message> sidecarClusters(MeshSnapshot snapshot, ProxyView proxy) {
    Shared shared = new Shared();
    // OutboundClusters.all is sorted by name, so the map is built from sorted entries
    List<Map.Entry<String, Message>> sorted = new ArrayList<>();
    for (OutboundCluster c : OutboundClusters.all(snapshot, proxy)) {
      outbound(c, snapshot, proxy, shared)
          .ifPresent(cluster -> sorted.add(Map.entry(c.name(), cluster)));
    }
    SortedMap<String, Message> out = SortedMaps.ofAscending(sorted);
    out.put(IstioNames.BLACK_HOLE_CLUSTER, BLACK_HOLE);
    out.put(IstioNames.PASSTHROUGH_CLUSTER, PASSTHROUGH);
    return out;
  }

  /**
   * One outbound cluster. Empty for a DNS cluster without endpoints (istiod builds none: its load
   * assignment would be empty).
   */
  Optional<Cluster> outbound(OutboundCluster c, MeshSnapshot snapshot, ProxyView proxy) {
    return outbound(c, snapshot, proxy, new Shared());
  }

  private Optional<Cluster> outbound(
      OutboundCluster c, MeshSnapshot snapshot, ProxyView proxy, Shared shared) {
    Cluster.DiscoveryType type = OutboundCluster.resolutionType(c.service(), c.router());
    List<LocalityLb.Group> dnsGroups = List.of();
    boolean subsetPassthrough =
        c.subset()
            .flatMap(s -> s.trafficPolicy())
            .map(p -> p.loadBalancer() == LoadBalancer.PASSTHROUGH)
            .orElse(false);
    if (subsetPassthrough) {
      type = Cluster.DiscoveryType.ORIGINAL_DST;
    }
    boolean dns =
        type == Cluster.DiscoveryType.STRICT_DNS || type == Cluster.DiscoveryType.LOGICAL_DNS;
    if (dns) {
      dnsGroups = EndpointTranslator.groups(c, EndpointTranslator.endpoints(snapshot, c));
      if (dnsGroups.isEmpty()) {
        return Optional.empty();
      }
    }
    Wrapper w = baseCluster(c, type, dnsGroups, proxy);
    applyTrafficPolicy(w, c, c.policy(), snapshot, proxy, dnsGroups, shared);
    if (w.cluster.getType() == Cluster.DiscoveryType.EDS) {
      w.cluster.setEdsClusterConfig(
          Cluster.EdsClusterConfig.newBuilder()
              .setEdsConfig(XdsProtos.adsSidecar())
              .setServiceName(c.name()));
    }
    w.cluster.setMetadata(metadata(c, shared));
    return Optional.of(w.build());
  }

  /** istiod's buildCluster: name, type, DNS settings, inline endpoints, upstream protocol. */
  private static Wrapper baseCluster(
      OutboundCluster c,
      Cluster.DiscoveryType type,
      List<LocalityLb.Group> dnsGroups,
      ProxyView proxy) {
    Cluster.Builder b =
        Cluster.newBuilder()
            .setName(c.name())
            .setType(type)
            .setCommonLbConfig(Cluster.CommonLbConfig.getDefaultInstance())
            .setAltStatName(c.name() + IstioNames.STAT_PREFIX_DELIMITER);
    if (type == Cluster.DiscoveryType.STRICT_DNS || type == Cluster.DiscoveryType.LOGICAL_DNS) {
      b.setDnsLookupFamily(dnsLookupFamily(proxy.ips()))
          .setTypedDnsResolverConfig(
              TypedExtensionConfig.newBuilder()
                  .setName(CARES_RESOLVER)
                  .setTypedConfig(
                      XdsProtos.pack(
                          CaresDnsResolverConfig.newBuilder()
                              .setUdpMaxQueries(XdsProtos.uint32(CARES_UDP_MAX_QUERIES))
                              .build())))
          .setDnsJitter(XdsProtos.duration(DNS_JITTER))
          .setDnsRefreshRate(XdsProtos.duration(DNS_REFRESH_RATE))
          .setRespectDnsTtl(true)
          .setLoadAssignment(
              ClusterLoadAssignment.newBuilder()
                  .setClusterName(c.name())
                  .addAllEndpoints(EndpointTranslator.localityLbEndpoints(dnsGroups)));
    } else if (type == Cluster.DiscoveryType.ORIGINAL_DST
        && c.service().registry() == Service.Registry.SERVICE_ENTRY
        && c.service().resolution() == Resolution.PASSTHROUGH
        && c.port().targetPort() != c.port().port()) {
      b.setOriginalDstLbConfig(
          Cluster.OriginalDstLbConfig.newBuilder()
              .setUpstreamPortOverride(XdsProtos.uint32(c.port().targetPort())));
    }
    Wrapper w = new Wrapper(b);
    Protocol protocol = c.port().protocol();
    if (protocol.isHttp2()) {
      w.setH2();
    } else if (!c.router() && protocol == Protocol.UNSUPPORTED) {
      // sniffed ports: the upstream protocol follows the downstream one
      w.setUseDownstreamProtocol();
    }
    return w;
  }

  /** istiod's SelectDNSLookupFamily (dual stack off): V6_ONLY only for IPv6-only proxies. */
  static Cluster.DnsLookupFamily dnsLookupFamily(List<String> proxyIps) {
    if (!proxyIps.isEmpty() && proxyIps.stream().allMatch(ip -> ip.contains(":"))) {
      return Cluster.DnsLookupFamily.V6_ONLY;
    }
    return Cluster.DnsLookupFamily.V4_ONLY;
  }

  /** istiod's applyTrafficPolicy for outbound clusters. */
  private static void applyTrafficPolicy(
      Wrapper w,
      OutboundCluster c,
      TrafficPolicy policy,
      MeshSnapshot snapshot,
      ProxyView proxy,
      List<LocalityLb.Group> dnsGroups,
      Shared shared) {
    ConnectionPoolSettings pool =
        policy
            .connectionPool()
            .orElse(new ConnectionPoolSettings(Optional.empty(), Optional.empty()));
    if (shouldH2Upgrade(c, pool)) {
      w.setH2();
    }
    applyConnectionPool(w, pool, policy.retryBudget());
    policy.outlierDetection().ifPresent(od -> applyOutlierDetection(w.cluster, od));
    applyLoadBalancer(w, c, policy, proxy, dnsGroups);
    List<String> serviceAccounts = shared.serviceAccounts(snapshot, c.service());
    String sni = "outbound_." + c.port().port() + "_." + c.key().subset() + "_." + c.key().host();
    UpstreamTls.settings(policy.tls(), serviceAccounts, sni, c.service().meshExternal())
        .ifPresent(
            s ->
                UpstreamTls.apply(
                    w,
                    s,
                    c.service(),
                    serviceAccounts,
                    !c.router(),
                    c.rule().map(r -> r.workloadSelector().isPresent()).orElse(false),
                    shared.tls));
    if (w.cluster.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
      w.cluster.setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
    }
  }

  /**
   * The identities behind a service: its declared ones (a ServiceEntry's subjectAltNames) and those
   * of its workloads, sorted.
   */
  static List<String> serviceAccounts(MeshSnapshot snapshot, Service svc) {
    TreeSet<String> out = new TreeSet<>(svc.serviceAccounts());
    for (Endpoint e : snapshot.endpoints(svc.hostname())) {
      if (!e.serviceAccount().isEmpty()) {
        out.add(e.serviceAccount());
      }
    }
    return List.copyOf(out);
  }

  /**
   * istiod's shouldH2Upgrade: the DestinationRule's h2UpgradePolicy decides (never with
   * useClientProtocol); otherwise the mesh default (DO_NOT_UPGRADE) keeps HTTP/1.
   */
  private static boolean shouldH2Upgrade(OutboundCluster c, ConnectionPoolSettings pool) {
    if (pool.http().isPresent()) {
      ConnectionPoolSettings.Http http = pool.http().get();
      if (http.useClientProtocol()) {
        return false;
      }
      return http.h2UpgradePolicy() == ConnectionPoolSettings.H2UpgradePolicy.UPGRADE;
    }
    return false;
  }

  /** istiod's applyConnectionPool. */
  static void applyConnectionPool(
      Wrapper w, ConnectionPoolSettings pool, Optional<RetryBudget> retryBudget) {
    CircuitBreakers.Thresholds.Builder threshold = defaultThresholds();
    retryBudget.ifPresent(
        rb ->
            threshold.setRetryBudget(
                CircuitBreakers.Thresholds.RetryBudget.newBuilder()
                    .setBudgetPercent(Percent.newBuilder().setValue(rb.percent().orElse(20.0)))
                    .setMinRetryConcurrency(
                        XdsProtos.uint32(
                            rb.minRetryConcurrency() > 0 ? rb.minRetryConcurrency() : 3))));
    Optional<Duration> idleTimeout = Optional.empty();
    int maxRequestsPerConnection = 0;
    int maxConcurrentStreams = 0;
    Optional<Duration> maxConnectionDuration = Optional.empty();
    Optional<ConnectionPoolSettings.ConnectionKeepalive> keepalive = Optional.empty();
    if (pool.http().isPresent()) {
      ConnectionPoolSettings.Http http = pool.http().get();
      if (http.http2MaxRequests() > 0) {
        threshold.setMaxRequests(XdsProtos.uint32(http.http2MaxRequests()));
      }
      if (http.http1MaxPendingRequests() > 0) {
        threshold.setMaxPendingRequests(XdsProtos.uint32(http.http1MaxPendingRequests()));
      }
      if (http.maxRetries() > 0) {
        threshold.setMaxRetries(XdsProtos.uint32(http.maxRetries()));
      }
      idleTimeout = http.idleTimeout();
      maxRequestsPerConnection = http.maxRequestsPerConnection();
      maxConcurrentStreams = http.maxConcurrentStreams();
      keepalive = http.http2KeepAlive();
    }
    w.cluster.setConnectTimeout(XdsProtos.duration(CONNECT_TIMEOUT));
    if (pool.tcp().isPresent()) {
      ConnectionPoolSettings.Tcp tcp = pool.tcp().get();
      tcp.connectTimeout().ifPresent(d -> w.cluster.setConnectTimeout(XdsProtos.duration(d)));
      if (tcp.maxConnections() > 0) {
        threshold.setMaxConnections(XdsProtos.uint32(tcp.maxConnections()));
      }
      maxConnectionDuration = tcp.maxConnectionDuration();
      if (idleTimeout.isEmpty()) {
        idleTimeout = tcp.idleTimeout();
      }
      tcp.tcpKeepalive().ifPresent(ka -> applyTcpKeepalive(w.cluster, ka));
    }
    w.cluster.setCircuitBreakers(CircuitBreakers.newBuilder().addThresholds(threshold));
    if (maxConnectionDuration.isPresent()
        || idleTimeout.isPresent()
        || maxRequestsPerConnection > 0
        || maxConcurrentStreams > 0
        || keepalive.isPresent()) {
      HttpProtocolOptions.Builder common = w.http().getCommonHttpProtocolOptionsBuilder();
      idleTimeout.ifPresent(d -> common.setIdleTimeout(XdsProtos.duration(d)));
      if (maxRequestsPerConnection > 0) {
        common.setMaxRequestsPerConnection(XdsProtos.uint32(maxRequestsPerConnection));
      }
      maxConnectionDuration.ifPresent(d -> common.setMaxConnectionDuration(XdsProtos.duration(d)));
      if (w.isHttp2()) {
        Http2ProtocolOptions.Builder h2 =
            w.http().getExplicitHttpConfigBuilder().getHttp2ProtocolOptionsBuilder();
        if (maxConcurrentStreams > 0) {
          h2.setMaxConcurrentStreams(XdsProtos.uint32(maxConcurrentStreams));
        }
        keepalive.ifPresent(
            ka -> {
              KeepaliveSettings.Builder k = KeepaliveSettings.newBuilder();
              ka.interval().ifPresent(d -> k.setInterval(XdsProtos.duration(d)));
              ka.timeout().ifPresent(d -> k.setTimeout(XdsProtos.duration(d)));
              h2.setConnectionKeepalive(k);
            });
      }
    }
    if (pool.http().map(ConnectionPoolSettings.Http::useClientProtocol).orElse(false)) {
      w.setUseDownstreamProtocol();
    }
  }

  /** {@code upstream_connection_options.tcp_keepalive}: probes, time and interval in seconds. */
  private static void applyTcpKeepalive(
      Cluster.Builder c, ConnectionPoolSettings.TcpKeepalive keepalive) {
    TcpKeepalive.Builder k = c.getUpstreamConnectionOptionsBuilder().getTcpKeepaliveBuilder();
    if (keepalive.probes() > 0) {
      k.setKeepaliveProbes(XdsProtos.uint32(keepalive.probes()));
    }
    keepalive.time().ifPresent(d -> k.setKeepaliveTime(XdsProtos.uint32(d.getSeconds())));
    keepalive.interval().ifPresent(d -> k.setKeepaliveInterval(XdsProtos.uint32(d.getSeconds())));
  }

  /**
   * istiod's applyOutlierDetection: success-rate ejection off, the consecutive-error counters with
   * enforcement 100% when above 0, and a healthy panic threshold of minHealthPercent (0 by default,
   * which turns panic mode off).
   */
  static void applyOutlierDetection(
      Cluster.Builder c, io.jpilot.model.config.OutlierDetection outlier) {
    OutlierDetection.Builder out =
        OutlierDetection.newBuilder().setEnforcingSuccessRate(XdsProtos.uint32(0));
    outlier
        .consecutive5xxErrors()
        .ifPresent(
            v ->
                out.setConsecutive5Xx(XdsProtos.uint32(v))
                    .setEnforcingConsecutive5Xx(XdsProtos.uint32(v > 0 ? 100 : 0)));
    outlier
        .consecutiveGatewayErrors()
        .ifPresent(
            v ->
                out.setConsecutiveGatewayFailure(XdsProtos.uint32(v))
                    .setEnforcingConsecutiveGatewayFailure(XdsProtos.uint32(v > 0 ? 100 : 0)));
    outlier.interval().ifPresent(d -> out.setInterval(XdsProtos.duration(d)));
    outlier.baseEjectionTime().ifPresent(d -> out.setBaseEjectionTime(XdsProtos.duration(d)));
    if (outlier.maxEjectionPercent() > 0) {
      out.setMaxEjectionPercent(XdsProtos.uint32(outlier.maxEjectionPercent()));
    }
    if (outlier.splitExternalLocalOriginErrors()) {
      out.setSplitExternalLocalOriginErrors(true);
      int local = outlier.consecutiveLocalOriginFailures().orElse(0);
      if (local > 0) {
        out.setConsecutiveLocalOriginFailure(XdsProtos.uint32(local))
            .setEnforcingConsecutiveLocalOriginFailure(XdsProtos.uint32(100));
      }
      out.setEnforcingLocalOriginSuccessRate(XdsProtos.uint32(0));
    }
    c.setOutlierDetection(out);
    if (outlier.minHealthPercent() >= 0) {
      c.getCommonLbConfigBuilder()
          .setHealthyPanicThreshold(Percent.newBuilder().setValue(outlier.minHealthPercent()));
    }
  }

  /** istiod's applyLoadBalancer for sidecars. */
  private static void applyLoadBalancer(
      Wrapper w,
      OutboundCluster c,
      TrafficPolicy policy,
      ProxyView proxy,
      List<LocalityLb.Group> dnsGroups) {
    Cluster.Builder b = w.cluster;
    Optional<LoadBalancerSettings> lb = policy.loadBalancerSettings();
    Optional<LocalityLbSetting> locality = LocalityLb.effective(policy);
    boolean outlier = b.hasOutlierDetection();
    if (LocalityLb.weightedLbConfig(locality, outlier)) {
      b.getCommonLbConfigBuilder()
          .setLocalityWeightedLbConfig(
              Cluster.CommonLbConfig.LocalityWeightedLbConfig.getDefaultInstance());
    }
    if (b.hasLoadAssignment() && locality.isPresent() && !dnsGroups.isEmpty()) {
      List<LocalityLb.Group> groups =
          LocalityLb.apply(
              copy(dnsGroups), proxy.locality(), proxy.labels(), locality.get(), outlier);
      b.getLoadAssignmentBuilder().clearEndpoints();
      groups.forEach(g -> b.getLoadAssignmentBuilder().addEndpoints(g.proto));
    }
    if (b.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
      b.setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
      return;
    }
    LoadBalancer simple = lb.map(LoadBalancerSettings::simple).orElse(LoadBalancer.UNSPECIFIED);
    switch (simple) {
      case LEAST_CONN:
      case LEAST_REQUEST:
        leastRequest(b, lb);
        break;
      case RANDOM:
        b.setLbPolicy(Cluster.LbPolicy.RANDOM);
        break;
      case ROUND_ROBIN:
        roundRobin(b, lb);
        break;
      case PASSTHROUGH:
        b.setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
            .setType(Cluster.DiscoveryType.ORIGINAL_DST)
            .clearLoadAssignment();
        break;
      case UNSPECIFIED:
      default:
        leastRequest(b, lb); // defaultLBAlgorithm
        break;
    }
    lb.flatMap(LoadBalancerSettings::consistentHash).ifPresent(h -> applyRingHash(b, h));
  }

  private static List<LocalityLb.Group> copy(List<LocalityLb.Group> groups) {
    return groups.stream()
        .map(g -> new LocalityLb.Group(g.proto.clone(), g.endpoints))
        .collect(java.util.stream.Collectors.toList());
  }

  private static void leastRequest(Cluster.Builder b, Optional<LoadBalancerSettings> lb) {
    b.setLbPolicy(Cluster.LbPolicy.LEAST_REQUEST);
    slowStart(lb)
        .ifPresent(
            s ->
                b.setLeastRequestLbConfig(
                    Cluster.LeastRequestLbConfig.newBuilder().setSlowStartConfig(s)));
  }

  private static void roundRobin(Cluster.Builder b, Optional<LoadBalancerSettings> lb) {
    b.setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN);
    slowStart(lb)
        .ifPresent(
            s ->
                b.setRoundRobinLbConfig(
                    Cluster.RoundRobinLbConfig.newBuilder().setSlowStartConfig(s)));
  }

  /**
   * {@code warmup}: window, aggression (default 1.0, runtime key {@code "("} as istiod sets it) and
   * minimum weight percent (default 10); the deprecated {@code warmupDurationSecs} sets only the
   * window.
   */
  static Optional<Cluster.SlowStartConfig> slowStart(Optional<LoadBalancerSettings> lb) {
    if (lb.isEmpty()) {
      return Optional.empty();
    }
    if (lb.get().warmup().isPresent()) {
      Warmup w = lb.get().warmup().get();
      return Optional.of(
          Cluster.SlowStartConfig.newBuilder()
              .setSlowStartWindow(XdsProtos.duration(w.duration()))
              .setAggression(
                  RuntimeDouble.newBuilder()
                      .setDefaultValue(w.aggression().orElse(1.0))
                      .setRuntimeKey("("))
              .setMinWeightPercent(Percent.newBuilder().setValue(w.minimumPercent().orElse(10.0)))
              .build());
    }
    return lb.get()
        .warmupDurationSecs()
        .map(
            d ->
                Cluster.SlowStartConfig.newBuilder()
                    .setSlowStartWindow(XdsProtos.duration(d))
                    .build());
  }

  /**
   * istiod's ApplyRingHashLoadBalancer: maglev (with its table size when set), ring hash (with its
   * minimum ring size when set), else ring hash with the deprecated minimumRingSize or 1024.
   */
  static void applyRingHash(Cluster.Builder b, ConsistentHash hash) {
    switch (hash.algorithm()) {
      case MAGLEV:
        b.setLbPolicy(Cluster.LbPolicy.MAGLEV);
        if (hash.tableSize() != 0) {
          b.setMaglevLbConfig(
              Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(hash.tableSize())));
        }
        break;
      case RING_HASH:
        b.setLbPolicy(Cluster.LbPolicy.RING_HASH);
        if (hash.minimumRingSize() != 0) {
          b.setRingHashLbConfig(
              Cluster.RingHashLbConfig.newBuilder()
                  .setMinimumRingSize(UInt64Value.of(hash.minimumRingSize())));
        }
        break;
      case UNSET:
      default:
        long size = hash.deprecatedMinimumRingSize() != 0 ? hash.deprecatedMinimumRingSize() : 1024;
        b.setLbPolicy(Cluster.LbPolicy.RING_HASH)
            .setRingHashLbConfig(
                Cluster.RingHashLbConfig.newBuilder().setMinimumRingSize(UInt64Value.of(size)));
        break;
    }
  }

  /** istiod's applyLoadBalancer for sidecars when only the simple policy is known. */
  static Cluster.LbPolicy sidecarLbPolicy(LoadBalancer lb) {
    switch (lb) {
      case ROUND_ROBIN:
        return Cluster.LbPolicy.ROUND_ROBIN;
      case RANDOM:
        return Cluster.LbPolicy.RANDOM;
      case PASSTHROUGH:
        return Cluster.LbPolicy.CLUSTER_PROVIDED;
      case LEAST_CONN:
      case LEAST_REQUEST:
      case UNSPECIFIED:
      default:
        return Cluster.LbPolicy.LEAST_REQUEST;
    }
  }

  private static CircuitBreakers.Thresholds.Builder defaultThresholds() {
    return CircuitBreakers.Thresholds.newBuilder()
        .setMaxConnections(XdsProtos.uint32(MAX_THRESHOLD))
        .setMaxPendingRequests(XdsProtos.uint32(MAX_THRESHOLD))
        .setMaxRequests(XdsProtos.uint32(MAX_THRESHOLD))
        .setMaxRetries(XdsProtos.uint32(MAX_THRESHOLD))
        .setTrackRemaining(true);
  }

  /** The thresholds an empty ConnectionPoolSettings yields: everything at max, tracked. */
  static CircuitBreakers defaultCircuitBreakers() {
    return CircuitBreakers.newBuilder().addThresholds(defaultThresholds()).build();
  }

  /**
   * {@code filter_metadata.istio}: alpn_override (SIMPLE/MUTUAL rules), config (the
   * DestinationRule), external (default clusters of MESH_EXTERNAL services), services and subset.
   */
  private static io.envoyproxy.envoy.config.core.v3.Metadata metadata(
      OutboundCluster c, Shared shared) {
    SortedMap<String, Value> fields = new TreeMap<>();
    c.rule()
        .ifPresent(
            dr -> {
              fields.put(
                  "config",
                  shared.ruleMetadata.computeIfAbsent(
                      dr,
                      r ->
                          XdsProtos.string(
                              IstioNames.configPath(
                                  "destination-rule", r.meta().namespace(), r.meta().name()))));
              Optional<ClientTlsSettings.Mode> mode = c.policy().tls().map(ClientTlsSettings::mode);
              if (mode.isPresent()
                  && (mode.get() == ClientTlsSettings.Mode.SIMPLE
                      || mode.get() == ClientTlsSettings.Mode.MUTUAL)) {
                fields.put("alpn_override", XdsProtos.string("false"));
              }
            });
    if (c.service().meshExternal() && c.subset().isEmpty()) {
      fields.put("external", Value.newBuilder().setBoolValue(true).build());
    }
    fields.put(
        "services",
        shared.servicesMetadata.computeIfAbsent(
            c.service(),
            svc -> {
              SortedMap<String, String> svcInfo = new TreeMap<>();
              svcInfo.put("host", svc.hostname());
              svcInfo.put("name", svc.name());
              svcInfo.put("namespace", svc.namespace());
              return XdsProtos.listOfStructs(List.of(svcInfo));
            }));
    c.subset().ifPresent(s -> fields.put("subset", XdsProtos.string(s.name())));
    return XdsProtos.istioMetadata(fields);
  }

  private static final Cluster BLACK_HOLE = buildBlackHole();
  private static final Cluster PASSTHROUGH = buildPassthrough();

  static Cluster blackHole() {
    return BLACK_HOLE;
  }

  static Cluster passthrough() {
    return PASSTHROUGH;
  }

  private static Cluster buildBlackHole() {
    return Cluster.newBuilder()
        .setName(IstioNames.BLACK_HOLE_CLUSTER)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(XdsProtos.duration(CONNECT_TIMEOUT))
        .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
        .setAltStatName(IstioNames.BLACK_HOLE_CLUSTER + IstioNames.STAT_PREFIX_DELIMITER)
        .build();
  }

  private static Cluster buildPassthrough() {
    return Cluster.newBuilder()
        .setName(IstioNames.PASSTHROUGH_CLUSTER)
        .setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setConnectTimeout(XdsProtos.duration(CONNECT_TIMEOUT))
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
        .setCircuitBreakers(defaultCircuitBreakers())
        .setAltStatName(IstioNames.PASSTHROUGH_CLUSTER + IstioNames.STAT_PREFIX_DELIMITER)
        .putTypedExtensionProtocolOptions(
            IstioNames.HTTP_PROTOCOL_OPTIONS,
            XdsProtos.pack(
                io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                    .setCommonHttpProtocolOptions(
                        HttpProtocolOptions.newBuilder().setIdleTimeout(XdsProtos.seconds(300)))
                    .setUseDownstreamProtocolConfig(
                        UseDownstreamHttpConfig.newBuilder()
                            .setHttpProtocolOptions(Http1ProtocolOptions.getDefaultInstance())
                            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                    .build()))
        .build();
  }
}
