package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.Sidecar;
import io.jpilot.model.config.SidecarIngressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What of a proxy the translator can observe, so that proxies which differ only in what it cannot
 * observe share generated resources.
 *
 * <p>{@link #normalize} keeps every field of a {@link ProxyView} that translation reads (type,
 * namespace, DNS domain, labels, generator, locality) and drops the two it never reads (the node id
 * and the pod id). Addresses matter in three ways only: an address that is some endpoint's address
 * makes the proxy that workload (inbound clusters, its own address left out of headless listeners,
 * a gateway's service targets); the address family picks the DNS lookup family; and a Sidecar
 * ingress {@code defaultEndpoint} on {@code 0.0.0.0} or {@code [::]} forwards to the proxy's own
 * address. So, unless such an ingress listener exists somewhere in the mesh, every address that is
 * no endpoint's address is replaced by {@code 0.0.0.0} or {@code ::} (by family), in place, keeping
 * the order.
 *
 * <p>Translating the normalized view gives the same resources as translating the proxy itself; a
 * cache keyed on it therefore needs no other key. Tests check both halves of that claim.
 */
public final class TranslationInputs {
  static final String ANY_IPV4 = "0.0.0.0";
  static final String ANY_IPV6 = "::";

  private TranslationInputs() {}

  /** The proxy as translation of every type sees it (see the class comment). */
  public static ProxyView normalize(MeshSnapshot snapshot, ProxyView proxy) {
    requireNonNull(snapshot, "snapshot");
    requireNonNull(proxy, "proxy");
    List<String> ips = proxy.ips();
    if (!ips.isEmpty() && !ingressForwardsToOwnAddress(snapshot.sidecars())) {
      Set<String> workloads = snapshot.workloadAddresses();
      List<String> kept = new ArrayList<>(ips.size());
      for (String ip : ips) {
        kept.add(workloads.contains(ip) ? ip : unspecified(ip));
      }
      ips = kept;
    }
    return withIps(proxy, ips);
  }

  /**
   * The proxy as the translation of {@code type} for {@code names} sees it: {@link
   * #normalize(MeshSnapshot, ProxyView)}, and moreover no address at all (only each one's family)
   * where that translation never reads them: endpoints, and a sidecar's or gRPC client's named
   * route configurations. So sidecars of different pods share those whenever the rest of their view
   * is equal. (Listeners, clusters, a gateway's routes and a wildcard route request do read them.)
   */
  public static ProxyView normalize(
      MeshSnapshot snapshot, ProxyView proxy, XdsType type, Set<String> names) {
    requireNonNull(type, "type");
    requireNonNull(names, "names");
    boolean addressBlind =
        type == XdsType.ENDPOINT
            || (type == XdsType.ROUTE
                && !names.isEmpty()
                && (proxy.type() == ProxyView.Type.SIDECAR || proxy.isProxylessGrpc()));
    if (!addressBlind) {
      return normalize(snapshot, proxy);
    }
    List<String> ips = new ArrayList<>(proxy.ips().size());
    for (String ip : proxy.ips()) {
      ips.add(unspecified(ip));
    }
    return withIps(proxy, ips);
  }

  private static String unspecified(String ip) {
    return ip.contains(":") ? ANY_IPV6 : ANY_IPV4;
  }

  private static ProxyView withIps(ProxyView proxy, List<String> ips) {
    return new ProxyView(
        "",
        proxy.type(),
        ips,
        "",
        proxy.namespace(),
        proxy.dnsDomain(),
        proxy.labels(),
        proxy.generator(),
        proxy.locality());
  }

  private static boolean ingressForwardsToOwnAddress(List<Sidecar> sidecars) {
    for (Sidecar sc : sidecars) {
      for (SidecarIngressListener in : sc.ingress()) {
        String endpoint = in.defaultEndpoint();
        if (endpoint.startsWith(ANY_IPV4 + ":") || endpoint.startsWith("[::]:")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The service hostname an EDS resource (cluster) name refers to: {@code outbound|port|subset|host}
   * or the SNI form {@code outbound_.port_.subset_.host}. Empty for any other name.
   */
  public static Optional<String> clusterHost(String clusterName) {
    requireNonNull(clusterName, "clusterName");
    Optional<ClusterKey> key = ClusterKey.parse(clusterName);
    if (key.isEmpty()) {
      key = ClusterKey.parseSniName(clusterName);
    }
    return key.map(ClusterKey::host);
  }
}
