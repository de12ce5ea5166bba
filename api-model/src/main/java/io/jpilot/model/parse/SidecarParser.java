package io.jpilot.model.parse;

import static io.jpilot.model.parse.IstioValidator.get;
import static io.jpilot.model.parse.IstioValidator.has;
import static io.jpilot.model.parse.IstioValidator.list;
import static io.jpilot.model.parse.IstioValidator.lng;
import static io.jpilot.model.parse.IstioValidator.str;
import static io.jpilot.model.parse.IstioValidator.stringMap;
import static io.jpilot.model.parse.IstioValidator.strings;

import com.fasterxml.jackson.databind.JsonNode;
import io.jpilot.model.config.CaptureMode;
import io.jpilot.model.config.ConfigMeta;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.OutboundTrafficPolicy;
import io.jpilot.model.config.Sidecar;
import io.jpilot.model.config.SidecarEgressListener;
import io.jpilot.model.config.SidecarIngressListener;
import io.jpilot.model.config.SidecarPort;
import io.jpilot.model.registry.Protocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * Sidecar objects: istiod's ValidateSidecar checks (with its texts) and the conversion to {@link
 * Sidecar}. The document has already passed the schema check, so every field has its shape.
 */
final class SidecarParser {
  private static final String UNIX_PREFIX = "unix://";
  private static final Set<String> DEFAULT_ENDPOINT_HOSTS =
      Set.of("127.0.0.1", "0.0.0.0", "::1", "::");

  private final Problems problems;

  SidecarParser(Problems problems) {
    this.problems = problems;
  }

  Sidecar parse(ConfigMeta meta, JsonNode spec) {
    validate(spec, meta.namespace());
    JsonNode selector = get(spec, "workloadSelector");
    Optional<Map<String, String>> workloadSelector =
        selector == null ? Optional.empty() : Optional.of(stringMap(selector, "labels"));
    List<SidecarIngressListener> ingress = new ArrayList<>();
    for (JsonNode i : list(spec, "ingress")) {
      if (get(i, "port") == null) {
        continue;
      }
      ingress.add(
          new SidecarIngressListener(
              port(get(i, "port")),
              str(i, "bind"),
              captureMode(get(i, "captureMode")),
              str(i, "defaultEndpoint"),
              DestinationRuleParser.connectionPool(get(i, "connectionPool"))));
    }
    List<SidecarEgressListener> egress = new ArrayList<>();
    for (JsonNode e : list(spec, "egress")) {
      JsonNode port = get(e, "port");
      egress.add(
          new SidecarEgressListener(
              port == null ? Optional.empty() : Optional.of(port(port)),
              str(e, "bind"),
              captureMode(get(e, "captureMode")),
              strings(e, "hosts")));
    }
    return new Sidecar(
        meta,
        workloadSelector,
        ingress,
        egress,
        outboundTrafficPolicy(spec),
        DestinationRuleParser.connectionPool(get(spec, "inboundConnectionPool")));
  }

  private static SidecarPort port(JsonNode p) {
    return new SidecarPort((int) lng(p, "number"), str(p, "protocol"), str(p, "name"));
  }

  private static CaptureMode captureMode(JsonNode n) {
    return CaptureMode.valueOf(IstioValidator.enumName(n, SidecarSchema.CAPTURE_MODE));
  }

  private static Optional<OutboundTrafficPolicy> outboundTrafficPolicy(JsonNode spec) {
    JsonNode otp = get(spec, "outboundTrafficPolicy");
    if (otp == null) {
      return Optional.empty();
    }
    String mode = IstioValidator.enumName(get(otp, "mode"), SidecarSchema.OUTBOUND_MODE);
    JsonNode proxy = get(otp, "egressProxy");
    Optional<Destination> egressProxy =
        proxy == null
            ? Optional.empty()
            : Optional.of(
                new Destination(
                    str(proxy, "host"),
                    str(proxy, "subset"),
                    (int) lng(get(proxy, "port"), "number")));
    return Optional.of(
        new OutboundTrafficPolicy(
            mode.equals("ALLOW_ANY")
                ? OutboundTrafficPolicy.Mode.ALLOW_ANY
                : OutboundTrafficPolicy.Mode.REGISTRY_ONLY,
            egressProxy));
  }

  // ---- validation (pkg/config/validation ValidateSidecar) --------------------------------------

