package io.jpilot.model.parse;

import static io.jpilot.model.parse.IstioValidator.bool;
import static io.jpilot.model.parse.IstioValidator.get;
import static io.jpilot.model.parse.IstioValidator.has;
import static io.jpilot.model.parse.IstioValidator.list;
import static io.jpilot.model.parse.IstioValidator.lng;
import static io.jpilot.model.parse.IstioValidator.str;
import static io.jpilot.model.parse.IstioValidator.stringMap;
import static io.jpilot.model.parse.IstioValidator.strings;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpilot.model.config.ConfigMeta;
import io.jpilot.model.config.Gateway;
import io.jpilot.model.config.GatewayPort;
import io.jpilot.model.config.GatewayServer;
import io.jpilot.model.config.ServerTls;
import io.jpilot.model.registry.Protocol;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates a Gateway spec with istiod's checks and texts (ValidateGateway, validateServer,
 * validateServerPort, validateTLSOptions) and builds the model record. Errors name the field path.
 */
final class GatewayParser {
  static final String UNIX_ADDRESS_PREFIX = "unix://";

  private final Problems problems;

  GatewayParser(Problems problems) {
    this.problems = requireNonNull(problems, "problems");
  }

  Gateway parse(ConfigMeta meta, JsonNode spec) {
    validate(meta.name(), spec);
    List<GatewayServer> servers = new ArrayList<>();
    for (JsonNode s : list(spec, "servers")) {
      servers.add(server(s));
    }
    return new Gateway(meta, stringMap(spec, "selector"), servers);
  }

  private static GatewayServer server(JsonNode s) {
    JsonNode p = get(s, "port");
    GatewayPort port =
        new GatewayPort(
            (int) lng(p, "number"), str(p, "name"), str(p, "protocol"), (int) lng(p, "targetPort"));
    JsonNode tls = get(s, "tls");
    return new GatewayServer(
        port,
        strings(s, "hosts"),
        tls == null ? Optional.empty() : Optional.of(tls(tls)),
        str(s, "bind"),
        str(s, "name"));
  }

  private static ServerTls tls(JsonNode t) {
    List<ServerTls.Certificate> certs = new ArrayList<>();
    for (JsonNode c : list(t, "tlsCertificates")) {
      certs.add(
          new ServerTls.Certificate(
              str(c, "serverCertificate"), str(c, "privateKey"), str(c, "caCertificates")));
    }
    return new ServerTls(
        bool(t, "httpsRedirect"),
        ServerTls.Mode.valueOf(IstioValidator.enumName(get(t, "mode"), GatewaySchema.TLS_MODE)),
        str(t, "serverCertificate"),
        str(t, "privateKey"),
        str(t, "caCertificates"),
        str(t, "caCrl"),
        str(t, "credentialName"),
        strings(t, "credentialNames"),
        str(t, "caCertCredentialName"),
        certs,
        strings(t, "subjectAltNames"),
        strings(t, "verifyCertificateSpki"),
        strings(t, "verifyCertificateHash"),
        has(t, "minProtocolVersion")
            ? IstioValidator.enumName(get(t, "minProtocolVersion"), GatewaySchema.TLS_PROTOCOL)
            : "",
        has(t, "maxProtocolVersion")
            ? IstioValidator.enumName(get(t, "maxProtocolVersion"), GatewaySchema.TLS_PROTOCOL)
            : "",
        strings(t, "cipherSuites"),
        strings(t, "ecdhCurves"),
        has(t, "insecureSkipVerify")
            ? Optional.of(bool(t, "insecureSkipVerify"))
            : Optional.empty());
  }

  // ---- validation (istiod's ValidateGateway) ------------------------------------------------

