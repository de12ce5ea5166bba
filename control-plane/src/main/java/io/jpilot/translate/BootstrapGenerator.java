package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.jpilot.model.ProxyView;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The bootstrap of a plain Envoy sidecar that gets everything else from jpilot over ADS: its node
 * (id, service cluster, istiod-style metadata), ADS on a static {@code xds-grpc} cluster (HTTP/2,
 * TLS when a CA is given), CDS and LDS from ADS, and an admin listener on localhost.
 */
public final class BootstrapGenerator {
  /** The static cluster the ADS stream uses, named as in istio-proxy's bootstrap. */
  public static final String XDS_CLUSTER = "xds-grpc";

  private static final Pattern IP_LITERAL =
      Pattern.compile(
          "((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])"
              + "|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  /**
   * @param proxy the proxy, parsed from its node id (and metadata)
   * @param xdsHost jpilot's address: an IP, or a DNS name such as istiod.istio-system.svc
   * @param xdsCaFile when present, ADS uses TLS and trusts this CA (PEM); the SNI is {@code
   *     xdsHost}
   * @param metadata extra string metadata (e.g. ISTIO_VERSION); NAMESPACE, INSTANCE_IPS and LABELS
   *     are filled from {@code proxy}
   */
  public record Request(
      ProxyView proxy,
      String xdsHost,
      int xdsPort,
      int adminPort,
      Optional<Path> xdsCaFile,
      Map<String, String> metadata) {
    public Request {
      requireNonNull(proxy, "proxy");
      requireNonNull(xdsHost, "xdsHost");
      if (xdsHost.isEmpty()) {
        throw new IllegalArgumentException("xdsHost: \"\" (expected: a host name or IP)");
      }
      if (xdsPort < 1 || xdsPort > 65535) {
        throw new IllegalArgumentException("xdsPort: " + xdsPort + " (expected: 1..65535)");
      }
      if (adminPort < 1 || adminPort > 65535) {
        throw new IllegalArgumentException("adminPort: " + adminPort + " (expected: 1..65535)");
      }
      requireNonNull(xdsCaFile, "xdsCaFile");
      metadata = Map.copyOf(metadata);
    }
  }

  private BootstrapGenerator() {}

  public static Bootstrap generate(Request request) {
    requireNonNull(request, "request");
    ProxyView proxy = request.proxy();
    ConfigSource ads =
        ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setInitialFetchTimeout(XdsProtos.ZERO)
            .setResourceApiVersion(ApiVersion.V3)
            .build();
    return Bootstrap.newBuilder()
        .setNode(node(proxy, request.metadata()))
        .setDynamicResources(
            Bootstrap.DynamicResources.newBuilder()
                .setAdsConfig(
                    ApiConfigSource.newBuilder()
                        .setApiType(ApiConfigSource.ApiType.GRPC)
                        .setTransportApiVersion(ApiVersion.V3)
                        .setSetNodeOnFirstMessageOnly(true)
                        .addGrpcServices(
                            GrpcService.newBuilder()
                                .setEnvoyGrpc(
                                    GrpcService.EnvoyGrpc.newBuilder()
                                        .setClusterName(XDS_CLUSTER))))
                .setCdsConfig(ads)
                .setLdsConfig(ads))
        .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(xdsCluster(request)))
        .setAdmin(
            Admin.newBuilder()
                .setAddress(XdsProtos.socketAddress("127.0.0.1", request.adminPort())))
        .build();
  }

  /**
   * istiod's service cluster: {@code <app label>.<namespace>}, else {@code
   * istio-proxy.<namespace>}.
   */
  static String serviceCluster(ProxyView proxy) {
    String app = proxy.labels().getOrDefault("app", "");
    return (app.isEmpty() ? "istio-proxy" : app) + "." + proxy.namespace();
  }

  private static Node node(ProxyView proxy, Map<String, String> extra) {
    TreeMap<String, Value> fields = new TreeMap<>();
    extra.forEach((k, v) -> fields.put(k, XdsProtos.string(v)));
    fields.put("NAMESPACE", XdsProtos.string(proxy.namespace()));
    if (!proxy.ips().isEmpty()) {
      fields.put("INSTANCE_IPS", XdsProtos.string(String.join(",", proxy.ips())));
    }
    if (!proxy.labels().isEmpty()) {
      Struct.Builder labels = Struct.newBuilder();
      new TreeMap<>(proxy.labels()).forEach((k, v) -> labels.putFields(k, XdsProtos.string(v)));
      fields.put("LABELS", Value.newBuilder().setStructValue(labels).build());
    }
    return Node.newBuilder()
        .setId(proxy.nodeId())
        .setCluster(serviceCluster(proxy))
        .setMetadata(Struct.newBuilder().putAllFields(fields))
        .build();
  }

  private static Cluster xdsCluster(Request request) {
    boolean ip = IP_LITERAL.matcher(request.xdsHost()).matches();
    Cluster.Builder c =
        Cluster.newBuilder()
            .setName(XDS_CLUSTER)
            .setType(ip ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
            .setConnectTimeout(XdsProtos.seconds(1))
            .putTypedExtensionProtocolOptions(
                "envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                XdsProtos.pack(
                    HttpProtocolOptions.newBuilder()
                        .setExplicitHttpConfig(
                            HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                                .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                        .build()))
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .setClusterName(XDS_CLUSTER)
                    .addEndpoints(
                        LocalityLbEndpoints.newBuilder()
                            .addLbEndpoints(
                                LbEndpoint.newBuilder()
                                    .setEndpoint(
                                        io.envoyproxy.envoy.config.endpoint.v3.Endpoint.newBuilder()
                                            .setAddress(
                                                XdsProtos.socketAddress(
                                                    request.xdsHost(), request.xdsPort()))))));
    if (!ip) {
      c.setDnsLookupFamily(Cluster.DnsLookupFamily.V4_ONLY);
    }
    request
        .xdsCaFile()
        .ifPresent(
            ca ->
                c.setTransportSocket(
                    TransportSocket.newBuilder()
                        .setName("envoy.transport_sockets.tls")
                        .setTypedConfig(
                            XdsProtos.pack(
                                UpstreamTlsContext.newBuilder()
                                    .setSni(request.xdsHost())
                                    .setCommonTlsContext(
                                        CommonTlsContext.newBuilder()
                                            .addAlpnProtocols("h2")
                                            .setValidationContext(
                                                CertificateValidationContext.newBuilder()
                                                    .setTrustedCa(
                                                        DataSource.newBuilder()
                                                            .setFilename(ca.toString()))))
                                    .build()))));
    return c.build();
  }
}
