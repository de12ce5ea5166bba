package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** DestinationRule {@code tls}: how the client side of a connection to the service does TLS. */
public record ClientTlsSettings(
    Mode mode,
    String clientCertificate,
    String privateKey,
    String caCertificates,
    String credentialName,
    List<String> subjectAltNames,
    String sni,
    boolean insecureSkipVerify,
    String caCrl) {

  /** {@code tls.mode}. */
  public enum Mode {
    DISABLE,
    SIMPLE,
    MUTUAL,
    ISTIO_MUTUAL
  }

  public ClientTlsSettings {
    requireNonNull(mode, "mode");
    requireNonNull(clientCertificate, "clientCertificate");
    requireNonNull(privateKey, "privateKey");
    requireNonNull(caCertificates, "caCertificates");
    requireNonNull(credentialName, "credentialName");
    subjectAltNames = List.copyOf(subjectAltNames);
    requireNonNull(sni, "sni");
    requireNonNull(caCrl, "caCrl");
  }

  /** Only the mode set. */
  public static ClientTlsSettings of(Mode mode) {
    return new ClientTlsSettings(mode, "", "", "", "", List.of(), "", false, "");
  }
}