  private void validate(String name, JsonNode spec) {
    if (!Names.isDns1123Label(name)) {
      problems.error("metadata.name", "invalid gateway name: \"" + name + "\"");
    }
    List<JsonNode> servers = list(spec, "servers");
    if (servers.isEmpty()) {
      problems.error("spec.servers", "gateway must have at least one server");
    }
    Set<String> portNames = new HashSet<>();
    for (int i = 0; i < servers.size(); i++) {
      String p = FieldPath.index("spec.servers", i);
      JsonNode s = servers.get(i);
      if (s == null || s.isNull()) {
        problems.error(p, "server may not be nil");
        continue;
      }
      validateServer(s, p);
      JsonNode port = get(s, "port");
      if (port != null) {
        String portName = str(port, "name");
        if (!portNames.add(portName)) {
          problems.error(
              FieldPath.field(FieldPath.field(p, "port"), "name"),
              "port names in servers must be unique: duplicate name " + portName);
        }
        if (!Protocol.parse(str(port, "protocol")).isHttp()
            && bool(get(s, "tls"), "httpsRedirect")) {
          problems.warning(
              FieldPath.field(FieldPath.field(p, "tls"), "httpsRedirect"),
              "tls.httpsRedirect should only be used with http servers");
        }
      }
    }
  }

  private void validateServer(JsonNode s, String p) {
    List<String> hosts = strings(s, "hosts");
    if (hosts.isEmpty()) {
      problems.error(FieldPath.field(p, "hosts"), "server config must contain at least one host");
    }
    for (int i = 0; i < hosts.size(); i++) {
      for (String e : validateGatewayHost(hosts.get(i))) {
        problems.error(FieldPath.index(FieldPath.field(p, "hosts"), i), e);
      }
    }
    JsonNode port = get(s, "port");
    String bind = str(s, "bind");
    boolean portOk = validateServerPort(port, bind, FieldPath.field(p, "port"));
    validateServerBind(port, bind, FieldPath.field(p, "bind"));
    JsonNode tls = get(s, "tls");
    validateTlsOptions(tls, FieldPath.field(p, "tls"));
    if (portOk) {
      Protocol proto = Protocol.parse(str(port, "protocol"));
      boolean isTls = proto == Protocol.HTTPS || proto == Protocol.TLS;
      if (isTls && tls == null) {
        problems.error(
            FieldPath.field(p, "tls"), "server must have TLS settings for HTTPS/TLS protocols");
      } else if (!isTls && tls != null) {
        if (proto.isHttp()) {
          String mode = IstioValidator.enumName(get(tls, "mode"), GatewaySchema.TLS_MODE);
          boolean passthrough = mode.equals("PASSTHROUGH") || mode.equals("AUTO_PASSTHROUGH");
          if (!passthrough
              || !str(tls, "caCertificates").isEmpty()
              || !str(tls, "privateKey").isEmpty()
              || !str(tls, "serverCertificate").isEmpty()) {
            problems.error(
                FieldPath.field(p, "tls"),
                "server cannot have TLS settings for plain text HTTP ports");
          }
        } else {
          problems.error(
              FieldPath.field(p, "tls"), "server cannot have TLS settings for non HTTPS/TLS ports");
        }
      }
    }
  }

  /** istiod's ValidateNamespaceSlashWildcardHostname for gateways: the errors, in order. */
  static List<String> validateGatewayHost(String hostname) {
    List<String> errs = new ArrayList<>();
    int slash = hostname.indexOf('/');
    if (slash < 0) {
      errs.addAll(validateHostnamePart(hostname));
      return errs;
    }
    String ns = hostname.substring(0, slash);
    String dnsName = hostname.substring(slash + 1);
    if (ns.isEmpty() || dnsName.isEmpty()) {
      errs.add("config namespace and dnsName in host entry cannot be empty");
    }
    if (!ns.equals("*") && !ns.equals(".") && !Names.isDns1123Label(ns)) {
      errs.add("invalid namespace value \"" + ns + "\" in gateway");
    }
    errs.addAll(validateHostnamePart(dnsName));
    return errs;
  }

  /** istiod's validateSidecarOrGatewayHostnamePart for a gateway (IP addresses allowed). */
  private static List<String> validateHostnamePart(String hostname) {
    List<String> errs = new ArrayList<>();
    if (!hostname.equals("*") && !hostname.contains(".")) {
      errs.add("short names (non FQDN) are not allowed");
    }
    String err = Names.validateWildcardDomain(hostname);
    if (err != null && !Names.isIpAddress(hostname)) {
      errs.add(err);
    }
    if (hostname.contains("*") && hostname.length() != 1 && !hostname.startsWith("*.")) {
      errs.add("partial wildcard \"" + hostname + "\" not allowed");
    }
    return errs;
  }

