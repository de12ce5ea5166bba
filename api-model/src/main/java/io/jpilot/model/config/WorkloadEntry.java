package io.jpilot.model.config;

import static java.util.Objects.requireNonNull;

/**
 * networking.istio.io WorkloadEntry: a workload outside Kubernetes (a VM, a bare process) that
 * ServiceEntries and Kubernetes Services select by labels like a pod. The spec's labels already
 * include the object's metadata labels (metadata wins), as istiod merges them.
 */
public record WorkloadEntry(ConfigMeta meta, WorkloadEndpoint spec) implements IstioConfig {
  public static final String KIND = "WorkloadEntry";

  public WorkloadEntry {
    requireNonNull(meta, "meta");
    requireNonNull(spec, "spec");
  }
}