  private void validate(JsonNode spec, String namespace) {
    String p = "spec";
    JsonNode selector = get(spec, "workloadSelector");
    if (selector != null) {
      SortedMap<String, String> labels = stringMap(selector, "labels");
      String sp = FieldPath.field(FieldPath.field(p, "workloadSelector"), "labels");
      labels.forEach(
          (k, v) -> {
            if (k.isEmpty()) {
              error(sp, "empty key is not supported in selector: \"" + k + "=" + v + "\"");
            }
            if (k.contains("*") || v.contains("*")) {
              error(sp, "wildcard is not supported in selector: \"" + k + "=" + v + "\"");
            }
          });
      if (labels.isEmpty()) {
        problems.warning(
            FieldPath.field(p, "workloadSelector"),
            "sidecar: workload selector specified without labels, will be applied to all services"
                + " in namespace");
      }
    }
    List<JsonNode> ingress = list(spec, "ingress");
    List<JsonNode> egress = list(spec, "egress");
    if (ingress.isEmpty()
        && egress.isEmpty()
        && !has(spec, "outboundTrafficPolicy")
        && !has(spec, "inboundConnectionPool")) {
      error(p, "sidecar: empty configuration provided");
      return;
    }
    validateIngress(ingress, FieldPath.field(p, "ingress"));
    validateEgress(egress, namespace, FieldPath.field(p, "egress"));
    validateOutboundTrafficPolicy(
        get(spec, "outboundTrafficPolicy"), FieldPath.field(p, "outboundTrafficPolicy"));
  }

  private void validateIngress(List<JsonNode> ingress, String p) {
    Set<Long> ports = new HashSet<>();
    for (int i = 0; i < ingress.size(); i++) {
      JsonNode in = ingress.get(i);
      String ip = FieldPath.index(p, i);
      JsonNode port = get(in, "port");
      if (port == null) {
        error(ip, "sidecar: port is required for ingress listeners");
        continue;
      }
      String pp = FieldPath.field(ip, "port");
      if (lng(port, "targetPort") > 0) {
        error(FieldPath.field(pp, "targetPort"), "targetPort has no impact on Sidecars");
      }
      validatePortNameAndProtocol(port, pp);
      report(FieldPath.field(pp, "number"), validatePort(lng(port, "number")));
      validateBind(str(in, "bind"), FieldPath.field(ip, "bind"));
      if (!ports.add(lng(port, "number"))) {
        error(pp, "sidecar: ports on IP bound listeners must be unique");
      }
      String defaultEndpoint = str(in, "defaultEndpoint");
      if (!defaultEndpoint.isEmpty()) {
        validateDefaultEndpoint(defaultEndpoint, FieldPath.field(ip, "defaultEndpoint"));
      }
      JsonNode tls = get(in, "tls");
      if (tls != null) {
        validateIngressTls(tls, str(port, "protocol"), FieldPath.field(ip, "tls"));
      }
    }
  }

  private void validateDefaultEndpoint(String endpoint, String p) {
    if (endpoint.startsWith(UNIX_PREFIX)) {
      if (endpoint.length() == UNIX_PREFIX.length()) {
        error(p, "unix address must not be empty");
      }
      return;
    }
    // net.SplitHostPort: "host:port", "[v6]:port" or ":port"
    String host;
    String port;
    if (endpoint.startsWith("[")) {
      int close = endpoint.indexOf(']');
      if (close < 0) {
        error(p, "address " + endpoint + ": missing ']' in address");
        return;
      }
      if (close + 1 >= endpoint.length() || endpoint.charAt(close + 1) != ':') {
        error(p, "address " + endpoint + ": missing port in address");
        return;
      }
      host = endpoint.substring(1, close);
      port = endpoint.substring(close + 2);
    } else {
      int colon = endpoint.lastIndexOf(':');
      if (colon < 0) {
        error(p, "address " + endpoint + ": missing port in address");
        return;
      }
      host = endpoint.substring(0, colon);
      if (host.contains(":")) {
        error(p, "address " + endpoint + ": too many colons in address");
        return;
      }
      port = endpoint.substring(colon + 1);
    }
    if (!host.isEmpty() && !DEFAULT_ENDPOINT_HOSTS.contains(host)) {
      error(
          p,
          "sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,"
              + "[::]:port,unix://filepath or unset");
    }
    if (!port.matches("[+-]?[0-9]+") || port.length() > 10) {
      error(
          p,
          "sidecar: defaultEndpoint port ("
              + port
              + ") is not a number: strconv.Atoi: parsing \""
              + port
              + "\": invalid syntax");
    } else {
      report(p, validatePort(Long.parseLong(port)));
    }
  }