  /**
   * @return true when the port has no error (istiod then checks TLS against the protocol)
   */
  private boolean validateServerPort(JsonNode port, String bind, String p) {
    if (port == null) {
      problems.error(p, "port is required");
      return false;
    }
    int before = problems.errorCount();
    String protocol = str(port, "protocol");
    if (Protocol.parse(protocol) == Protocol.UNSUPPORTED) {
      problems.error(
          FieldPath.field(p, "protocol"),
          "invalid protocol \""
              + protocol
              + "\", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL,"
              + " TCP");
    }
    long number = lng(port, "number");
    if (number > 0 || !bind.startsWith(UNIX_ADDRESS_PREFIX)) {
      if (number < 1 || number > 65535) {
        problems.error(
            FieldPath.field(p, "number"),
            "port number " + number + " must be in the range 1..65535");
      }
    }
    if (lng(port, "targetPort") > 0) {
      problems.error(FieldPath.field(p, "targetPort"), "targetPort has no impact on Gateways");
    }
    if (str(port, "name").isEmpty()) {
      problems.error(FieldPath.field(p, "name"), "port name must be set: " + goPort(port));
    }
    return problems.errorCount() == before;
  }

  /** The port as Go's %v prints the proto message, e.g. {@code number:80 protocol:"HTTP"}. */
  private static String goPort(JsonNode port) {
    List<String> parts = new ArrayList<>();
    if (lng(port, "number") != 0) {
      parts.add("number:" + lng(port, "number"));
    }
    if (!str(port, "protocol").isEmpty()) {
      parts.add("protocol:\"" + str(port, "protocol") + "\"");
    }
    if (!str(port, "name").isEmpty()) {
      parts.add("name:\"" + str(port, "name") + "\"");
    }
    if (lng(port, "targetPort") != 0) {
      parts.add("target_port:" + lng(port, "targetPort"));
    }
    return String.join(" ", parts);
  }

  private void validateServerBind(JsonNode port, String bind, String p) {
    if (bind.startsWith(UNIX_ADDRESS_PREFIX)) {
      String path = bind.substring(UNIX_ADDRESS_PREFIX.length());
      if (path.isEmpty()) {
        problems.error(p, "unix address must not be empty");
      }
      if (port != null && lng(port, "number") != 0) {
        problems.error(p, "port number must be 0 for unix domain socket: " + goPort(port));
      }
    } else if (!bind.isEmpty() && !Names.isIpAddress(bind)) {
      problems.error(p, bind + " is not a valid IP");
    }
  }

