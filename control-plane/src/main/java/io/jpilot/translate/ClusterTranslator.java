package io.jpilot.translate;

import com.google.protobuf.Message;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Http1ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.UseDownstreamHttpConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.LoadBalancer;
import io.jpilot.model.registry.Service;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Sidecar CDS: one EDS cluster per service port and per DestinationRule subset, plus istiod's
 * BlackHoleCluster and PassthroughCluster (core/cluster_builder.go).
 */
final class ClusterTranslator {
  /** The mesh connectTimeout default. */
  static final java.time.Duration CONNECT_TIMEOUT = java.time.Duration.ofSeconds(10);

  private static final long MAX_THRESHOLD = 4294967295L;

  SortedMap<String, Message> sidecarClusters(MeshSnapshot snapshot, ProxyView proxy) {
    SortedMap<String, Message> out = new TreeMap<>();
    for (OutboundCluster c : OutboundClusters.all(snapshot, proxy)) {
      out.put(c.name(), outbound(c));
    }
    out.put(IstioNames.BLACK_HOLE_CLUSTER, blackHole());
    out.put(IstioNames.PASSTHROUGH_CLUSTER, passthrough());
    return out;
  }

  Cluster outbound(OutboundCluster c) {
    Cluster.Builder b =
        Cluster.newBuilder()
            .setName(c.name())
            .setConnectTimeout(XdsProtos.duration(CONNECT_TIMEOUT))
            .setCircuitBreakers(defaultCircuitBreakers())
            .setCommonLbConfig(Cluster.CommonLbConfig.getDefaultInstance())
            .setAltStatName(c.name() + IstioNames.STAT_PREFIX_DELIMITER)
            .setMetadata(metadata(c));
    LoadBalancer lb = c.policy().loadBalancer();
    if (c.headless() || lb == LoadBalancer.PASSTHROUGH) {
      b.setType(Cluster.DiscoveryType.ORIGINAL_DST).setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED);
    } else {
      b.setType(Cluster.DiscoveryType.EDS)
          .setEdsClusterConfig(
              Cluster.EdsClusterConfig.newBuilder()
                  .setEdsConfig(XdsProtos.adsSidecar())
                  .setServiceName(c.name()))
          .setLbPolicy(sidecarLbPolicy(lb));
    }
    if (c.port().protocol().isHttp2()) {
      b.putTypedExtensionProtocolOptions(
          IstioNames.HTTP_PROTOCOL_OPTIONS,
          XdsProtos.pack(
              io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.newBuilder()
                  .setExplicitHttpConfig(
                      ExplicitHttpConfig.newBuilder()
                          .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                  .build()));
    }
    return b.build();
  }

  /** istiod's applyLoadBalancer for sidecars: unset means LEAST_REQUEST. */
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

  /** The thresholds an empty ConnectionPoolSettings yields: everything at max, tracked. */
  static CircuitBreakers defaultCircuitBreakers() {
    return CircuitBreakers.newBuilder()
        .addThresholds(
            CircuitBreakers.Thresholds.newBuilder()
                .setMaxConnections(XdsProtos.uint32(MAX_THRESHOLD))
                .setMaxPendingRequests(XdsProtos.uint32(MAX_THRESHOLD))
                .setMaxRequests(XdsProtos.uint32(MAX_THRESHOLD))
                .setMaxRetries(XdsProtos.uint32(MAX_THRESHOLD))
                .setTrackRemaining(true))
        .build();
  }

  /** istio.config (the DestinationRule), istio.services and istio.subset, keys sorted. */
  private static io.envoyproxy.envoy.config.core.v3.Metadata metadata(OutboundCluster c) {
    SortedMap<String, Value> fields = new TreeMap<>();
    c.rule()
        .ifPresent(
            dr ->
                fields.put(
                    "config",
                    XdsProtos.string(
                        IstioNames.configPath(
                            "destination-rule", dr.meta().namespace(), dr.meta().name()))));
    Service svc = c.service();
    SortedMap<String, String> svcInfo = new TreeMap<>();
    svcInfo.put("host", svc.hostname());
    svcInfo.put("name", svc.name());
    svcInfo.put("namespace", svc.namespace());
    fields.put("services", XdsProtos.listOfStructs(List.of(svcInfo)));
    c.subset().ifPresent(s -> fields.put("subset", XdsProtos.string(s.name())));
    return XdsProtos.istioMetadata(fields);
  }

  static Cluster blackHole() {
    return Cluster.newBuilder()
        .setName(IstioNames.BLACK_HOLE_CLUSTER)
        .setType(Cluster.DiscoveryType.STATIC)
        .setConnectTimeout(XdsProtos.duration(CONNECT_TIMEOUT))
        .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN)
        .setAltStatName(IstioNames.BLACK_HOLE_CLUSTER + IstioNames.STAT_PREFIX_DELIMITER)
        .build();
  }

  static Cluster passthrough() {
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
