package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import io.jpilot.model.config.CaptureMode;
import io.jpilot.model.config.Sidecar;
import io.jpilot.model.config.SidecarIngressListener;
import io.jpilot.model.registry.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * istiod's inboundChainConfig list (listener_inbound.go buildInboundChainConfigs): one entry per
 * workload port the sidecar accepts traffic on. Without Sidecar ingress listeners they come from
 * the services selecting the proxy's workload (keyed by target port, first service wins); with
 * them, only from the ingress listeners. Shared by LDS (filter chains) and CDS (inbound clusters).
 */
final class InboundChains {
  /**
   * One inbound chain.
   *
   * @param hostname the service it was built for, or {@code <sidecar>.<namespace>} for an ingress
   *     listener (istiod's synthetic telemetry hostname)
   * @param servicePort the service (or Sidecar) port number, used in names and the trace operation
   * @param targetPort the workload port: the filter chain's destination_port and the cluster name
   * @param bind the address the chain belongs to (the wildcard unless the listener says)
   * @param bindToPort true when the chain becomes its own listener (captureMode NONE)
   * @param defaultEndpoint where a Sidecar ingress listener forwards to; empty means the original
   *     destination
   * @param sidecar the Sidecar that declared it, for the chain's config metadata
   * @param targets the service targets on this port (all of them, for cluster metadata)
   */
  record Config(
      String hostname,
      String portName,
      int servicePort,
      int targetPort,
      Protocol protocol,
      String bind,
      boolean bindToPort,
      String defaultEndpoint,
      Optional<Sidecar> sidecar,
      List<ServiceTargets.Target> targets) {
    Config {
      requireNonNull(hostname, "hostname");
      requireNonNull(portName, "portName");
      requireNonNull(protocol, "protocol");
      requireNonNull(bind, "bind");
      requireNonNull(defaultEndpoint, "defaultEndpoint");
      requireNonNull(sidecar, "sidecar");
      targets = List.copyOf(targets);
    }

    String clusterName() {
      return SidecarNames.inboundCluster(targetPort);
    }

    /** {@code <bind>_<targetPort>}: the chain name and, for bound ports, the listener name. */
    String name() {
      return IstioNames.listenerName(bind, targetPort);
    }
  }

  private InboundChains() {}

  /** The chain configs of {@code proxy}, sorted by target port. */
  static List<Config> of(SidecarScope scope, ProxyView proxy) {
    SortedMap<Integer, Config> byPort = new TreeMap<>();
    List<SidecarIngressListener> ingress = scope.ingressListeners();
    if (ingress.isEmpty()) {
      List<ServiceTargets.Target> targets = ServiceTargets.of(scope.snapshot(), proxy);
      for (ServiceTargets.Target t : targets) {
        if (byPort.containsKey(t.targetPort())) {
          continue; // the first service on a port wins, as in istiod
        }
        List<ServiceTargets.Target> onPort = new ArrayList<>();
        for (ServiceTargets.Target o : targets) {
          if (o.targetPort() == t.targetPort()) {
            onPort.add(o);
          }
        }
        byPort.put(
            t.targetPort(),
            new Config(
                t.service().hostname(),
                t.port().name(),
                t.port().port(),
                t.targetPort(),
                t.protocol(),
                IstioNames.WILDCARD_ADDRESS,
                false,
                "",
                Optional.empty(),
                onPort));
      }
    } else {
      Sidecar sidecar = scope.sidecar().orElseThrow();
      String synthetic = sidecar.meta().name() + "." + scope.namespace();
      for (SidecarIngressListener in : ingress) {
        int port = in.port().number();
        if (byPort.containsKey(port)) {
          continue;
        }
        byPort.put(
            port,
            new Config(
                synthetic,
                in.port().name(),
                port,
                port,
                in.port().parsedProtocol(),
                in.bind().isEmpty() ? IstioNames.WILDCARD_ADDRESS : in.bind(),
                in.captureMode() == CaptureMode.NONE,
                in.defaultEndpoint(),
                Optional.of(sidecar),
                List.of()));
      }
    }
    return List.copyOf(byPort.values());
  }
}