  private void validateTlsOptions(JsonNode tls, String p) {
    if (tls == null) {
      return;
    }
    String mode = IstioValidator.enumName(get(tls, "mode"), GatewaySchema.TLS_MODE);
    String minVersion =
        IstioValidator.enumName(get(tls, "minProtocolVersion"), GatewaySchema.TLS_PROTOCOL);
    List<String> ciphers = strings(tls, "cipherSuites");
    if ((minVersion.equals("TLSV1_0") || minVersion.equals("TLSV1_1")) && ciphers.isEmpty()) {
      problems.warning(
          FieldPath.field(p, "minProtocolVersion"),
          "TLS version below TLSV1_2 require setting compatible ciphers as by default they no"
              + " longer include compatible ciphers.");
    }
    Set<String> seen = new HashSet<>();
    Set<String> duplicate = new TreeSet<>();
    for (String c : ciphers) {
      if (!seen.add(c)) {
        duplicate.add(c);
      }
    }
    if (!duplicate.isEmpty()) {
      problems.warning(
          FieldPath.field(p, "cipherSuites"),
          "ignoring duplicate cipher suites: [" + String.join(" ", duplicate) + "]");
    }
    String serverCertificate = str(tls, "serverCertificate");
    String privateKey = str(tls, "privateKey");
    String caCertificates = str(tls, "caCertificates");
    String credentialName = str(tls, "credentialName");
    List<String> credentialNames = strings(tls, "credentialNames");
    List<JsonNode> tlsCertificates = list(tls, "tlsCertificates");
    if (mode.equals("ISTIO_MUTUAL")) {
      Map<String, Boolean> forbidden = new java.util.LinkedHashMap<>();
      forbidden.put("server certificate", !serverCertificate.isEmpty());
      forbidden.put("private key", !privateKey.isEmpty());
      forbidden.put("CA bundle", !caCertificates.isEmpty());
      forbidden.put("tlsCertificates", !tlsCertificates.isEmpty());
      forbidden.put("credentialName", !credentialName.isEmpty());
      forbidden.put("credentialNames", !credentialNames.isEmpty());
      forbidden.forEach(
          (what, set) -> {
            if (set) {
              problems.error(p, "ISTIO_MUTUAL TLS cannot have associated " + what);
            }
          });
      return;
    }
    if (mode.equals("PASSTHROUGH") || mode.equals("AUTO_PASSTHROUGH")) {
      if (!str(tls, "caCrl").isEmpty()
          || !serverCertificate.isEmpty()
          || !privateKey.isEmpty()
          || !caCertificates.isEmpty()
          || !tlsCertificates.isEmpty()
          || !credentialName.isEmpty()
          || !credentialNames.isEmpty()) {
        problems.warning(p, mode + " mode does not use certificates, they will be ignored");
      }
    }
    int sources = 0;
    if (!serverCertificate.isEmpty() && !privateKey.isEmpty()) {
      sources++;
    }
    if (!credentialName.isEmpty()) {
      sources++;
    }
    if (!credentialNames.isEmpty()) {
      sources++;
    }
    if (!tlsCertificates.isEmpty()) {
      sources++;
    }
    if (sources > 1) {
      problems.error(
          p,
          "only one of credential_name, credential_names, server_certificate/private_key,"
              + " tls_certificates should be specified");
    }
    boolean simpleOrMutual =
        mode.equals("SIMPLE") || mode.equals("MUTUAL") || mode.equals("OPTIONAL_MUTUAL");
    if (simpleOrMutual && (!credentialName.isEmpty() || !credentialNames.isEmpty())) {
      return; // credentials are fetched remotely
    }
    if (simpleOrMutual) {
      String prefix = mode.equals("SIMPLE") ? "SIMPLE TLS" : "MUTUAL TLS";
      if (!mode.equals("SIMPLE") && caCertificates.isEmpty()) {
        problems.error(
            FieldPath.field(p, "caCertificates"), prefix + " requires a client CA bundle");
      }
      if (tlsCertificates.size() > 2) {
        problems.warning(
            FieldPath.field(p, "tlsCertificates"),
            prefix + " can support up to 2 server certificates");
      }
      if (tlsCertificates.isEmpty()) {
        if (serverCertificate.isEmpty()) {
          problems.error(
              FieldPath.field(p, "serverCertificate"), prefix + " requires a server certificate");
        }
        if (privateKey.isEmpty()) {
          problems.error(FieldPath.field(p, "privateKey"), prefix + " requires a private key");
        }
      } else {
        for (int i = 0; i < tlsCertificates.size(); i++) {
          String cp = FieldPath.index(FieldPath.field(p, "tlsCertificates"), i);
          if (str(tlsCertificates.get(i), "serverCertificate").isEmpty()) {
            problems.error(
                FieldPath.field(cp, "serverCertificate"),
                prefix + " requires a server certificate");
          }
          if (str(tlsCertificates.get(i), "privateKey").isEmpty()) {
            problems.error(FieldPath.field(cp, "privateKey"), prefix + " requires a private key");
          }
        }
      }
    }
    if (!str(tls, "caCrl").isEmpty()) {
      if (!credentialName.isEmpty()) {
        problems.error(
            FieldPath.field(p, "caCrl"),
            "CRL is not supported with credentialName. CRL has to be specified in the credential");
      }
      if (mode.equals("SIMPLE")) {
        problems.error(FieldPath.field(p, "caCrl"), "CRL is not supported with SIMPLE TLS");
      }
    }
  }
}
