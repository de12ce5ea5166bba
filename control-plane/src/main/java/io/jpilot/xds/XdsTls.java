package io.jpilot.xds;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * ADS over TLS on a second port (istiod's 15012), with a certificate and key from PEM files.
 *
 * @param port the TLS port; 0 picks a free one
 * @param certChain the server's certificate chain (PEM)
 * @param privateKey its private key (PEM, PKCS#8)
 * @param clientCa when present, clients must present a certificate signed by this CA (PEM)
 */
public record XdsTls(int port, Path certChain, Path privateKey, Optional<Path> clientCa) {
  public XdsTls {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
    }
    requireNonNull(certChain, "certChain");
    requireNonNull(privateKey, "privateKey");
    requireNonNull(clientCa, "clientCa");
  }
}
