package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A Gateway server's TLS settings (ServerTLSSettings). Empty strings and lists mean unset.
 *
 * @param mode PASSTHROUGH when unset, as in the API (it is the enum's zero value)
 * @param minProtocolVersion TLS_AUTO, TLSV1_0, ... as written; empty when unset
 */
public record ServerTls(
    boolean httpsRedirect,
    Mode mode,
    String serverCertificate,
    String privateKey,
    String caCertificates,
    String caCrl,
    String credentialName,
    List<String> credentialNames,
    String caCertCredentialName,
    List<Certificate> tlsCertificates,
    List<String> subjectAltNames,
    List<String> verifyCertificateSpki,
    List<String> verifyCertificateHash,
    String minProtocolVersion,
    String maxProtocolVersion,
    List<String> cipherSuites,
    List<String> ecdhCurves,
    Optional<Boolean> insecureSkipVerify) {

  /** ServerTLSSettings.TLSmode. */
  public enum Mode {
    PASSTHROUGH,
    SIMPLE,
    MUTUAL,
    AUTO_PASSTHROUGH,
    ISTIO_MUTUAL,
    OPTIONAL_MUTUAL
  }

  /** One of several server certificates (tlsCertificates). */
  public record Certificate(String serverCertificate, String privateKey, String caCertificates) {
    public Certificate {
      requireNonNull(serverCertificate, "serverCertificate");
      requireNonNull(privateKey, "privateKey");
      requireNonNull(caCertificates, "caCertificates");
    }
  }

  public ServerTls {
    requireNonNull(mode, "mode");
    requireNonNull(serverCertificate, "serverCertificate");
    requireNonNull(privateKey, "privateKey");
    requireNonNull(caCertificates, "caCertificates");
    requireNonNull(caCrl, "caCrl");
    requireNonNull(credentialName, "credentialName");
    credentialNames = List.copyOf(credentialNames);
    requireNonNull(caCertCredentialName, "caCertCredentialName");
    tlsCertificates = List.copyOf(tlsCertificates);
    subjectAltNames = List.copyOf(subjectAltNames);
    verifyCertificateSpki = List.copyOf(verifyCertificateSpki);
    verifyCertificateHash = List.copyOf(verifyCertificateHash);
    requireNonNull(minProtocolVersion, "minProtocolVersion");
    requireNonNull(maxProtocolVersion, "maxProtocolVersion");
    cipherSuites = List.copyOf(cipherSuites);
    ecdhCurves = List.copyOf(ecdhCurves);
    requireNonNull(insecureSkipVerify, "insecureSkipVerify");
  }

  /** Settings that only redirect plain HTTP to https (the rest unset). */
  public static ServerTls httpsRedirectOnly() {
    return new ServerTls(
        true,
        Mode.PASSTHROUGH,
        "",
        "",
        "",
        "",
        "",
        List.of(),
        "",
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        "",
        "",
        List.of(),
        List.of(),
        Optional.empty());
  }
}
