package io.jpilot.translate;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.core.v3.UpstreamHttpProtocolOptions;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateProviderPluginInstance;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.jpilot.model.config.ClientTlsSettings;
import io.jpilot.model.registry.Service;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Upstream TLS of outbound clusters (istiod's core/cluster_tls.go): the TLS mode a cluster uses
 * (DestinationRule tls, or Istio mTLS detected automatically for in-mesh services), and the
 * UpstreamTlsContext for it, with certificates over SDS.
 */
final class UpstreamTls {
  static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
  static final String RAW_BUFFER_TRANSPORT_SOCKET = "envoy.transport_sockets.raw_buffer";

  /** The istio-agent SDS cluster from the bootstrap. */
  static final String SDS_CLUSTER = "sds-grpc";

  static final String SDS_DEFAULT = "default";
  static final String SDS_ROOT = "ROOTCA";
  static final String KUBERNETES_SECRET_PREFIX = "kubernetes://";
  static final String CA_SUFFIX = "-cacert";
  static final List<String> ALPN_IN_MESH = List.of("istio-peer-exchange", "istio");
  static final List<String> ALPN_IN_MESH_H2 = List.of("istio-peer-exchange", "istio", "h2");
  static final List<String> ALPN_H2 = List.of("h2");

  private static final SdsSecretConfig SDS_DEFAULT_CONFIG = agentSds(SDS_DEFAULT);
  private static final SdsSecretConfig SDS_ROOT_CONFIG = agentSds(SDS_ROOT);
  private static final TransportSocket RAW_BUFFER =
      TransportSocket.newBuilder()
          .setName(RAW_BUFFER_TRANSPORT_SOCKET)
          .setTypedConfig(XdsProtos.pack(RawBuffer.getDefaultInstance()))
          .build();
  private static final Struct TLS_MODE_ISTIO =
      Struct.newBuilder().putFields("tlsMode", XdsProtos.string("istio")).build();
  private static final TlsParameters CLIENT_TLS_PARAMS =
      TlsParameters.newBuilder()
          .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_2)
          .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3)
          .build();

  private static final String UPSTREAM_TLS_CONTEXT_TYPE_URL =
      XdsProtos.pack(UpstreamTlsContext.getDefaultInstance()).getTypeUrl();

  private UpstreamTls() {}

  /** The TLS settings a cluster ends up with, and whether Istio mTLS was auto-detected. */
  record Settings(ClientTlsSettings tls, boolean autoDetected) {}

  /**
   * istiod's buildUpstreamTLSSettings with auto mTLS on (the mesh default) and no
   * PeerAuthentication: a DestinationRule's ISTIO_MUTUAL gets the default SNI and the service's
   * identities as SANs; no tls on an in-mesh service means auto-detected ISTIO_MUTUAL.
   */
  static Optional<Settings> settings(
      Optional<ClientTlsSettings> tls, List<String> serviceAccounts, String sni, boolean external) {
    if (tls.isPresent()) {
      ClientTlsSettings t = tls.get();
      if (t.mode() != ClientTlsSettings.Mode.ISTIO_MUTUAL) {
        return Optional.of(new Settings(t, false));
      }
      return Optional.of(
          new Settings(
              istioMutual(
                  t.subjectAltNames().isEmpty() ? serviceAccounts : t.subjectAltNames(),
                  t.sni().isEmpty() ? sni : t.sni(),
                  t.insecureSkipVerify()),
              false));
    }
    if (external) {
      return Optional.empty();
    }
    return Optional.of(new Settings(istioMutual(serviceAccounts, sni, false), true));
  }

  private static ClientTlsSettings istioMutual(List<String> sans, String sni, boolean skip) {
    return new ClientTlsSettings(
        ClientTlsSettings.Mode.ISTIO_MUTUAL, "", "", "", "", sans, sni, skip, "");
  }

  /**
   * istiod's applyUpstreamTLSSettings: sets the transport socket, or for auto-detected mTLS the
   * transport socket matches {@code tlsMode-istio} (endpoints labelled {@code tlsMode: istio}) and
   * {@code tlsMode-disabled} (plain text); not for ORIGINAL_DST clusters.
   */
  static void apply(
      ClusterTranslator.Wrapper w,
      Settings settings,
      Service service,
      List<String> serviceAccounts,
      boolean sidecar,
      boolean ruleWithSelector) {
    apply(w, settings, service, serviceAccounts, sidecar, ruleWithSelector, new Memo());
  }

  /**
   * The serialized Istio mTLS context without its SNI, per (SANs, HTTP/2): the clusters of one
   * service share it. For one generate call (not thread-safe).
   */
  static final class Memo {
    private final Map<List<Object>, ByteString> istioMutual = new HashMap<>();
  }

  /** {@link #apply} sharing the Istio mTLS context through {@code memo}. */
  static void apply(
      ClusterTranslator.Wrapper w,
      Settings settings,
      Service service,
      List<String> serviceAccounts,
      boolean sidecar,
      boolean ruleWithSelector,
      Memo memo) {
    if (settings.tls().mode() == ClientTlsSettings.Mode.ISTIO_MUTUAL) {
      w.cluster.setTransportSocket(istioMutualSocket(w, settings.tls(), memo));
    } else {
      context(w, settings.tls(), service, serviceAccounts, sidecar, ruleWithSelector)
          .ifPresent(c -> w.cluster.setTransportSocket(tlsSocket(c)));
    }
    boolean auto =
        settings.autoDetected() && settings.tls().mode() == ClientTlsSettings.Mode.ISTIO_MUTUAL;
    if (auto && w.cluster.getType() != Cluster.DiscoveryType.ORIGINAL_DST) {
      TransportSocket socket = w.cluster.getTransportSocket();
      w.cluster.clearTransportSocket();
      w.cluster.addTransportSocketMatches(
          Cluster.TransportSocketMatch.newBuilder()
              .setName("tlsMode-istio")
              .setMatch(TLS_MODE_ISTIO)
              .setTransportSocket(socket));
      w.cluster.addTransportSocketMatches(
          Cluster.TransportSocketMatch.newBuilder()
              .setName("tlsMode-disabled")
              .setMatch(Struct.getDefaultInstance())
              .setTransportSocket(rawBuffer()));
    }
  }

  static TransportSocket tlsSocket(UpstreamTlsContext ctx) {
    return TransportSocket.newBuilder()
        .setName(TLS_TRANSPORT_SOCKET)
        .setTypedConfig(XdsProtos.pack(ctx))
        .build();
  }

  static TransportSocket rawBuffer() {
    return RAW_BUFFER;
  }

  /** istiod's buildUpstreamClusterTLSContext. */
  static Optional<UpstreamTlsContext> context(
      ClusterTranslator.Wrapper w,
      ClientTlsSettings tls,
      Service service,
      List<String> serviceAccounts,
      boolean sidecar,
      boolean ruleWithSelector) {
    boolean simpleOrMutual =
        tls.mode() == ClientTlsSettings.Mode.SIMPLE || tls.mode() == ClientTlsSettings.Mode.MUTUAL;
    // credentialName is honoured on sidecars only for rules with a workload selector
    if (!tls.credentialName().isEmpty()
        && !tls.credentialName().startsWith("configmap://")
        && sidecar
        && !ruleWithSelector
        && simpleOrMutual) {
      return Optional.empty();
    }
    switch (tls.mode()) {
      case ISTIO_MUTUAL:
        return Optional.of(istioMutualContext(w, tls));
      case SIMPLE:
      case MUTUAL:
        return Optional.of(userContext(w, tls, service, serviceAccounts));
      case DISABLE:
      default:
        return Optional.empty();
    }
  }

  private static UpstreamTlsContext istioMutualContext(
      ClusterTranslator.Wrapper w, ClientTlsSettings tls) {
    return UpstreamTlsContext.newBuilder()
        .setCommonTlsContext(istioMutualCommon(tls.subjectAltNames(), w.isHttp2()))
        .setSni(istioMutualSni(w, tls))
        .build();
  }

  private static CommonTlsContext.Builder istioMutualCommon(List<String> sans, boolean h2) {
    return defaultCommon()
        .addTlsCertificateSdsSecretConfigs(sds(SDS_DEFAULT))
        .setCombinedValidationContext(
            CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(
                    CertificateValidationContext.newBuilder()
                        .addAllMatchSubjectAltNames(exact(sans)))
                .setValidationContextSdsSecretConfig(sds(SDS_ROOT)))
        .addAllAlpnProtocols(h2 ? ALPN_IN_MESH_H2 : ALPN_IN_MESH);
  }

  private static String istioMutualSni(ClusterTranslator.Wrapper w, ClientTlsSettings tls) {
    return tls.sni().isEmpty() ? w.cluster.getName() : tls.sni();
  }

  /**
   * The transport socket of {@link #istioMutualContext}, packed without re-serializing the shared
   * part: an UpstreamTlsContext serializes as its common_tls_context (field 1) followed by its sni
   * (field 2), so the bytes of the two halves, concatenated, are those of the whole.
   */
  static TransportSocket istioMutualSocket(
      ClusterTranslator.Wrapper w, ClientTlsSettings tls, Memo memo) {
    boolean h2 = w.isHttp2();
    ByteString common =
        memo.istioMutual.computeIfAbsent(
            List.of(tls.subjectAltNames(), h2),
            k ->
                UpstreamTlsContext.newBuilder()
                    .setCommonTlsContext(istioMutualCommon(tls.subjectAltNames(), h2))
                    .build()
                    .toByteString());
    ByteString sni =
        UpstreamTlsContext.newBuilder().setSni(istioMutualSni(w, tls)).build().toByteString();
    return TransportSocket.newBuilder()
        .setName(TLS_TRANSPORT_SOCKET)
        .setTypedConfig(
            Any.newBuilder().setTypeUrl(UPSTREAM_TLS_CONTEXT_TYPE_URL).setValue(common.concat(sni)))
        .build();
  }

  /** istiod's constructUpstreamTLS (SIMPLE and MUTUAL). */
  private static UpstreamTlsContext userContext(
      ClusterTranslator.Wrapper w,
      ClientTlsSettings tls,
      Service service,
      List<String> serviceAccounts) {
    boolean mutual = tls.mode() == ClientTlsSettings.Mode.MUTUAL;
    CommonTlsContext.Builder common = defaultCommon();
    // auto_sni without an SNI; auto_san_validation when there are also no SANs to check
    boolean autoSni = tls.sni().isEmpty();
    boolean autoSan = autoSni && tls.subjectAltNames().isEmpty() && !tls.insecureSkipVerify();
    if (autoSni || autoSan) {
      UpstreamHttpProtocolOptions.Builder u = w.http().getUpstreamHttpProtocolOptionsBuilder();
      if (autoSni) {
        u.setAutoSni(true);
      }
      if (autoSan) {
        u.setAutoSanValidation(true);
      }
    }
    List<String> sans = tls.subjectAltNames();
    if (service.registry() == Service.Registry.SERVICE_ENTRY && sans.isEmpty()) {
      sans = serviceAccounts;
    }
    if (!tls.credentialName().isEmpty()) {
      if (mutual) {
        common.addTlsCertificateSdsSecretConfigs(credentialSds(tls.credentialName()));
      }
      if (!tls.insecureSkipVerify()) {
        common.setCombinedValidationContext(
            CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(
                    CertificateValidationContext.newBuilder()
                        .addAllMatchSubjectAltNames(exact(sans)))
                .setValidationContextSdsSecretConfig(
                    credentialSds(tls.credentialName() + CA_SUFFIX)));
      }
    } else {
      String ca = tls.caCertificates().isEmpty() ? "system" : tls.caCertificates();
      if (mutual) {
        common.addTlsCertificateSdsSecretConfigs(
            fileSds("file-cert:" + tls.clientCertificate() + "~" + tls.privateKey()));
      }
      if (tls.insecureSkipVerify()) {
        common.setValidationContext(CertificateValidationContext.getDefaultInstance());
      } else {
        CertificateValidationContext.Builder validation =
            CertificateValidationContext.newBuilder().addAllMatchSubjectAltNames(exact(sans));
        if (!tls.caCrl().isEmpty()) {
          validation.setCrl(DataSource.newBuilder().setFilename(tls.caCrl()));
        }
        common.setCombinedValidationContext(
            CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                .setDefaultValidationContext(validation)
                .setValidationContextSdsSecretConfig(fileSds("file-root:" + ca)));
      }
    }
    if (w.isHttp2()) {
      common.addAllAlpnProtocols(ALPN_H2);
    }
    return UpstreamTlsContext.newBuilder().setCommonTlsContext(common).setSni(tls.sni()).build();
  }

  /** TLS 1.2 to 1.3, istiod's client defaults. */
  static CommonTlsContext.Builder defaultCommon() {
    return CommonTlsContext.newBuilder().setTlsParams(CLIENT_TLS_PARAMS);
  }

  /** {@code default} or {@code ROOTCA} from the agent's {@code sds-grpc} (no fetch timeout). */
  static SdsSecretConfig sds(String name) {
    if (name.equals(SDS_DEFAULT)) {
      return SDS_DEFAULT_CONFIG;
    }
    return name.equals(SDS_ROOT) ? SDS_ROOT_CONFIG : agentSds(name);
  }

  private static SdsSecretConfig agentSds(String name) {
    return SdsSecretConfig.newBuilder()
        .setName(name)
        .setSdsConfig(agentSdsSource().setInitialFetchTimeout(XdsProtos.ZERO))
        .build();
  }

  /** {@code file-cert:...} and {@code file-root:...}: files the agent serves over SDS. */
  static SdsSecretConfig fileSds(String name) {
    return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(agentSdsSource()).build();
  }

  private static ConfigSource.Builder agentSdsSource() {
    return ConfigSource.newBuilder()
        .setApiConfigSource(
            ApiConfigSource.newBuilder()
                .setApiType(ApiConfigSource.ApiType.GRPC)
                .setSetNodeOnFirstMessageOnly(true)
                .setTransportApiVersion(ApiVersion.V3)
                .addGrpcServices(
                    GrpcService.newBuilder()
                        .setEnvoyGrpc(
                            GrpcService.EnvoyGrpc.newBuilder().setClusterName(SDS_CLUSTER))))
        .setResourceApiVersion(ApiVersion.V3);
  }

  /** A credentialName secret, fetched over ADS from the control plane ({@code kubernetes://}). */
  static SdsSecretConfig credentialSds(String credentialName) {
    if (credentialName.startsWith("builtin://")) {
      return sds(credentialName.endsWith(CA_SUFFIX) ? SDS_ROOT : SDS_DEFAULT);
    }
    String name =
        credentialName.startsWith(KUBERNETES_SECRET_PREFIX)
                || credentialName.startsWith("configmap://")
                || credentialName.startsWith("kubernetes-gateway://")
            ? credentialName
            : KUBERNETES_SECRET_PREFIX + credentialName;
    return SdsSecretConfig.newBuilder()
        .setName(name)
        .setSdsConfig(
            ConfigSource.newBuilder()
                .setAds(AggregatedConfigSource.getDefaultInstance())
                .setResourceApiVersion(ApiVersion.V3))
        .build();
  }

  static List<StringMatcher> exact(List<String> values) {
    return values.stream().map(v -> StringMatcher.newBuilder().setExact(v).build()).toList();
  }

  /**
   * For proxyless gRPC (grpcgen): certificates from the client's certificate provider instance
   * {@code default}, identity {@code default} (in the current and the deprecated field) and roots
   * {@code ROOTCA}. grpcgen puts the roots in a combined validation context without an SDS config,
   * which Envoy's schema rejects (validation_context_sds_secret_config is required there); the same
   * roots and SANs go in a plain validation context instead, which gRPC reads the same way.
   */
  static UpstreamTlsContext grpcIstioMutual(List<String> sans) {
    @SuppressWarnings("deprecation")
    CommonTlsContext.Builder common =
        CommonTlsContext.newBuilder()
            .setTlsCertificateProviderInstance(
                CertificateProviderPluginInstance.newBuilder()
                    .setInstanceName(SDS_DEFAULT)
                    .setCertificateName(SDS_DEFAULT))
            .setTlsCertificateCertificateProviderInstance(
                CommonTlsContext.CertificateProviderInstance.newBuilder()
                    .setInstanceName(SDS_DEFAULT)
                    .setCertificateName(SDS_DEFAULT))
            .setValidationContext(
                CertificateValidationContext.newBuilder()
                    .addAllMatchSubjectAltNames(exact(sans))
                    .setCaCertificateProviderInstance(
                        CertificateProviderPluginInstance.newBuilder()
                            .setInstanceName(SDS_DEFAULT)
                            .setCertificateName(SDS_ROOT)));
    return UpstreamTlsContext.newBuilder().setCommonTlsContext(common).build();
  }
}
