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
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.ConfigMeta;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.Gateway;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.ServiceEntry;
import io.jpilot.model.config.Sidecar;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.config.WorkloadEntry;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Namespace;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns one JSON/YAML document into a model object, validating it on the way.
 *
 * <p>Supported: Kubernetes {@code v1} Service, Pod and Namespace, {@code discovery.k8s.io/v1}
 * EndpointSlice, and Istio {@code networking.istio.io} {@code v1}, {@code v1beta1} and {@code
 * v1alpha3} VirtualService, DestinationRule, ServiceEntry and WorkloadEntry. Istio objects are
 * checked against the whole Istio
 * networking schema (unknown fields, wrong shapes, oneofs, deprecated fields) and then with
 * istiod's own semantic checks and texts. An object with an ERROR diagnostic yields no object; one
 * with only WARNINGs is kept. Kinds jpilot does not handle are skipped with an INFO "not checked";
 * a handled kind in an unsupported apiVersion with a WARNING.
 */
public final class ObjectParser {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  static final String REGION_LABEL = "topology.kubernetes.io/region";
  static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  static final String SUBZONE_LABEL = "topology.istio.io/subzone";
  static final String EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo";
  private static final Set<String> ISTIO_NETWORKING_VERSIONS =
      Set.of(
          "networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3");

  private ObjectParser() {}

  /**
   * @param source the file (or API object) the document came from, used in diagnostics and in
   *     {@link ConfigMeta#source()}
   * @param domainSuffix the cluster's DNS suffix, e.g. {@code cluster.local}
   */
  public static ParseResult parse(JsonNode doc, String source, String domainSuffix) {
    requireNonNull(doc, "doc");
    requireNonNull(source, "source");
    requireNonNull(domainSuffix, "domainSuffix");
    Problems problems = new Problems(source, "");
    if (!doc.isObject()) {
      problems.error(
          "",
          "expected a Kubernetes object (a map with apiVersion, kind and metadata), got "
              + SchemaChecker.got(doc));
      return new ParseResult(Optional.empty(), problems.diagnostics());
    }
    String kind = text(doc.get("kind"));
    String apiVersion = text(doc.get("apiVersion"));
    JsonNode metadata = doc.get("metadata");
    String name = text(metadata == null ? null : metadata.get("name"));
    String metaNamespace = text(metadata == null ? null : metadata.get("namespace"));
    boolean clusterScoped = kind.equals(Namespace.KIND);
    String namespace = clusterScoped ? "" : metaNamespace.isEmpty() ? "default" : metaNamespace;
    ConfigKey key = new ConfigKey(kind, namespace, name);
    problems.object(name.isEmpty() ? kind : key.toString());

    if (kind.isEmpty()) {
      problems.error("kind", "required field is missing: every object needs apiVersion and kind");
      return new ParseResult(Optional.empty(), problems.diagnostics(), key);
    }
    if (apiVersion.isEmpty()) {
      problems.error(
          "apiVersion", "required field is missing: every object needs apiVersion and kind");
      return new ParseResult(Optional.empty(), problems.diagnostics(), key);
    }
    Schema.Message schema = schemaFor(apiVersion, kind);
    if (schema == null) {
      if (supportsKind(kind)) {
        problems.warning(
            "", "unsupported kind " + kind + " (apiVersion " + apiVersion + "); skipped");
      } else {
        problems.add(Severity.INFO, "", notHandled(kind, apiVersion));
      }
      return new ParseResult(Optional.empty(), problems.diagnostics(), key);
    }

    new SchemaChecker(problems, kind).check(doc, schema, "");
    if (name.isEmpty()) {
      problems.error("metadata.name", "required field is missing");
    } else if (metadata.get("name").isTextual()) {
      String err = Names.validateObjectName(name);
      if (err != null) {
        problems.error("metadata.name", err);
      }
    }
    if (!clusterScoped && !metaNamespace.isEmpty()) {
      String err = Names.validateNamespaceName(metaNamespace);
      if (err != null) {
        problems.error("metadata.namespace", err);
      }
    }
    Instant created = creationTimestamp(metadata, problems);
    if (problems.hasErrors()) {
      return new ParseResult(Optional.empty(), problems.diagnostics(), key);
    }

    Map<String, String> labels = stringMap(metadata, "labels");
    JsonNode spec = get(doc, "spec");
    MeshObject object;
    switch (kind) {
      case Service.KIND:
        object = withExportTo(service(name, namespace, labels, spec, domainSuffix), metadata);
        break;
      case EndpointSlice.KIND:
        object = endpointSlice(name, namespace, labels, doc, problems);
        break;
      case Pod.KIND:
        object = pod(name, namespace, labels, doc);
        break;
      case Namespace.KIND:
        object = new Namespace(name, labels);
        break;
      case VirtualService.KIND:
        new IstioValidator(problems).validateVirtualService(spec, namespace);
        object =
            L4RouteParser.withL4Routes(
                virtualService(new ConfigMeta(key, labels, created, source), spec), spec);
        break;
      case DestinationRule.KIND:
        new IstioValidator(problems).validateDestinationRule(spec, namespace);
        object =
            DestinationRuleParser.destinationRule(
                new ConfigMeta(key, labels, created, source), spec);
        break;
      case ServiceEntry.KIND:
        object =
            ServiceEntryParser.serviceEntry(
                new ConfigMeta(key, labels, created, source), spec, problems);
        break;
      case WorkloadEntry.KIND:
        object =
            ServiceEntryParser.workloadEntry(
                new ConfigMeta(key, labels, created, source), spec, problems);
        break;
      case Sidecar.KIND:
        object =
            new SidecarParser(problems).parse(new ConfigMeta(key, labels, created, source), spec);
        break;
      case Gateway.KIND:
        object =
            new GatewayParser(problems).parse(new ConfigMeta(key, labels, created, source), spec);
        break;
      default:
        throw new AssertionError(kind);
    }
    if (problems.hasErrors()) {
      return new ParseResult(Optional.empty(), problems.diagnostics(), key);
    }
    return new ParseResult(Optional.of(object), problems.diagnostics(), key);
  }

