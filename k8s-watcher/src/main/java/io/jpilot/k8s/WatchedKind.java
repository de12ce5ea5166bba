package io.jpilot.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;

/**
 * One kind of Kubernetes object the source can watch: its API group, version, kind and resource
 * (plural) name. The whole {@link #catalogue()} is what the RBAC rules in {@code docker/} must
 * allow to list and watch.
 *
 * @param group API group, empty for the core group
 * @param namespaced false for cluster-scoped kinds (Node, Namespace)
 */
public record WatchedKind(
    String group, String version, String kind, String plural, boolean namespaced) {
  static final WatchedKind NAMESPACE = new WatchedKind("", "v1", "Namespace", "namespaces", false);
  static final WatchedKind NODE = new WatchedKind("", "v1", "Node", "nodes", false);
  static final WatchedKind SERVICE = new WatchedKind("", "v1", "Service", "services", true);
  static final WatchedKind POD = new WatchedKind("", "v1", "Pod", "pods", true);
  static final WatchedKind ENDPOINT_SLICE =
      new WatchedKind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true);

  private static final List<WatchedKind> CATALOGUE =
      List.of(
          NAMESPACE,
          NODE,
          SERVICE,
          POD,
          ENDPOINT_SLICE,
          istio("networking.istio.io", "VirtualService", "virtualservices"),
          istio("networking.istio.io", "DestinationRule", "destinationrules"),
          istio("networking.istio.io", "Gateway", "gateways"),
          istio("networking.istio.io", "ServiceEntry", "serviceentries"),
          istio("networking.istio.io", "WorkloadEntry", "workloadentries"),
          istio("networking.istio.io", "WorkloadGroup", "workloadgroups"),
          istio("networking.istio.io", "Sidecar", "sidecars"),
          istio("security.istio.io", "AuthorizationPolicy", "authorizationpolicies"),
          istio("security.istio.io", "PeerAuthentication", "peerauthentications"),
          istio("security.istio.io", "RequestAuthentication", "requestauthentications"));

  public WatchedKind {
    requireNonNull(group, "group");
    requireNonNull(version, "version");
    requireNonNull(kind, "kind");
    requireNonNull(plural, "plural");
  }

  private static WatchedKind istio(String group, String kind, String plural) {
    return new WatchedKind(group, "v1", kind, plural, true);
  }

  /**
   * Every kind the source knows, namespaces and nodes first. Istio kinds are watched in the version
   * istiod stores ({@code v1}); the source starts informers only for the kinds the parser reads
   * (plus Node, which only feeds Pod localities).
   */
  public static List<WatchedKind> catalogue() {
    return CATALOGUE;
  }

  /** {@code v1} or {@code group/version}, as in an object's apiVersion. */
  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /** The fabric8 context for generic access to this kind (no API discovery needed). */
  public ResourceDefinitionContext context() {
    return new ResourceDefinitionContext.Builder()
        .withGroup(group)
        .withVersion(version)
        .withKind(kind)
        .withPlural(plural)
        .withNamespaced(namespaced)
        .build();
  }

  @Override
  public String toString() {
    return group.isEmpty() ? plural : plural + "." + group;
  }
}