  private void validateIngressTls(JsonNode tls, String protocol, String p) {
    if (!list(tls, "subjectAltNames").isEmpty()) {
      error(p, "sidecar: subjectAltNames is not supported in ingress tls");
    }
    if (IstioValidator.bool(tls, "httpsRedirect")) {
      error(p, "sidecar: httpsRedirect is not supported");
    }
    if (!str(tls, "credentialName").isEmpty()) {
      error(p, "sidecar: credentialName is not currently supported");
    }
    if (!list(tls, "credentialNames").isEmpty()) {
      error(p, "sidecar: credentialNames is not currently supported");
    }
    if (!list(tls, "tlsCertificates").isEmpty()) {
      error(p, "sidecar: tls_certificates is not currently supported");
    }
    String mode = str(tls, "mode");
    if (mode.equals("ISTIO_MUTUAL") || mode.equals("AUTO_PASSTHROUGH")) {
      error(
          FieldPath.field(p, "mode"),
          "configuration is invalid: cannot set mode to " + mode + " in sidecar ingress tls");
    }
    Protocol proto = Protocol.parse(protocol);
    if (proto != Protocol.HTTPS && proto != Protocol.TLS) {
      error(p, "server cannot have TLS settings for non HTTPS/TLS ports");
    }
  }

  private void validateEgress(List<JsonNode> egress, String namespace, String p) {
    Set<Long> ports = new HashSet<>();
    Set<String> sockets = new HashSet<>();
    boolean catchAllFound = false;
    for (int i = 0; i < egress.size(); i++) {
      JsonNode e = egress.get(i);
      String ep = FieldPath.index(p, i);
      JsonNode port = get(e, "port");
      if (port == null) {
        if (!catchAllFound) {
          if (i == egress.size() - 1) {
            catchAllFound = true;
          } else {
            error(
                ep,
                "sidecar: the egress listener with empty port should be the last listener in the"
                    + " list");
          }
        } else {
          error(ep, "sidecar: egress can have only one listener with empty port");
          continue;
        }
      } else {
        String pp = FieldPath.field(ep, "port");
        if (lng(port, "targetPort") > 0) {
          error(FieldPath.field(pp, "targetPort"), "targetPort has no impact on Sidecars");
        }
        String bind = str(e, "bind");
        long number = lng(port, "number");
        validatePortNameAndProtocol(port, pp);
        if (number == 0) {
          if (!bind.startsWith(UNIX_PREFIX)) {
            error(
                FieldPath.field(ep, "bind"),
                "sidecar: ports with 0 value must have a unix domain socket bind address");
          } else if (bind.length() == UNIX_PREFIX.length()) {
            error(FieldPath.field(ep, "bind"), "unix address must not be empty");
          }
          String capture = str(e, "captureMode");
          if (!capture.isEmpty() && !capture.equals("DEFAULT") && !capture.equals("NONE")) {
            error(
                FieldPath.field(ep, "captureMode"),
                "sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners");
          }
          if (!sockets.add(bind)) {
            error(
                FieldPath.field(ep, "bind"),
                "sidecar: unix domain socket values for listeners must be unique");
          }
        } else {
          report(FieldPath.field(pp, "number"), validatePort(number));
          validateBind(bind, FieldPath.field(ep, "bind"));
          if (!ports.add(number)) {
            error(pp, "sidecar: ports on IP bound listeners must be unique");
          }
        }
      }
      validateEgressHosts(strings(e, "hosts"), namespace, FieldPath.field(ep, "hosts"));
    }
  }

