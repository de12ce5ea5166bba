package io.jpilot.translate;

import io.jpilot.model.MeshSnapshot;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * istiod's ResolveShortnameToFQDN for the hosts VirtualServices name, remembered. The answer is a
 * pure function of the host as written, the VirtualService's namespace and the domain suffix
 * (istiod resolves VirtualService hosts once per push context, in resolveVirtualServiceShortnames);
 * keeping it means every route names the same string, whose hash the service and DestinationRule
 * lookups that follow compute once, instead of a new string per route and proxy.
 *
 * <p>Bounded: when more than {@link #MAX_ENTRIES} answers are held, they are all dropped and
 * remembered again as asked. Safe for concurrent callers.
 */
final class ShortNames {
  static final int MAX_ENTRIES = 65_536;

  /** The answers for one domain suffix, by namespace, then by host as written. */
  private record Table(
      String domainSuffix,
      ConcurrentHashMap<String, ConcurrentHashMap<String, String>> byNamespace,
      AtomicInteger size) {
    Table(String domainSuffix) {
      this(domainSuffix, new ConcurrentHashMap<>(), new AtomicInteger());
    }
  }

  private static volatile Table table = new Table(MeshSnapshot.DEFAULT_DOMAIN_SUFFIX);

  private ShortNames() {}

  /** {@code host} resolved against {@code namespace} in {@code snapshot}'s domain. */
  static String resolve(MeshSnapshot snapshot, String host, String namespace) {
    if (host.indexOf('.') >= 0 || host.equals("*")) {
      return host; // already a name istiod keeps as is: nothing to remember
    }
    Table t = table;
    if (!t.domainSuffix().equals(snapshot.domainSuffix())) {
      t = new Table(snapshot.domainSuffix());
      table = t;
    }
    ConcurrentHashMap<String, String> hosts = t.byNamespace().get(namespace);
    if (hosts == null) {
      hosts = t.byNamespace().computeIfAbsent(namespace, k -> new ConcurrentHashMap<>());
    }
    String fqdn = hosts.get(host);
    if (fqdn != null) {
      return fqdn;
    }
    fqdn = snapshot.resolveShortName(host, namespace);
    if (t.size().incrementAndGet() > MAX_ENTRIES) {
      table = new Table(t.domainSuffix());
      return fqdn;
    }
    String raced = hosts.putIfAbsent(host, fqdn);
    return raced != null ? raced : fqdn;
  }
}