  /**
   * Whether {@link #parse} turns objects of this apiVersion and kind into model objects (anything
   * else is skipped with a note). Lets a source watch only what the model reads.
   */
  public static boolean supports(String apiVersion, String kind) {
    requireNonNull(apiVersion, "apiVersion");
    requireNonNull(kind, "kind");
    return schemaFor(apiVersion, kind) != null;
  }

  /** The apiVersions tried by {@link #supportsKind}: every group jpilot reads objects from. */
  private static final List<String> KNOWN_API_VERSIONS =
      List.of(
          "v1",
          "discovery.k8s.io/v1",
          "networking.istio.io/v1",
          "networking.istio.io/v1beta1",
          "networking.istio.io/v1alpha3");

  /**
   * Whether jpilot reads and checks objects of {@code kind} (in at least one apiVersion). Objects
   * of other kinds are reported as not checked and never reach the config store.
   */
  public static boolean supportsKind(String kind) {
    requireNonNull(kind, "kind");
    for (String apiVersion : KNOWN_API_VERSIONS) {
      if (schemaFor(apiVersion, kind) != null) {
        return true;
      }
    }
    return false;
  }

  private static String notHandled(String kind, String apiVersion) {
    return kind + " (" + apiVersion + ") is not handled by jpilot; not checked";
  }

