package io.jpilot.model.parse;

import static io.jpilot.model.parse.Schema.Scalar.BOOL;
import static io.jpilot.model.parse.Schema.Scalar.STRING;
import static io.jpilot.model.parse.Schema.Scalar.UINT32;

import io.jpilot.model.parse.Schema.EnumType;
import io.jpilot.model.parse.Schema.Message;

/**
 * The networking.istio.io v1 (= v1beta1 = v1alpha3) Sidecar schema, field by field, with JSON
 * (camelCase) names. Every legal field is listed, whether or not jpilot translates it.
 */
final class SidecarSchema {
  private SidecarSchema() {}

  static final EnumType CAPTURE_MODE = EnumType.of("CaptureMode", "DEFAULT", "IPTABLES", "NONE");

  /** The Sidecar's OutboundTrafficPolicy.Mode; REGISTRY_ONLY is the zero value. */
  static final EnumType OUTBOUND_MODE =
      EnumType.of(
          "OutboundTrafficPolicy.Mode", "REGISTRY_ONLY", "ALLOW_ANY", "ALLOW_ANY_DYNAMIC_DNS");

  static final Message SIDECAR_PORT =
      Message.builder("SidecarPort")
          .field("number", UINT32)
          .field("protocol", STRING)
          .field("name", STRING)
          .field("targetPort", UINT32)
          .wrapHint("{number: %s}")
          .build();

  static final Message WORKLOAD_SELECTOR =
      Message.builder("WorkloadSelector").map("labels", STRING).build();

  static final Message SERVER_TLS_CERTIFICATE =
      Message.builder("ServerTLSSettings.TLSCertificate")
          .field("serverCertificate", STRING)
          .field("privateKey", STRING)
          .field("caCertificates", STRING)
          .build();

  static final Message SERVER_TLS =
      Message.builder("ServerTLSSettings")
          .field("httpsRedirect", BOOL)
          .field(
              "mode",
              EnumType.of(
                  "ServerTLSSettings.TLSmode",
                  "PASSTHROUGH",
                  "SIMPLE",
                  "MUTUAL",
                  "AUTO_PASSTHROUGH",
                  "ISTIO_MUTUAL",
                  "OPTIONAL_MUTUAL"))
          .field("serverCertificate", STRING)
          .field("privateKey", STRING)
          .field("caCertificates", STRING)
          .field("caCrl", STRING)
          .field("credentialName", STRING)
          .list("credentialNames", STRING)
          .list("tlsCertificates", SERVER_TLS_CERTIFICATE)
          .list("subjectAltNames", STRING)
          .list("verifyCertificateSpki", STRING)
          .list("verifyCertificateHash", STRING)
          .field(
              "minProtocolVersion",
              EnumType.of(
                  "ServerTLSSettings.TLSProtocol",
                  "TLS_AUTO",
                  "TLSV1_0",
                  "TLSV1_1",
                  "TLSV1_2",
                  "TLSV1_3"))
          .field(
              "maxProtocolVersion",
              EnumType.of(
                  "ServerTLSSettings.TLSProtocol",
                  "TLS_AUTO",
                  "TLSV1_0",
                  "TLSV1_1",
                  "TLSV1_2",
                  "TLSV1_3"))
          .list("cipherSuites", STRING)
          .build();

  static final Message INGRESS_LISTENER =
      Message.builder("IstioIngressListener")
          .field("port", SIDECAR_PORT)
          .field("bind", STRING)
          .field("captureMode", CAPTURE_MODE)
          .field("defaultEndpoint", STRING)
          .field("tls", SERVER_TLS)
          .field("connectionPool", IstioSchema.CONNECTION_POOL)
          .build();

  static final Message EGRESS_LISTENER =
      Message.builder("IstioEgressListener")
          .field("port", SIDECAR_PORT)
          .field("bind", STRING)
          .field("captureMode", CAPTURE_MODE)
          .list("hosts", STRING)
          .build();

  static final Message OUTBOUND_TRAFFIC_POLICY =
      Message.builder("OutboundTrafficPolicy")
          .field("mode", OUTBOUND_MODE)
          .field("egressProxy", IstioSchema.DESTINATION)
          .wrapHint("{mode: %s}")
          .build();

  static final Message SIDECAR =
      Message.builder("Sidecar")
          .field("workloadSelector", WORKLOAD_SELECTOR)
          .list("ingress", INGRESS_LISTENER)
          .list("egress", EGRESS_LISTENER)
          .field("inboundConnectionPool", IstioSchema.CONNECTION_POOL)
          .field("outboundTrafficPolicy", OUTBOUND_TRAFFIC_POLICY)
          .build();
}
