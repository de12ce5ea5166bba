package io.jpilot.model.parse;

import static io.jpilot.model.parse.IstioValidator.enumName;
import static io.jpilot.model.parse.IstioValidator.get;
import static io.jpilot.model.parse.IstioValidator.has;
import static io.jpilot.model.parse.IstioValidator.list;
import static io.jpilot.model.parse.IstioValidator.lng;
import static io.jpilot.model.parse.IstioValidator.map;
import static io.jpilot.model.parse.IstioValidator.str;
import static io.jpilot.model.parse.IstioValidator.stringMap;
import static io.jpilot.model.parse.IstioValidator.strings;
import static io.jpilot.model.parse.Schema.Scalar.STRING;
import static io.jpilot.model.parse.Schema.Scalar.UINT32;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.jpilot.model.config.ConfigMeta;
import io.jpilot.model.config.ServiceEntry;
import io.jpilot.model.config.WorkloadEndpoint;
import io.jpilot.model.config.WorkloadEntry;
import io.jpilot.model.parse.Schema.EnumType;
import io.jpilot.model.parse.Schema.Message;
import io.jpilot.model.registry.Protocol;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * ServiceEntry and WorkloadEntry: their networking.istio.io schema (every legal field), istiod's
 * semantic checks (ValidateServiceEntry, ValidateWorkloadEntry, with istiod's texts, each on the
 * field path it is about) and the records they become.
 */
final class ServiceEntryParser {
  private static final String UNIX_PREFIX = "unix://";

  private ServiceEntryParser() {}

  // ---- schema -------------------------------------------------------------------------------

  static final Message SERVICE_PORT =
      Message.builder("ServicePort")
          .field("number", UINT32)
          .field("protocol", STRING)
          .field("name", STRING)
          .field("targetPort", UINT32)
          .build();

  static final Message WORKLOAD_ENTRY =
      Message.builder("WorkloadEntry")
          .field("address", STRING)
          .map("ports", UINT32)
          .map("labels", STRING)
          .field("network", STRING)
          .field("locality", STRING)
          .field("weight", UINT32)
          .field("serviceAccount", STRING)
          .wrapHint("{address: %s}")
          .build();

  static final Message SE_WORKLOAD_SELECTOR =
      Message.builder("WorkloadSelector").map("labels", STRING).build();

  static final Message SERVICE_ENTRY =
      Message.builder("ServiceEntry")
          .list("hosts", STRING)
          .list("addresses", STRING)
          .list("ports", SERVICE_PORT)
          .field("location", EnumType.of("Location", "MESH_EXTERNAL", "MESH_INTERNAL"))
          .field(
              "resolution",
              EnumType.of("Resolution", "NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"))
          .list("endpoints", WORKLOAD_ENTRY)
          .field("workloadSelector", SE_WORKLOAD_SELECTOR)
          .list("exportTo", STRING)
          .list("subjectAltNames", STRING)
          .build();

  static final Message SERVICE_ENTRY_OBJECT = KubernetesSchema.istioObject(SERVICE_ENTRY);
  static final Message WORKLOAD_ENTRY_OBJECT = KubernetesSchema.istioObject(WORKLOAD_ENTRY);

  // ---- ServiceEntry -------------------------------------------------------------------------

  /** Validates the spec (reporting into {@code problems}) and builds the record. */
  static ServiceEntry serviceEntry(ConfigMeta meta, JsonNode spec, Problems problems) {
    validateServiceEntry(spec, meta.namespace(), problems);
    List<ServiceEntry.Port> ports = new ArrayList<>();
    for (JsonNode p : list(spec, "ports")) {
      ports.add(
          new ServiceEntry.Port(
              (int) lng(p, "number"),
              str(p, "protocol"),
              str(p, "name"),
              (int) lng(p, "targetPort")));
    }
    List<WorkloadEndpoint> endpoints = new ArrayList<>();
    for (JsonNode e : list(spec, "endpoints")) {
      endpoints.add(workloadEndpoint(e, Map.of()));
    }
    JsonNode selector = get(spec, "workloadSelector");
    return new ServiceEntry(
        meta,
        strings(spec, "hosts"),
        strings(spec, "addresses"),
        ports,
        ServiceEntry.Location.valueOf(
            enumName(get(spec, "location"), "MESH_EXTERNAL", "MESH_INTERNAL")),
        ServiceEntry.Resolution.valueOf(
            enumName(
                get(spec, "resolution"),
                "NONE",
                "STATIC",
                "DNS",
                "DNS_ROUND_ROBIN",
                "DYNAMIC_DNS")),
        endpoints,
        selector == null ? Optional.empty() : Optional.of(stringMap(selector, "labels")),
        strings(spec, "exportTo"),
        strings(spec, "subjectAltNames"));
  }