  private static Schema.Message schemaFor(String apiVersion, String kind) {
    switch (kind) {
      case Service.KIND:
        return apiVersion.equals("v1") ? KubernetesSchema.SERVICE : null;
      case Pod.KIND:
        return apiVersion.equals("v1") ? KubernetesSchema.POD : null;
      case Namespace.KIND:
        return apiVersion.equals("v1") ? KubernetesSchema.NAMESPACE : null;
      case EndpointSlice.KIND:
        return apiVersion.equals("discovery.k8s.io/v1") ? KubernetesSchema.ENDPOINT_SLICE : null;
      case VirtualService.KIND:
        return ISTIO_NETWORKING_VERSIONS.contains(apiVersion) ? VS_OBJECT : null;
      case DestinationRule.KIND:
        return ISTIO_NETWORKING_VERSIONS.contains(apiVersion) ? DR_OBJECT : null;
      case ServiceEntry.KIND:
        return ISTIO_NETWORKING_VERSIONS.contains(apiVersion)
            ? ServiceEntryParser.SERVICE_ENTRY_OBJECT
            : null;
      case WorkloadEntry.KIND:
        return ISTIO_NETWORKING_VERSIONS.contains(apiVersion)
            ? ServiceEntryParser.WORKLOAD_ENTRY_OBJECT
            : null;
      case Sidecar.KIND:
        return ISTIO_NETWORKING_VERSIONS.contains(apiVersion) ? SIDECAR_OBJECT : null;
      case Gateway.KIND:
        return ISTIO_NETWORKING_VERSIONS.contains(apiVersion) ? GATEWAY_OBJECT : null;
      default:
        return null;
    }
  }

  private static final Schema.Message VS_OBJECT =
      KubernetesSchema.istioObject(IstioSchema.VIRTUAL_SERVICE);
  private static final Schema.Message DR_OBJECT =
      KubernetesSchema.istioObject(IstioSchema.DESTINATION_RULE);
  private static final Schema.Message SIDECAR_OBJECT =
      KubernetesSchema.istioObject(SidecarSchema.SIDECAR);
  private static final Schema.Message GATEWAY_OBJECT =
      KubernetesSchema.istioObject(GatewaySchema.GATEWAY);

