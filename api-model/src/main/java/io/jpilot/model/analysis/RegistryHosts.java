package io.jpilot.model.analysis;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ServiceEntry;
import io.jpilot.model.registry.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The hosts the registry knows, and whether a host may be checked against it. A host is only
 * reported as missing when the input holds the registry objects that could define it: Kubernetes
 * Services for {@code *.svc.<domain>} hosts, Services or ServiceEntries for the rest. An input of
 * Istio config alone is not expected to carry the registry.
 */
final class RegistryHosts {
  private static final String SERVICE_ENTRY = ServiceEntry.KIND;

  private final String clusterLocalSuffix;
  private final Set<String> exact = new TreeSet<>();
  private final List<String> wildcards = new ArrayList<>();
  private final boolean checkClusterLocal;
  private final boolean checkOthers;
  private boolean skippedClusterLocal;
  private boolean skippedOthers;

  private RegistryHosts(AnalysisContext ctx) {
    this.clusterLocalSuffix = ".svc." + ctx.domainSuffix;
    for (String host : ctx.snapshot.services().keySet()) {
      if (host.startsWith("*")) {
        wildcards.add(host);
      } else {
        exact.add(host);
      }
    }
    boolean kube = false;
    for (MeshObject o : ctx.objects) {
      if (o instanceof Service) {
        kube = true;
        break;
      }
    }
    this.checkClusterLocal = kube;
    this.checkOthers = kube || ctx.hasKind(SERVICE_ENTRY);
  }

  static RegistryHosts of(AnalysisContext ctx) {
    return new RegistryHosts(ctx);
  }

  /**
   * Whether {@code host} (an FQDN, not a wildcard) is known to be missing. Hosts that cannot be
   * checked count as present and are remembered for {@link #notes}.
   */
  boolean missing(String host) {
    if (host.startsWith("*")) {
      return false;
    }
    boolean clusterLocal = host.endsWith(clusterLocalSuffix);
    if (clusterLocal ? !checkClusterLocal : !checkOthers) {
      if (clusterLocal) {
        skippedClusterLocal = true;
      } else {
        skippedOthers = true;
      }
      return false;
    }
    if (exact.contains(host)) {
      return false;
    }
    for (String w : wildcards) {
      if (AnalysisContext.matchesWildcard(w, host)) {
        return false;
      }
    }
    return true;
  }

  /** INFO notes about host checks that could not run; call after every {@link #missing} call. */
  void notes(List<Diagnostic> out) {
    if (!skippedClusterLocal && !skippedOthers) {
      return;
    }
    String why =
        skippedOthers
            ? "the input has no Services or ServiceEntries"
            : "the input has no Kubernetes Services (add their manifests to check *"
                + clusterLocalSuffix
                + " hosts)";
    out.add(
        new Diagnostic(
            Severity.INFO,
            "",
            "",
            "",
            "hosts of routes and DestinationRules were not checked against the registry: " + why));
  }
}
