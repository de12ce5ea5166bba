package io.jpilot.translate;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.jpilot.model.config.ServerTls;
import java.util.ArrayList;
import java.util.List;

/**
 * istiod's BuildListenerTLSContext for gateway servers that terminate TLS: certificates from SDS
 * (the workload certificate for ISTIO_MUTUAL, {@code kubernetes://<credentialName>} fetched over
 * ADS, or {@code file-cert:<cert>~<key>} from the agent's {@code sds-grpc}), client validation for
 * the mutual modes, and the server's protocol versions and ciphers.
 */
final class GatewayTlsContexts {
  static final String DEFAULT_SECRET = "default";
  static final String ROOT_SECRET = "ROOTCA";
  static final String CA_SUFFIX = "-cacert";
  static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";

  /** util.ALPNHttp: what a terminating gateway offers. */
  static final List<String> ALPN_HTTP = List.of("h2", "http/1.1");

  /** util.ALPNDownstreamWithMxc: an ISTIO_MUTUAL TCP server with metadata exchange. */
  static final List<String> ALPN_ISTIO_TCP = List.of("istio-peer-exchange", "istio");

  private GatewayTlsContexts() {}

  static TransportSocket transportSocket(DownstreamTlsContext ctx) {
    return TransportSocket.newBuilder()
        .setName(TLS_TRANSPORT_SOCKET)
        .setTypedConfig(XdsProtos.pack(ctx))
        .build();
  }

  static DownstreamTlsContext downstream(ServerTls tls) {
    return downstream(tls, false);
  }

  /**
   * @param tcpTermination true for a TCP/TLS server that terminates TLS and forwards raw TCP: with
   *     ISTIO_MUTUAL it offers Istio's mTLS ALPN instead of HTTP's
   */
  static DownstreamTlsContext downstream(ServerTls tls, boolean tcpTermination) {
    List<String> alpn =
        tcpTermination && tls.mode() == ServerTls.Mode.ISTIO_MUTUAL ? ALPN_ISTIO_TCP : ALPN_HTTP;
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder().addAllAlpnProtocols(alpn);
    boolean requireClientCert =
        tls.mode() == ServerTls.Mode.MUTUAL || tls.mode() == ServerTls.Mode.ISTIO_MUTUAL;
    boolean validateClient = requireClientCert || tls.mode() == ServerTls.Mode.OPTIONAL_MUTUAL;
    boolean insecure = tls.insecureSkipVerify().orElse(false);
    if (tls.mode() == ServerTls.Mode.ISTIO_MUTUAL) {
      common.addTlsCertificateSdsSecretConfigs(sdsGrpc(DEFAULT_SECRET));
      if (validateClient) {
        common.setCombinedValidationContext(
            combined(validation(tls, insecure, tls.caCrl()), sdsGrpc(ROOT_SECRET)));
      }
    } else if (!tls.credentialNames().isEmpty() || !tls.credentialName().isEmpty()) {
      String ca = tls.credentialName() + CA_SUFFIX;
      if (!tls.credentialNames().isEmpty()) {
        for (String n : tls.credentialNames()) {
          common.addTlsCertificateSdsSecretConfigs(credential(n));
        }
        ca = tls.credentialNames().get(0) + CA_SUFFIX;
      } else {
        common.addTlsCertificateSdsSecretConfigs(credential(tls.credentialName()));
      }
      if (!tls.caCertCredentialName().isEmpty()) {
        ca = tls.caCertCredentialName();
      }
      if (tls.mode() == ServerTls.Mode.MUTUAL || tls.mode() == ServerTls.Mode.OPTIONAL_MUTUAL) {
        CertificateValidationContext.Builder v = validation(tls, insecure, "");
        v.addAllVerifyCertificateSpki(tls.verifyCertificateSpki());
        v.addAllVerifyCertificateHash(tls.verifyCertificateHash());
        common.setCombinedValidationContext(combined(v, credential(ca)));
      } else if (!tls.subjectAltNames().isEmpty()) {
        common.setValidationContext(validation(tls, false, ""));
      }
    } else {
      if (!tls.tlsCertificates().isEmpty()) {
        for (ServerTls.Certificate c : tls.tlsCertificates()) {
          common.addTlsCertificateSdsSecretConfigs(
              sdsGrpc(fileCert(c.serverCertificate(), c.privateKey())));
        }
      } else {
        common.addTlsCertificateSdsSecretConfigs(
            sdsGrpc(fileCert(tls.serverCertificate(), tls.privateKey())));
      }
      if (validateClient) {
        String root =
            tls.caCertificates().isEmpty() ? ROOT_SECRET : "file-root:" + tls.caCertificates();
        common.setCombinedValidationContext(
            combined(validation(tls, insecure, tls.caCrl()), sdsGrpc(root)));
      }
    }
    if (tls.mode() == ServerTls.Mode.SIMPLE
        || tls.mode() == ServerTls.Mode.MUTUAL
        || tls.mode() == ServerTls.Mode.OPTIONAL_MUTUAL) {
      applyServerTlsSettings(tls, common);
    }
    return DownstreamTlsContext.newBuilder()
        .setCommonTlsContext(common)
        .setRequireClientCertificate(XdsProtos.bool(requireClientCert))
        .build();
  }

