package io.jpilot.model;

import io.jpilot.model.config.ServiceEntry;
import io.jpilot.model.config.WorkloadEndpoint;
import io.jpilot.model.config.WorkloadEntry;
import io.jpilot.model.registry.Endpoint;
import io.jpilot.model.registry.Locality;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Resolution;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * ServiceEntries and WorkloadEntries as a registry beside Kubernetes, the way istiod's serviceentry
 * controller does it:
 *
 * <ul>
 *   <li>every host of a ServiceEntry becomes a {@link Service} in the ServiceEntry's namespace,
 *       named by the host, with the ServiceEntry's ports, resolution, location, exportTo and
 *       subjectAltNames. A host Kubernetes already declares stays Kubernetes'; of several
 *       ServiceEntries for one host the oldest defines it, and the endpoints of all of them in that
 *       namespace are merged;
 *   <li>endpoints come from the inline {@code endpoints}, or from the WorkloadEntries and Pods of
 *       the namespace that {@code workloadSelector} selects, or (DNS resolutions without either)
 *       from the host name itself. The port is the workload's port for the service port name, else
 *       the {@code targetPort}, else the port number;
 *   <li>WorkloadEntries also back Kubernetes Services whose selector picks them.
 * </ul>
 */
final class ServiceEntryRegistry {
  /** The mesh trust domain for SPIFFE identities (MeshConfig.trustDomain default). */
  static final String TRUST_DOMAIN = "cluster.local";

  static final String UNSPECIFIED_IP = "0.0.0.0";
  private static final String UNIX_PREFIX = "unix://";
  private static final String LOCALITY_LABEL = "istio-locality";
  private static final String REGION_LABEL = "topology.kubernetes.io/region";
  private static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  private static final String SUBZONE_LABEL = "topology.istio.io/subzone";
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  private ServiceEntryRegistry() {}

  /** A workload a selector can pick: a Pod or a WorkloadEntry (istiod's WorkloadInstance). */
  private record Workload(
      int kindOrder,
      String namespace,
      String name,
      String address,
      Map<String, String> labels,
      Locality locality,
      int weight,
      String serviceAccount,
      String tlsMode,
      Map<String, Integer> portMap,
      boolean dnsOnly) {}

  /**
   * Adds the ServiceEntry services (where Kubernetes has none for the host) to {@code services} and
   * their endpoints, and the WorkloadEntry endpoints of Kubernetes services, to {@code endpoints}.
   */
  static void addTo(
      SortedMap<String, Service> services,
      Map<String, LinkedHashSet<Endpoint>> endpoints,
      List<ServiceEntry> serviceEntries,
      List<WorkloadEntry> workloadEntries,
      Collection<Pod> pods) {
    List<Workload> entryWorkloads = new ArrayList<>();
    for (WorkloadEntry we : workloadEntries) {
      entryWorkloads.add(
          fromEndpoint(we.spec(), we.meta().namespace(), we.meta().name(), we.meta().namespace()));
    }
    List<Workload> podWorkloads = new ArrayList<>();
    for (Pod p : pods) {
      if (!p.ips().isEmpty()) {
        podWorkloads.add(fromPod(p));
      }
    }

    // Kubernetes Services pick WorkloadEntries with their selector, like pods.
    for (Service svc : services.values()) {
      if (svc.registry() != Service.Registry.KUBERNETES || svc.selector().isEmpty()) {
        continue;
      }
      for (Workload w : sorted(entryWorkloads)) {
        if (!w.namespace().equals(svc.namespace())
            || w.labels().isEmpty()
            || !selects(svc.selector(), w.labels())) {
          continue;
        }
        for (ServicePort sp : svc.ports()) {
          int port = sp.targetPort() == 0 ? sp.port() : sp.targetPort();
          if (!sp.targetPortName().isEmpty()) {
            Integer named = w.portMap().get(sp.targetPortName());
            if (named == null || named == 0) {
              continue; // the service names a port this workload does not have
            }
            port = named;
          }
          endpoints
              .computeIfAbsent(svc.hostname(), h -> new LinkedHashSet<>())
              .add(endpoint(svc.hostname(), sp.name(), w, w.address(), port));
        }
      }
    }

    List<ServiceEntry> ordered = new ArrayList<>(serviceEntries);
    ordered.sort(
        Comparator.comparing((ServiceEntry se) -> se.meta().creationTimestamp())
            .thenComparing(se -> se.meta().name())
            .thenComparing(se -> se.meta().namespace()));
    Set<String> kubernetesHosts = new HashSet<>(services.keySet());
    Map<String, Set<Integer>> roundRobinPorts = new HashMap<>();
    for (ServiceEntry se : ordered) {
      for (String host : se.hosts()) {
        if (kubernetesHosts.contains(host)) {
          continue;
        }
        Service svc = services.get(host);
        if (svc == null) {
          svc = service(se, host);
          services.put(host, svc);
        } else if (!svc.namespace().equals(se.meta().namespace())) {
          continue; // another namespace already declares this host
        }
        LinkedHashSet<Endpoint> set = endpoints.computeIfAbsent(host, h -> new LinkedHashSet<>());
        Set<Integer> rrPorts = roundRobinPorts.computeIfAbsent(host, h -> new HashSet<>());
        for (Endpoint e : endpointsOf(se, host, entryWorkloads, podWorkloads)) {
          int number = portNumber(se, e.servicePortName());
          if (se.resolution() == ServiceEntry.Resolution.DNS_ROUND_ROBIN && !rrPorts.add(number)) {
            continue; // one endpoint per port for DNS_ROUND_ROBIN, the first wins
          }
          set.add(e);
        }
      }
    }
  }

