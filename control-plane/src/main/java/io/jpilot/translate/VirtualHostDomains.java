package io.jpilot.translate;

import io.jpilot.model.registry.Service;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * istiod's generateVirtualHostDomains / GenerateAltVirtualHosts (core/httproute.go): the Host
 * header values a service answers to, as seen from a proxy in some DNS domain.
 *
 * <p>Order: the FQDN, its absolute form with a trailing dot, the short forms relative to the proxy
 * domain (same namespace: {@code name}, {@code name.ns.svc}, {@code name.ns}; other namespace:
 * {@code name.ns}, {@code name.ns.svc}), {@code *.}-copies for headless services, then the VIP.
 * Sidecars ignore the port in host matching and get no {@code host:port} forms; proxyless gRPC gets
 * each form followed by its {@code host:port} variant.
 */
record VirtualHostDomains(boolean appendPort, boolean absoluteFqdn) {
  /** Sidecars: ignore_port_in_host_matching, absolute FQDN included. */
  static final VirtualHostDomains SIDECAR = new VirtualHostDomains(false, true);

  /**
   * Proxyless gRPC: host:port forms; no absolute FQDN (istiod turns it off for grpc-java, whose
   * domain matcher rejects it).
   */
  static final VirtualHostDomains GRPC = new VirtualHostDomains(true, false);

  @Override
  public boolean equals(Object o) {
    return o instanceof VirtualHostDomains d
        && d.appendPort == appendPort
        && d.absoluteFqdn == absoluteFqdn;
  }

  @Override
  public int hashCode() {
    return (appendPort ? 2 : 0) + (absoluteFqdn ? 1 : 0);
  }

  /**
   * What {@link #altHosts} reads of a proxy's DNS domain for one host: the whole domain when the
   * host is a Kubernetes service in the proxy's namespace or the domain has no {@code .svc.}, else
   * only what follows {@code .svc.} in it. Hosts of one class get the same alternative names.
   */
  record DomainClass(String domain, boolean sameNamespace) {
    @Override
    public boolean equals(Object o) {
      return o instanceof DomainClass c && c.sameNamespace == sameNamespace && c.domain.equals(domain);
    }

    @Override
    public int hashCode() {
      return domain.hashCode() * 31 + (sameNamespace ? 1 : 0);
    }
  }

  /** The domain classes of one proxy DNS domain, made once per proxy. */
  static final class DomainClasses {
    private final String proxyDomain;
    private final int svc;
    private final DomainClass same;
    private final DomainClass other;

    DomainClasses(String proxyDomain) {
      this(proxyDomain, UnaryOperator.identity());
    }

    /**
     * @param canonical maps each class made here to an equal one (say, one shared by proxies)
     */
    DomainClasses(String proxyDomain, UnaryOperator<DomainClass> canonical) {
      this.proxyDomain = proxyDomain;
      this.svc = proxyDomain.indexOf(".svc.");
      this.same = canonical.apply(new DomainClass(proxyDomain, true));
      this.other =
          canonical.apply(
              new DomainClass(svc >= 0 ? proxyDomain.substring(svc) : proxyDomain, false));
    }

    /** The class of {@code host}: the checks of {@link #altHosts}, without building anything. */
    DomainClass of(String host) {
      if (svc < 0) {
        return other;
      }
      // every check must hold for "same"; the namespace tells most hosts apart soonest
      int ns = host.indexOf('.');
      if (!host.regionMatches(ns + 1, proxyDomain, 0, svc)) {
        return other;
      }
      int len = proxyDomain.length() - svc;
      if (host.length() < len || !host.regionMatches(host.length() - len, proxyDomain, svc, len)) {
        return other;
      }
      int ih = host.indexOf(".svc.");
      if (ih <= 0 || ns + 1 >= host.length() || ns + 1 > ih) {
        return other;
      }
      return ih - (ns + 1) == svc ? same : other;
    }
  }

