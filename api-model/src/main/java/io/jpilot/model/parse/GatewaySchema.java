package io.jpilot.model.parse;

import static io.jpilot.model.parse.Schema.Scalar.BOOL;
import static io.jpilot.model.parse.Schema.Scalar.STRING;
import static io.jpilot.model.parse.Schema.Scalar.UINT32;

import io.jpilot.model.parse.Schema.EnumType;
import io.jpilot.model.parse.Schema.MapOf;
import io.jpilot.model.parse.Schema.Message;

/**
 * The networking.istio.io v1 (= v1beta1 = v1alpha3) Gateway schema, field by field, with JSON
 * (camelCase) names. Every legal field is listed, whether or not jpilot translates it.
 */
final class GatewaySchema {
  private GatewaySchema() {}

  static final EnumType TLS_MODE =
      EnumType.of(
          "TLSmode",
          "PASSTHROUGH",
          "SIMPLE",
          "MUTUAL",
          "AUTO_PASSTHROUGH",
          "ISTIO_MUTUAL",
          "OPTIONAL_MUTUAL");

  static final EnumType TLS_PROTOCOL =
      EnumType.of("TLSProtocol", "TLS_AUTO", "TLSV1_0", "TLSV1_1", "TLSV1_2", "TLSV1_3");

  static final Message PORT =
      Message.builder("Port")
          .field("number", UINT32)
          .field("protocol", STRING)
          .field("name", STRING)
          .field("targetPort", UINT32)
          .build();

  static final Message TLS_CERTIFICATE =
      Message.builder("TLSCertificate")
          .field("serverCertificate", STRING)
          .field("privateKey", STRING)
          .field("caCertificates", STRING)
          .build();

  static final Message SERVER_TLS =
      Message.builder("ServerTLSSettings")
          .field("httpsRedirect", BOOL)
          .field("mode", TLS_MODE)
          .field("serverCertificate", STRING)
          .field("privateKey", STRING)
          .field("caCertificates", STRING)
          .field("caCrl", STRING)
          .field("credentialName", STRING)
          .list("credentialNames", STRING)
          .field("caCertCredentialName", STRING)
          .list("tlsCertificates", TLS_CERTIFICATE)
          .list("subjectAltNames", STRING)
          .list("verifyCertificateSpki", STRING)
          .list("verifyCertificateHash", STRING)
          .field("minProtocolVersion", TLS_PROTOCOL)
          .field("maxProtocolVersion", TLS_PROTOCOL)
          .list("cipherSuites", STRING)
          .list("ecdhCurves", STRING)
          .field("insecureSkipVerify", BOOL)
          .build();

  static final Message SERVER =
      Message.builder("Server")
          .field("port", PORT)
          .field("bind", STRING)
          .list("hosts", STRING)
          .field("tls", SERVER_TLS)
          .field("defaultEndpoint", STRING)
          .field("name", STRING)
          .build();

  static final Message GATEWAY =
      Message.builder("Gateway")
          .list("servers", SERVER)
          .field("selector", new MapOf(STRING))
          .build();
}