  private static Instant creationTimestamp(JsonNode metadata, Problems problems) {
    JsonNode ts = get(metadata, "creationTimestamp");
    if (ts == null || !ts.isTextual()) {
      return Instant.EPOCH;
    }
    try {
      return OffsetDateTime.parse(ts.textValue(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant();
    } catch (DateTimeParseException e) {
      problems.error(
          "metadata.creationTimestamp",
          "invalid timestamp \""
              + ts.textValue()
              + "\" (expected: RFC 3339, e.g. \"2024-05-01T12:00:00Z\")");
      return Instant.EPOCH;
    }
  }

  // ---- Kubernetes ---------------------------------------------------------------------------

  private static Service service(
      String name,
      String namespace,
      Map<String, String> labels,
      JsonNode spec,
      String domainSuffix) {
    List<ServicePort> ports = new ArrayList<>();
    for (JsonNode p : list(spec, "ports")) {
      String portName = str(p, "name");
      int port = (int) lng(p, "port");
      int targetPort = port;
      String targetPortName = "";
      JsonNode tp = get(p, "targetPort");
      if (tp != null && tp.isIntegralNumber()) {
        targetPort = tp.asInt();
      } else if (tp != null && tp.isTextual()) {
        if (tp.textValue().matches("[0-9]{1,5}")) {
          targetPort = Integer.parseInt(tp.textValue());
        } else {
          targetPort = 0;
          targetPortName = tp.textValue();
        }
      }
      Protocol protocol =
          Protocol.forServicePort(portName, str(p, "appProtocol"), str(p, "protocol"));
      ports.add(new ServicePort(portName, port, targetPort, targetPortName, protocol));
    }
    String clusterIp = str(spec, "clusterIP");
    if (clusterIp.equals("None")) {
      clusterIp = "";
    }
    String hostname = name + "." + namespace + ".svc." + domainSuffix;
    return new Service(
        hostname, name, namespace, clusterIp, ports, stringMap(spec, "selector"), labels);
  }

  private static EndpointSlice endpointSlice(
      String name, String namespace, Map<String, String> labels, JsonNode doc, Problems problems) {
    String serviceName = labels.getOrDefault(SERVICE_NAME_LABEL, "");
    if (serviceName.isEmpty()) {
      problems.error(
          FieldPath.key("metadata.labels", SERVICE_NAME_LABEL),
          "required label is missing: it names the Service this slice belongs to");
    }
    List<EndpointSlice.Port> ports = new ArrayList<>();
    List<JsonNode> portNodes = list(doc, "ports");
    for (int i = 0; i < portNodes.size(); i++) {
      JsonNode p = portNodes.get(i);
      if (!has(p, "port")) {
        problems.warning(
            FieldPath.index("ports", i),
            "port without a number (all ports) is not supported; skipped");
        continue;
      }
      long port = lng(p, "port");
      if (port < 1 || port > 65535) {
        problems.error(
            FieldPath.field(FieldPath.index("ports", i), "port"),
            "invalid value " + port + ": must be between 1 and 65535, inclusive");
        continue;
      }
      ports.add(new EndpointSlice.Port(str(p, "name"), (int) port));
    }
    List<EndpointSlice.Entry> endpoints = new ArrayList<>();
    for (JsonNode e : list(doc, "endpoints")) {
      JsonNode conditions = get(e, "conditions");
      boolean ready = !has(conditions, "ready") || bool(conditions, "ready");
      JsonNode targetRef = get(e, "targetRef");
      String podName = Pod.KIND.equals(str(targetRef, "kind")) ? str(targetRef, "name") : "";
      endpoints.add(
          new EndpointSlice.Entry(
              strings(e, "addresses"), ready, str(e, "zone"), str(e, "nodeName"), podName));
    }
    return new EndpointSlice(name, namespace, serviceName, ports, endpoints);
  }

  private static Pod pod(String name, String namespace, Map<String, String> labels, JsonNode doc) {
    JsonNode status = get(doc, "status");
    Set<String> ips = new LinkedHashSet<>();
    if (!str(status, "podIP").isEmpty()) {
      ips.add(str(status, "podIP"));
    }
    for (JsonNode ip : list(status, "podIPs")) {
      if (!str(ip, "ip").isEmpty()) {
        ips.add(str(ip, "ip"));
      }
    }
    Locality locality =
        new Locality(
            labels.getOrDefault(REGION_LABEL, ""),
            labels.getOrDefault(ZONE_LABEL, ""),
            labels.getOrDefault(SUBZONE_LABEL, ""));
    JsonNode podSpec = get(doc, "spec");
    String serviceAccount = str(podSpec, "serviceAccountName");
    SortedMap<String, Integer> ports = new TreeMap<>();
    for (JsonNode c : list(podSpec, "containers")) {
      for (JsonNode p : list(c, "ports")) {
        String protocol = str(p, "protocol");
        if (!str(p, "name").isEmpty() && (protocol.isEmpty() || protocol.equals("TCP"))) {
          ports.putIfAbsent(str(p, "name"), (int) lng(p, "containerPort"));
        }
      }
    }
    return new Pod(
        name,
        namespace,
        labels,
        new ArrayList<>(ips),
        str(podSpec, "nodeName"),
        locality,
        serviceAccount.isEmpty() ? "default" : serviceAccount,
        ports);
  }

  // ---- Istio --------------------------------------------------------------------------------

  private static VirtualService virtualService(ConfigMeta meta, JsonNode spec) {
    List<HttpRoute> http = VirtualServiceParser.httpRoutes(spec);
    return new VirtualService(
        meta, strings(spec, "hosts"), strings(spec, "gateways"), http, strings(spec, "exportTo"));
  }

  /** The {@code networking.istio.io/exportTo} annotation: comma-separated namespaces. */
  private static Service withExportTo(Service svc, JsonNode metadata) {
    String exportTo = stringMap(metadata, "annotations").getOrDefault(EXPORT_TO_ANNOTATION, "");
    List<String> namespaces = new ArrayList<>();
    for (String ns : exportTo.split(",")) {
      if (!ns.trim().isEmpty()) {
        namespaces.add(ns.trim());
      }
    }
    return namespaces.isEmpty() ? svc : svc.withExportTo(namespaces);
  }

  private static String text(JsonNode n) {
    return n != null && n.isTextual() ? n.textValue() : "";
  }
}