  List<String> forService(Service svc, int port, String proxyDnsDomain) {
    return forService(svc, port, altHosts(svc.hostname(), port, proxyDnsDomain));
  }

  /** {@link #forService(Service, int, String)} with {@link #altHosts} already computed. */
  List<String> forService(Service svc, int port, List<String> altHosts) {
    List<String> domains = new ArrayList<>();
    String host = svc.hostname();
    append(domains, host, port);
    domains.addAll(altHosts);
    if (OutboundCluster.isHeadless(svc)) {
      List<String> wild = new ArrayList<>();
      for (String d : domains) {
        wild.add("*." + d);
      }
      domains.addAll(wild);
    }
    String vip = svc.clusterIp();
    if (!OutboundCluster.isHeadless(svc) && !vip.equals(IstioNames.WILDCARD_ADDRESS)) {
      append(domains, vip, port);
    }
    return domains;
  }

  /**
   * The alternative names other than the FQDN itself (istiod's "altHosts"); dedupe uses them to
   * keep an expanded short name from shadowing a real FQDN.
   */
  List<String> altHosts(String host, int port, String proxyDomain) {
    List<String> out = new ArrayList<>(6);
    if (absoluteFqdn) {
      if (!IstioNames.isIpLiteral(host)) {
        out.add(host + ".");
      }
      if (appendPort) {
        out.add(IstioNames.joinHostPort(host + ".", port));
      }
    }
    int svc = proxyDomain.indexOf(".svc.");
    if (svc >= 0) {
      // does the host end with everything from ".svc." on, e.g. ".svc.cluster.local"?
      int len = proxyDomain.length() - svc;
      if (host.length() >= len && host.regionMatches(host.length() - len, proxyDomain, svc, len)) {
        addKubernetesAltHosts(out, host, port, proxyDomain, svc);
      }
      return out;
    }
    List<String> hostParts = Arrays.asList(host.split("\\.", -1));
    List<String> domainParts = Arrays.asList(proxyDomain.split("\\.", -1));
    List<String> hostRev = new ArrayList<>(hostParts);
    List<String> domainRev = new ArrayList<>(domainParts);
    Collections.reverse(hostRev);
    Collections.reverse(domainRev);
    int shared = 0;
    while (shared < Math.min(hostRev.size(), domainRev.size())
        && hostRev.get(shared).equals(domainRev.get(shared))) {
      shared++;
    }
    if (shared == 0) {
      return out;
    }
    List<String> unique = hostParts.subList(0, hostParts.size() - shared);
    String uniqueHost = String.join(".", unique);
    append(out, uniqueHost, port);
    if (unique.size() == 2) {
      // the unique part already carries the namespace: add the first shared label too
      append(out, uniqueHost + "." + domainParts.get(domainParts.size() - shared), port);
    }
    return out;
  }

  /**
   * Appends the short Kubernetes forms of {@code host} ({@code id} is where ".svc." starts in
   * {@code proxyDomain}).
   */
  private void addKubernetesAltHosts(
      List<String> out, String host, int port, String proxyDomain, int id) {
    int ih = host.indexOf(".svc.");
    if (ih <= 0) {
      return;
    }
    int ns = host.indexOf('.');
    if (ns + 1 >= host.length() || ns + 1 > ih) {
      return;
    }
    String name = host.substring(0, ns);
    String nameNs = host.substring(0, ih);
    // the host's namespace (between its first '.' and ".svc.") is the proxy's?
    if (ih - (ns + 1) == id && host.regionMatches(ns + 1, proxyDomain, 0, id)) {
      append(out, name, port);
      append(out, nameNs + ".svc", port);
      append(out, nameNs, port);
    } else {
      append(out, nameNs, port);
      append(out, nameNs + ".svc", port);
    }
  }

  private void append(List<String> out, String domain, int port) {
    out.add(IstioNames.ipv6Compliant(domain));
    if (appendPort) {
      out.add(IstioNames.joinHostPort(domain, port));
    }
  }
}