  /** security.SdsCertificateConfig.GetResourceName; {@code default} without both paths. */
  private static String fileCert(String cert, String key) {
    return cert.isEmpty() || key.isEmpty() ? DEFAULT_SECRET : "file-cert:" + cert + "~" + key;
  }

  @SuppressWarnings("deprecation") // match_subject_alt_names: istiod still sets it
  private static CertificateValidationContext.Builder validation(
      ServerTls tls, boolean insecure, String crl) {
    CertificateValidationContext.Builder v = CertificateValidationContext.newBuilder();
    for (String san : tls.subjectAltNames()) {
      v.addMatchSubjectAltNames(StringMatcher.newBuilder().setExact(san));
    }
    if (!crl.isEmpty()) {
      v.setCrl(DataSource.newBuilder().setFilename(crl));
    }
    if (insecure) {
      v.setTrustChainVerification(
          CertificateValidationContext.TrustChainVerification.ACCEPT_UNTRUSTED);
    }
    return v;
  }

  private static CommonTlsContext.CombinedCertificateValidationContext combined(
      CertificateValidationContext.Builder defaults, SdsSecretConfig sds) {
    return CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
        .setDefaultValidationContext(defaults)
        .setValidationContextSdsSecretConfig(sds)
        .build();
  }

  private static void applyServerTlsSettings(ServerTls tls, CommonTlsContext.Builder common) {
    TlsParameters.Builder params = TlsParameters.newBuilder();
    boolean set = false;
    if (!tls.minProtocolVersion().isEmpty() && !tls.minProtocolVersion().equals("TLS_AUTO")) {
      params.setTlsMinimumProtocolVersion(protocol(tls.minProtocolVersion()));
      set = true;
    }
    if (!tls.ecdhCurves().isEmpty()) {
      params.addAllEcdhCurves(tls.ecdhCurves());
      set = true;
    }
    if (!tls.cipherSuites().isEmpty()) {
      List<String> ciphers = new ArrayList<>();
      for (String c : tls.cipherSuites()) {
        if (!ciphers.contains(c)) {
          ciphers.add(c);
        }
      }
      params.addAllCipherSuites(ciphers);
      set = true;
    }
    if (!tls.maxProtocolVersion().isEmpty() && !tls.maxProtocolVersion().equals("TLS_AUTO")) {
      params.setTlsMaximumProtocolVersion(protocol(tls.maxProtocolVersion()));
      set = true;
    }
    if (set) {
      common.setTlsParams(params);
    }
  }

  private static TlsParameters.TlsProtocol protocol(String v) {
    switch (v) {
      case "TLSV1_0":
        return TlsParameters.TlsProtocol.TLSv1_0;
      case "TLSV1_1":
        return TlsParameters.TlsProtocol.TLSv1_1;
      case "TLSV1_2":
        return TlsParameters.TlsProtocol.TLSv1_2;
      case "TLSV1_3":
        return TlsParameters.TlsProtocol.TLSv1_3;
      default:
        return TlsParameters.TlsProtocol.TLS_AUTO;
    }
  }

  /** A credentialName secret: {@code kubernetes://<name>}, fetched from the control plane. */
  static SdsSecretConfig credential(String name) {
    return UpstreamTls.credentialSds(name);
  }

  /** A secret from the agent's {@code sds-grpc} cluster (workload certificate or files). */
  static SdsSecretConfig sdsGrpc(String name) {
    return name.equals(DEFAULT_SECRET) || name.equals(ROOT_SECRET)
        ? UpstreamTls.sds(name)
        : UpstreamTls.fileSds(name);
  }
}