  private static int portNumber(ServiceEntry se, String portName) {
    for (ServiceEntry.Port p : se.ports()) {
      if (p.name().equals(portName)) {
        return p.number();
      }
    }
    return 0;
  }

  private static Service service(ServiceEntry se, String host) {
    List<ServicePort> ports = new ArrayList<>();
    for (ServiceEntry.Port p : se.ports()) {
      ports.add(
          new ServicePort(
              p.name(),
              p.number(),
              p.targetPort() == 0 ? p.number() : p.targetPort(),
              "",
              Protocol.parse(p.protocol())));
    }
    return new Service(
        host,
        host,
        se.meta().namespace(),
        vip(se.addresses()),
        ports,
        Map.of(),
        se.meta().labels(),
        resolution(se.resolution()),
        se.location() == ServiceEntry.Location.MESH_EXTERNAL,
        se.subjectAltNames(),
        se.exportTo(),
        Service.Registry.SERVICE_ENTRY);
  }

  /** The first address, as an IP ({@code /32} and {@code /128} CIDRs become their IP). */
  private static String vip(List<String> addresses) {
    for (String a : addresses) {
      if (isIp(a)) {
        return a;
      }
      int slash = a.indexOf('/');
      if (slash > 0) {
        String ip = a.substring(0, slash);
        String bits = a.substring(slash + 1);
        if (isIp(ip) && bits.equals(ip.contains(":") ? "128" : "32")) {
          return ip;
        }
      }
    }
    return UNSPECIFIED_IP;
  }

  static Resolution resolution(ServiceEntry.Resolution r) {
    switch (r) {
      case STATIC:
        return Resolution.CLIENT_SIDE_LB;
      case DNS:
        return Resolution.DNS_LB;
      case DNS_ROUND_ROBIN:
        return Resolution.DNS_ROUND_ROBIN_LB;
      case DYNAMIC_DNS:
        return Resolution.DYNAMIC_DNS;
      case NONE:
      default:
        return Resolution.PASSTHROUGH;
    }
  }

  private static boolean isDns(ServiceEntry se) {
    return se.resolution() == ServiceEntry.Resolution.DNS
        || se.resolution() == ServiceEntry.Resolution.DNS_ROUND_ROBIN;
  }

  private static List<Endpoint> endpointsOf(
      ServiceEntry se, String host, List<Workload> entries, List<Workload> pods) {
    List<Endpoint> out = new ArrayList<>();
    String ns = se.meta().namespace();
    if (se.workloadSelector().isEmpty()) {
      if (se.endpoints().isEmpty() && isDns(se)) {
        // the host name itself is the address to resolve
        for (ServiceEntry.Port p : se.ports()) {
          int port = p.targetPort() > 0 ? p.targetPort() : p.number();
          out.add(
              new Endpoint(
                  host,
                  p.name(),
                  host,
                  port,
                  Map.of(),
                  Locality.NONE,
                  true,
                  se.meta().name(),
                  ns,
                  "",
                  0,
                  Endpoint.TLS_MODE_DISABLED));
        }
        return out;
      }
      for (int i = 0; i < se.endpoints().size(); i++) {
        Workload w = fromEndpoint(se.endpoints().get(i), ns, se.meta().name() + "-" + i, ns);
        out.addAll(forPorts(se, host, w));
      }
      return out;
    }
    Map<String, String> selector = se.workloadSelector().get();
    List<Workload> candidates = new ArrayList<>(pods);
    candidates.addAll(entries);
    for (Workload w : sorted(candidates)) {
      if (!w.namespace().equals(ns) || !selects(selector, w.labels())) {
        continue;
      }
      if (w.dnsOnly() && !isDns(se)) {
        continue;
      }
      out.addAll(forPorts(se, host, w));
    }
    return out;
  }

