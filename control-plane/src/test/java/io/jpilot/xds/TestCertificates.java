package io.jpilot.xds;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA and certificates signed by it, written as PEM files, for TLS tests. */
final class TestCertificates {
  /** One certificate and its key, as PEM files. */
  record Issued(Path cert, Path key, X509Certificate certificate, KeyPair keys) {}

  private final Path dir;
  private final Issued ca;
  private long serial = 1;

  TestCertificates(Path dir) throws Exception {
    this.dir = dir;
    KeyPair keys = keyPair();
    X500Name name = new X500Name("CN=jpilot test CA");
    this.ca = write("ca", sign(name, keys, name, keys, true, null), keys);
  }

  Issued ca() {
    return ca;
  }

  /** A certificate for 127.0.0.1 and localhost, signed by the CA. */
  Issued server() throws Exception {
    KeyPair keys = keyPair();
    GeneralNames sans =
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost")
            });
    return write(
        "server",
        sign(
            new X500Name("CN=jpilot"),
            keys,
            new X500Name("CN=jpilot test CA"),
            ca.keys(),
            false,
            sans),
        keys);
  }

  /** A client certificate signed by the CA. */
  Issued client(String name) throws Exception {
    KeyPair keys = keyPair();
    return write(
        name,
        sign(
            new X500Name("CN=" + name),
            keys,
            new X500Name("CN=jpilot test CA"),
            ca.keys(),
            false,
            null),
        keys);
  }

  private X509Certificate sign(
      X500Name subject,
      KeyPair subjectKeys,
      X500Name issuer,
      KeyPair issuerKeys,
      boolean isCa,
      GeneralNames sans)
      throws IOException, OperatorCreationException, GeneralSecurityException {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            issuer,
            BigInteger.valueOf(serial++),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            subject,
            subjectKeys.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (sans != null) {
      b.addExtension(Extension.subjectAlternativeName, false, sans);
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
  }

  private Issued write(String name, X509Certificate cert, KeyPair keys) throws IOException {
    Path certFile = dir.resolve(name + ".pem");
    Path keyFile = dir.resolve(name + "-key.pem");
    try (Writer w = Files.newBufferedWriter(certFile);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(cert);
    }
    try (Writer w = Files.newBufferedWriter(keyFile);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
    }
    return new Issued(certFile, keyFile, cert, keys);
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }
}