  /** Validates the spec and builds the record; metadata labels win over spec labels. */
  static WorkloadEntry workloadEntry(ConfigMeta meta, JsonNode spec, Problems problems) {
    validateWorkloadEntry(spec, null, true, "spec", problems);
    return new WorkloadEntry(meta, workloadEndpoint(spec, meta.labels()));
  }

  private static WorkloadEndpoint workloadEndpoint(JsonNode e, Map<String, String> metaLabels) {
    SortedMap<String, Integer> ports = new TreeMap<>();
    map(e, "ports").forEach((k, v) -> ports.put(k, v.asInt()));
    Map<String, String> labels = new TreeMap<>(stringMap(e, "labels"));
    labels.putAll(metaLabels);
    return new WorkloadEndpoint(
        str(e, "address"),
        ports,
        labels,
        str(e, "network"),
        str(e, "locality"),
        (int) lng(e, "weight"),
        str(e, "serviceAccount"));
  }

  private static void validateServiceEntry(JsonNode spec, String namespace, Problems problems) {
    String p = "spec";
    String resolution =
        enumName(
            get(spec, "resolution"), "NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS");
    JsonNode selector = get(spec, "workloadSelector");
    List<JsonNode> endpoints = list(spec, "endpoints");
    List<String> hosts = strings(spec, "hosts");
    List<String> addresses = strings(spec, "addresses");
    List<JsonNode> ports = list(spec, "ports");
    String sp = FieldPath.field(p, "workloadSelector");
    if (selector != null) {
      SortedMap<String, String> labels = stringMap(selector, "labels");
      labels.forEach(
          (k, v) -> {
            if (k.isEmpty()) {
              problems.error(sp, "empty key is not supported in selector: " + quote(k + "=" + v));
            }
            if (k.contains("*") || v.contains("*")) {
              problems.error(sp, "wildcard is not supported in selector: " + quote(k + "=" + v));
            }
          });
      if (labels.isEmpty()) {
        problems.warning(
            sp,
            "service entry: workload selector specified without labels, will be applied to all"
                + " services in namespace");
      }
      if (has(spec, "endpoints")) {
        problems.error(p, "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
      }
    }
    if (hosts.isEmpty()) {
      problems.error(FieldPath.field(p, "hosts"), "service entry must have at least one host");
    }
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      String hp = FieldPath.index(FieldPath.field(p, "hosts"), i);
      if (host.equals("*")) {
        problems.error(hp, "invalid host " + host);
        continue;
      }
      String err = Names.validateWildcardDomain(host);
      if (err != null) {
        problems.error(hp, err);
      }
      if (!resolution.equals("DYNAMIC_DNS")
          && host.contains("*")
          && host.length() != 1
          && !host.startsWith("*.")) {
        problems.warning(hp, "partial wildcard " + quote(host) + " not allowed");
      }
    }
    boolean cidr = false;
    for (int i = 0; i < addresses.size(); i++) {
      String a = addresses.get(i);
      cidr |= a.contains("/");
      String err = Names.validateIpSubnet(a);
      if (err != null) {
        problems.error(FieldPath.index(FieldPath.field(p, "addresses"), i), err);
      }
    }
    if (cidr && !resolution.equals("NONE") && !resolution.equals("STATIC")) {
      problems.error(
          FieldPath.field(p, "addresses"),
          "CIDR addresses are allowed only for NONE/STATIC resolution types");
    }
    Set<String> portNames = new HashSet<>();
    Set<Long> portNumbers = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      JsonNode port = ports.get(i);
      String pp = FieldPath.index(FieldPath.field(p, "ports"), i);
      String name = str(port, "name");
      long number = lng(port, "number");
      String protocol = str(port, "protocol");
      if (!portNames.add(name)) {
        problems.error(
            FieldPath.field(pp, "name"),
            "service entry port name " + quote(name) + " already defined");
      }
      if (!portNumbers.add(number)) {
        problems.error(
            FieldPath.field(pp, "number"), "service entry port " + number + " already defined");
      }
      if (lng(port, "targetPort") != 0) {
        report(problems, FieldPath.field(pp, "targetPort"), validatePort(lng(port, "targetPort")));
      }
      if (addresses.isEmpty() && (protocol.isEmpty() || protocol.equals("TCP"))) {
        problems.warning(
            pp,
            "addresses are required for ports serving TCP (or unset) protocol when IP"
                + " Autoallocation is not enabled");
      }
      report(problems, FieldPath.field(pp, "name"), validatePortName(name));
      if (!protocol.isEmpty() && Protocol.parse(protocol) == Protocol.UNSUPPORTED) {
        problems.error(FieldPath.field(pp, "protocol"), "unsupported protocol: " + protocol);
      }
      report(problems, FieldPath.field(pp, "number"), validatePort(number));
    }
    String ep = FieldPath.field(p, "endpoints");
    switch (resolution) {
      case "NONE":
        if (!endpoints.isEmpty()) {
          problems.error(ep, "no endpoints should be provided for resolution type none");
        }
        if (selector != null) {
          problems.warning(sp, "workloadSelector should not be set when resolution mode is NONE");
        }
        break;
      case "STATIC":
        for (int i = 0; i < endpoints.size(); i++) {
          validateWorkloadEntry(
              endpoints.get(i), portNames, false, FieldPath.index(ep, i), problems);
        }
        break;
      case "DNS":
      case "DNS_ROUND_ROBIN":
        if (endpoints.isEmpty()) {
          for (int i = 0; i < hosts.size(); i++) {
            String err = Names.validateFqdn(hosts.get(i));
            if (err != null) {
              problems.error(
                  FieldPath.index(FieldPath.field(p, "hosts"), i),
                  "hosts must be FQDN or contain only prefix wildcards if no endpoints are"
                      + " provided for resolution mode "
                      + resolution
                      + ", "
                      + err);
              break;
            }
          }
        }
        if (resolution.equals("DNS_ROUND_ROBIN") && endpoints.size() > 1) {
          problems.error(
              ep, "there must only be 0 or 1 endpoint for resolution mode " + resolution);
        }
        for (int i = 0; i < endpoints.size(); i++) {
          JsonNode e = endpoints.get(i);
          String path = FieldPath.index(ep, i);
          String address = str(e, "address");
          if (!Names.isIpAddress(address) && Names.validateFqdn(address) != null) {
            problems.error(
                FieldPath.field(path, "address"),
                "endpoint address " + quote(address) + " is not a valid FQDN or an IP address");
          }
          report(
              problems,
              FieldPath.field(path, "labels"),
              Names.validateLabels(stringMap(e, "labels")));
          validateEndpointPorts(e, portNames, path, problems);
        }
        if (!addresses.isEmpty() && hosts.size() > 1) {
          for (JsonNode port : ports) {
            if (isTcp(Protocol.parse(str(port, "protocol")))) {
              problems.warning(
                  FieldPath.field(p, "hosts"),
                  "service entry can not have more than one host specified simultaneously with"
                      + " address and tcp port");
              break;
            }
          }
        }
        break;
      case "DYNAMIC_DNS":
        for (int i = 0; i < hosts.size(); i++) {
          if (!hosts.get(i).startsWith("*")) {
            problems.error(
                FieldPath.index(FieldPath.field(p, "hosts"), i),
                "host must be wildcarded for resolution mode " + resolution);
          }
        }
        if (!addresses.isEmpty()) {
          problems.error(
              FieldPath.field(p, "addresses"),
              "addresses cannot be set for resolution type "
                  + resolution
                  + ". HTTP route domains will only be generatedfrom the hosts field values");
        }
        if (!endpoints.isEmpty()) {
          problems.error(
              ep,
              "endpoints cannot be set for resolution type "
                  + resolution
                  + ". Destination IP address determined from hostsfield values");
        }
        for (int i = 0; i < ports.size(); i++) {
          Protocol proto = Protocol.parse(str(ports.get(i), "protocol"));
          if (proto != Protocol.HTTP
              && proto != Protocol.TLS
              && proto != Protocol.GRPC
              && proto != Protocol.HTTP2) {
            problems.error(
                FieldPath.field(FieldPath.index(FieldPath.field(p, "ports"), i), "protocol"),
                "only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type "
                    + resolution);
          }
        }
        break;
      default:
        break;
    }
    if (!resolution.equals("NONE") && hosts.size() > 1) {
      for (int i = 0; i < ports.size(); i++) {
        Protocol proto = Protocol.parse(str(ports.get(i), "protocol"));
        if (!proto.isHttp() && proto != Protocol.HTTPS && proto != Protocol.TLS) {
          problems.error(
              FieldPath.index(FieldPath.field(p, "ports"), i),
              "multiple hosts provided with non-HTTP, non-TLS ports");
          break;
        }
      }
    }
    validateExportTo(
        namespace, strings(spec, "exportTo"), FieldPath.field(p, "exportTo"), problems);
  }

  /** istiod's Protocol.IsTCP: the TCP-based protocols that are not HTTP. */
  private static boolean isTcp(Protocol p) {
    switch (p) {
      case TCP:
      case HTTPS:
      case TLS:
      case MONGO:
      case REDIS:
      case MYSQL:
        return true;
      default:
        return false;
    }
  }

  /** istiod's validateExportTo for ServiceEntries: {@code ~} (no one) is allowed alone. */
  private static void validateExportTo(
      String namespace, List<String> exportTo, String p, Problems problems) {
    Set<String> set = new LinkedHashSet<>();
    for (int i = 0; i < exportTo.size(); i++) {
      String e = exportTo.get(i);
      String key = e.equals(".") ? namespace : e;
      String ep = FieldPath.index(p, i);
      if (set.contains(key)) {
        problems.error(
            ep,
            key.equals(e)
                ? "duplicate entries in exportTo for entry " + e
                : "duplicate entries in exportTo: . and current namespace " + namespace);
      } else if (e.equals("~")) {
        set.add(key);
      } else if (!key.equals("*") && !key.equals(".") && !Names.isDns1123Label(key)) {
        problems.error(ep, "only .,*, or a valid DNS 1123 label is allowed as exportTo entry");
      } else {
        set.add(key);
      }
    }
    if (set.contains("*") && exportTo.size() > 1) {
      problems.error(
          p, "cannot have both public (*) and non-public exportTo values for a resource");
    }
    if (set.contains("~") && exportTo.size() > 1) {
      problems.error(p, "cannot export service entry to no one (~) and someone");
    }
  }

  // ---- WorkloadEntry ------------------------------------------------------------------------

  /**
   * istiod's validateWorkloadEntry.
   *
   * @param servicePorts the ServiceEntry's port names, or null for a WorkloadEntry object
   */
  private static void validateWorkloadEntry(
      JsonNode we, Set<String> servicePorts, boolean allowFqdn, String p, Problems problems) {
    String address = str(we, "address");
    String ap = FieldPath.field(p, "address");
    boolean unix = false;
    if (address.isEmpty()) {
      if (str(we, "network").isEmpty()) {
        problems.error(ap, "address is required");
        return;
      }
      problems.warning(ap, "address is unset with network " + quote(str(we, "network")));
    }
    if (address.startsWith(UNIX_PREFIX)) {
      unix = true;
      report(problems, ap, validateUnixAddress(address.substring(UNIX_PREFIX.length())));
      if (!map(we, "ports").isEmpty()) {
        problems.error(
            FieldPath.field(p, "ports"), "unix endpoint " + address + " must not include ports");
      }
    } else if (!address.isEmpty() && !Names.isIpAddress(address)) {
      if (!allowFqdn) {
        problems.error(ap, "endpoint address " + quote(address) + " is not a valid IP address");
      } else if (Names.validateFqdn(address) != null) {
        problems.error(
            ap, "endpoint address " + quote(address) + " is not a valid FQDN or an IP address");
      }
    }
    validateEndpointPorts(we, servicePorts, p, problems);
    report(problems, FieldPath.field(p, "labels"), Names.validateLabels(stringMap(we, "labels")));
    if (unix && servicePorts != null && servicePorts.size() != 1) {
      problems.error(p, "exactly 1 service port required for unix endpoints");
    }
  }

  private static void validateEndpointPorts(
      JsonNode we, Set<String> servicePorts, String p, Problems problems) {
    map(we, "ports")
        .forEach(
            (name, port) -> {
              String pp = FieldPath.key(FieldPath.field(p, "ports"), name);
              if (servicePorts != null && !servicePorts.contains(name)) {
                problems.error(
                    pp, "endpoint port " + port.asLong() + " is not defined by the service entry");
              }
              report(problems, pp, validatePortName(name));
              report(problems, pp, validatePort(port.asLong()));
            });
  }

  private static String validateUnixAddress(String address) {
    if (address.isEmpty()) {
      return "unix address must not be empty";
    }
    if (address.startsWith("@")) {
      return null;
    }
    if (!address.startsWith("/") || address.endsWith("/")) {
      return address + " is not an absolute path to a file";
    }
    return null;
  }

  private static String validatePortName(String name) {
    return Names.isDns1123Label(name) ? null : "invalid port name: " + name;
  }

  private static String validatePort(long port) {
    return port >= 1 && port <= 65535
        ? null
        : "port number " + port + " must be in the range 1..65535";
  }

  private static void report(Problems problems, String path, String errorOrNull) {
    if (errorOrNull != null) {
      problems.error(path, errorOrNull);
    }
  }

  private static String quote(String s) {
    return new TextNode(s).toString();
  }
}
