package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.registry.Endpoint;
import io.jpilot.model.registry.Protocol;
import io.jpilot.model.registry.Service;
import io.jpilot.model.registry.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The proxy's own workload as istiod's ServiceTargets: every (service, port) whose endpoints
 * include one of the proxy's IPs, with the port the workload listens on. When no endpoint names the
 * proxy, services in its namespace whose selector matches its labels count, with their numeric
 * target ports (istiod's GetProxyServiceTargetsFromMetadata).
 */
final class ServiceTargets {
  /** One service port served by the proxy's workload on {@code targetPort}. */
  record Target(Service service, ServicePort port, int targetPort) {
    Target {
      requireNonNull(service, "service");
      requireNonNull(port, "port");
    }

    Protocol protocol() {
      return port.protocol();
    }
  }

  private ServiceTargets() {}

  /** Targets in service hostname order, then service port order; UDP ports left out. */
  static List<Target> of(MeshSnapshot snapshot, ProxyView proxy) {
    Set<Target> out = new LinkedHashSet<>();
    for (Service svc : snapshot.services().values()) {
      for (Endpoint e : snapshot.endpoints(svc.hostname())) {
        if (!proxy.ips().contains(e.address())) {
          continue;
        }
        Optional<ServicePort> port = svc.portNamed(e.servicePortName());
        if (port.isEmpty() && svc.ports().size() == 1) {
          port = Optional.of(svc.ports().get(0));
        }
        port.filter(p -> p.protocol() != Protocol.UDP)
            .ifPresent(p -> out.add(new Target(svc, p, e.port())));
      }
    }
    if (out.isEmpty()) {
      for (Service svc : snapshot.services().values()) {
        if (!svc.namespace().equals(proxy.namespace())
            || svc.selector().isEmpty()
            || !proxy.labels().entrySet().containsAll(svc.selector().entrySet())) {
          continue;
        }
        for (ServicePort p : svc.ports()) {
          if (p.targetPort() > 0 && p.protocol() != Protocol.UDP) {
            out.add(new Target(svc, p, p.targetPort()));
          }
        }
      }
    }
    List<Target> sorted = new ArrayList<>(out);
    sorted.sort(
        java.util.Comparator.comparing((Target t) -> t.service().hostname())
            .thenComparingInt(t -> t.port().port())
            .thenComparingInt(Target::targetPort));
    return sorted;
  }
}