  private void validateEgressHosts(List<String> hosts, String namespace, String p) {
    if (hosts.isEmpty()) {
      error(p, "sidecar: egress listener must contain at least one host");
      return;
    }
    Map<String, Set<String>> byNamespace = new HashMap<>();
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      String hp = FieldPath.index(p, i);
      String[] parts = host.split("/", 2);
      if (parts.length == 2 && !parts[0].startsWith("~")) {
        String ns = parts[0].equals(".") ? namespace : parts[0];
        Set<String> names = byNamespace.computeIfAbsent(ns, n -> new HashSet<>());
        boolean duplicate =
            parts[1].equals("*")
                ? !names.isEmpty()
                : names.contains(parts[1]) || names.contains("*");
        if (duplicate) {
          problems.warning(hp, "duplicated egress host: " + host);
        }
        names.add(parts[1]);
      }
      for (String err : validateNamespaceSlashHost(host)) {
        error(hp, err);
      }
    }
    if (byNamespace.getOrDefault("*", Set.of()).contains("*") && byNamespace.size() != 1) {
      problems.warning(p, "`*/*` host select all resources, no other hosts can be added");
    }
  }

  /** istiod's ValidateNamespaceSlashWildcardHostname for sidecars. */
  static List<String> validateNamespaceSlashHost(String host) {
    List<String> errs = new ArrayList<>();
    String[] parts = host.split("/", 2);
    if (parts.length != 2) {
      errs.add("host must be of form namespace/dnsName");
      return errs;
    }
    if (parts[0].isEmpty() || parts[1].isEmpty()) {
      errs.add("config namespace and dnsName in host entry cannot be empty");
    }
    String ns = parts[0].startsWith("~") ? parts[0].substring(1) : parts[0];
    if (!ns.isEmpty() && !ns.equals("*") && !ns.equals(".") && !Names.isDns1123Label(ns)) {
      errs.add("invalid namespace value \"" + parts[0] + "\" in sidecar");
    }
    String name = parts[1];
    if (!name.equals("*") && !name.contains(".")) {
      errs.add("short names (non FQDN) are not allowed");
    }
    String domainErr = Names.validateWildcardDomain(name);
    if (domainErr != null) {
      errs.add(domainErr);
      if (!Names.isIpAddress(name)) {
        errs.add(domainErr);
      }
    }
    if (name.contains("*") && name.length() != 1 && !name.startsWith("*.")) {
      errs.add("partial wildcard \"" + name + "\" not allowed");
    }
    return errs.stream().distinct().toList();
  }

  private void validateOutboundTrafficPolicy(JsonNode otp, String p) {
    if (otp == null) {
      return;
    }
    String mode = IstioValidator.enumName(get(otp, "mode"), SidecarSchema.OUTBOUND_MODE);
    if (mode.equals("ALLOW_ANY_DYNAMIC_DNS")) {
      error(
          FieldPath.field(p, "mode"),
          "sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar"
              + " resource");
      return;
    }
    JsonNode proxy = get(otp, "egressProxy");
    if (proxy == null) {
      return;
    }
    String pp = FieldPath.field(p, "egressProxy");
    if (!mode.equals("ALLOW_ANY")) {
      error(
          pp, "sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode");
      return;
    }
    report(FieldPath.field(pp, "host"), Names.validateFqdn(str(proxy, "host")));
    if (get(proxy, "port") == null) {
      error(FieldPath.field(pp, "port"), "sidecar: egress_proxy port must be non-nil");
      return;
    }
    report(
        FieldPath.field(FieldPath.field(pp, "port"), "number"),
        validatePort(lng(get(proxy, "port"), "number")));
  }

  private void validatePortNameAndProtocol(JsonNode port, String p) {
    String name = str(port, "name");
    if (!name.isEmpty() && !Names.isDns1123Label(name)) {
      error(FieldPath.field(p, "name"), "invalid port name: " + name);
    }
    String protocol = str(port, "protocol");
    if (!protocol.isEmpty()
        && Protocol.parse(protocol) == Protocol.UNSUPPORTED
        && !protocol.equalsIgnoreCase("HTTP_PROXY")) {
      error(FieldPath.field(p, "protocol"), "unsupported protocol: " + protocol);
    }
  }

  private void validateBind(String bind, String p) {
    if (!bind.isEmpty() && !Names.isIpAddress(bind)) {
      error(p, bind + " is not a valid IP");
    }
  }

  private static String validatePort(long port) {
    return port >= 1 && port <= 65535
        ? null
        : "port number " + port + " must be in the range 1..65535";
  }

  private void error(String path, String message) {
    problems.error(path, message);
  }

  private void report(String path, String errorOrNull) {
    if (errorOrNull != null) {
      problems.error(path, errorOrNull);
    }
  }
}