  /** One endpoint per ServiceEntry port (istiod's convertWorkloadInstanceToServiceInstance). */
  private static List<Endpoint> forPorts(ServiceEntry se, String host, Workload w) {
    List<Endpoint> out = new ArrayList<>();
    for (ServiceEntry.Port p : se.ports()) {
      String address = w.address();
      int port;
      if (address.startsWith(UNIX_PREFIX)) {
        address = address.substring(UNIX_PREFIX.length());
        port = 0;
      } else if (w.portMap().getOrDefault(p.name(), 0) > 0) {
        port = w.portMap().get(p.name());
      } else if (p.targetPort() > 0) {
        port = p.targetPort();
      } else {
        port = p.number();
      }
      out.add(endpoint(host, p.name(), w, address, port));
    }
    return out;
  }

  private static Endpoint endpoint(
      String host, String portName, Workload w, String address, int port) {
    return new Endpoint(
        host,
        portName,
        address,
        port,
        w.labels(),
        w.locality(),
        true,
        w.name(),
        w.namespace(),
        w.serviceAccount(),
        w.weight(),
        w.tlsMode());
  }

  private static List<Workload> sorted(List<Workload> workloads) {
    List<Workload> out = new ArrayList<>(workloads);
    out.sort(
        Comparator.comparingInt(Workload::kindOrder)
            .thenComparing(Workload::namespace)
            .thenComparing(Workload::name));
    return out;
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return labels.entrySet().containsAll(selector.entrySet());
  }

  /** istiod's convertWorkloadEntryToWorkloadInstance. */
  private static Workload fromEndpoint(
      WorkloadEndpoint we, String namespace, String name, String identityNamespace) {
    String address = we.address();
    boolean dnsOnly = address.startsWith(UNIX_PREFIX) || (!address.isEmpty() && !isIp(address));
    String tlsMode;
    if (we.labels().containsKey(Endpoint.TLS_MODE_LABEL)) {
      tlsMode = we.labels().get(Endpoint.TLS_MODE_LABEL);
    } else if (!we.serviceAccount().isEmpty()) {
      tlsMode = Endpoint.TLS_MODE_ISTIO;
    } else {
      tlsMode = Endpoint.TLS_MODE_DISABLED;
    }
    String locality = we.locality();
    if (locality.isEmpty() && we.labels().containsKey(LOCALITY_LABEL)) {
      locality = we.labels().get(LOCALITY_LABEL).replace('.', '/');
    }
    Locality loc = Locality.parse(locality);
    Map<String, String> labels = new TreeMap<>(we.labels());
    augment(labels, loc);
    return new Workload(
        1,
        namespace,
        name,
        address,
        labels,
        loc,
        we.weight(),
        we.serviceAccount().isEmpty() ? "" : spiffe(identityNamespace, we.serviceAccount()),
        tlsMode,
        we.ports(),
        dnsOnly);
  }

  private static Workload fromPod(Pod p) {
    return new Workload(
        0,
        p.namespace(),
        p.name(),
        p.ips().get(0),
        p.labels(),
        p.locality(),
        0,
        spiffe(p.namespace(), p.serviceAccount()),
        p.labels().getOrDefault(Endpoint.TLS_MODE_LABEL, Endpoint.TLS_MODE_DISABLED),
        p.ports(),
        false);
  }

  /** Adds the topology labels a locality implies (istiod's AugmentLabels), keeping set ones. */
  private static void augment(Map<String, String> labels, Locality locality) {
    if (!locality.region().isEmpty()) {
      labels.putIfAbsent(REGION_LABEL, locality.region());
    }
    if (!locality.zone().isEmpty()) {
      labels.putIfAbsent(ZONE_LABEL, locality.zone());
    }
    if (!locality.subZone().isEmpty()) {
      labels.putIfAbsent(SUBZONE_LABEL, locality.subZone());
    }
  }

  /** {@code spiffe://cluster.local/ns/<namespace>/sa/<account>}. */
  static String spiffe(String namespace, String serviceAccount) {
    return "spiffe://" + TRUST_DOMAIN + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  /** An IPv4 or IPv6 literal; never resolves a name. */
  static boolean isIp(String s) {
    if (IPV4.matcher(s).matches()) {
      for (String part : s.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    if (s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+")) {
      try {
        InetAddress.getByName(s);
        return true;
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }
    return false;
  }
}
