package io.jpilot.translate;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shares virtual hosts between the route configurations of different proxy views, and encodes each
 * shared virtual host once.
 *
 * <p>Without a Sidecar, every namespace is a view of its own, yet a service's virtual host on a
 * port differs between namespaces only where its domains do (short names inside its own
 * namespace). The route configuration of each view is still planned in full; what is shared is
 * the step from a {@link VirtualHostPlan} to its protobuf and bytes.
 *
 * <p>The key is the plan itself (and the flavour), compared by value: a virtual host is a pure
 * function of those (see {@link RouteTranslator#virtualHost(VirtualHostPlan,
 * RouteTranslator.Flavour)}), so a remembered one is the one that would be built. The snapshot
 * version only bounds memory: entries are kept for the two newest versions seen, at most {@link
 * #MAX_ENTRIES} per version. A plan new to the newest version that is equal to one of the version
 * before takes that entry (its virtual host and bytes) rather than being built again. A plan
 * object shared between views remembers its entry ({@link VirtualHostPlan#remember}), so only the
 * first view to meet it looks it up. Safe for concurrent callers; two racing on one plan may both
 * build it, and either result is the same.
 *
 * <p>{@link #encode} writes a route configuration byte for byte as protobuf would, taking the
 * bytes of its shared virtual hosts from here; the result is a rope over those bytes, so a shared
 * virtual host is encoded once however many views' route configurations hold it (packing then
 * copies each configuration into flat pieces, see {@code XdsResource}).
 */
final class VirtualHostCache {
  static final int MAX_ENTRIES = 65_536;

  /** A plan and flavour; hashed cheaply, compared by value. */
  private static final class Key {
    final VirtualHostPlan plan;
    final RouteTranslator.Flavour flavour;
    final int hash;

    Key(VirtualHostPlan plan, RouteTranslator.Flavour flavour) {
      this.plan = plan;
      this.flavour = flavour;
      this.hash = hash(plan, flavour);
    }

    /**
     * Consistent with value equality: the name (which tells most virtual hosts apart) and the
     * number of domains; plans of one name in different views differ, if at all, in what {@link
     * #equals} compares.
     */
    private static int hash(VirtualHostPlan plan, RouteTranslator.Flavour flavour) {
      return (plan.name().hashCode() * 31 + plan.domains().size()) * 31 + flavour.ordinal();
    }

    /**
     * Value equality, cheap for what views share: the same plan, or plans whose domain and route
     * lists are the same objects or whose elements are.
     */
    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k) || k.hash != hash || k.flavour != flavour) {
        return false;
      }
      VirtualHostPlan a = k.plan;
      VirtualHostPlan b = plan;
      return a == b
          || (a.name().equals(b.name())
              && RoutePlan.sameElements(a.domains(), b.domains())
              && RoutePlan.sameElements(a.routes(), b.routes()));
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A virtual host and, once asked for, its encoding as a route configuration's field 2. */
  static final class Entry {
    final VirtualHost host;
    private volatile Field field;

    Entry(VirtualHost host) {
      this.host = host;
    }

    VirtualHost host() {
      return host;
    }
  }

  /** A virtual host's bytes as field 2 of a route configuration, and their digest. */
  private record Field(ByteString bytes, ResourceVersions.PartDigest digest) {}

  /** At most this many route configurations per version remember the entries they were built of. */
  static final int MAX_CONFIGS = 4_096;

  /**
   * The entries of one snapshot version: by plan, by the identity of the built host, and, for the
   * route configurations built of them, the entries by the identity of the configuration.
   */
  private record Generation(
      long version,
      ConcurrentHashMap<Key, Entry> byPlan,
      ConcurrentHashMap<IdentityKey, Entry> byHost,
      ConcurrentHashMap<IdentityKey, Entry[]> byConfig) {}

  private record IdentityKey(Object value) {
    @Override
    public boolean equals(Object o) {
      return o instanceof IdentityKey k && k.value == value;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(value);
    }
  }

  private volatile Generation current;
  private volatile Generation previous;

  /** The virtual host of {@code plan}, built at most once per value for the newest versions. */
  VirtualHost virtualHost(long version, VirtualHostPlan plan, RouteTranslator.Flavour flavour) {
    return entry(version, plan, flavour).host;
  }

  /**
   * The entry of {@code plan}: its virtual host, built at most once per value for the newest
   * versions (an entry of no generation, for an older version).
   */
  Entry entry(long version, VirtualHostPlan plan, RouteTranslator.Flavour flavour) {
    Object remembered = plan.remembered(this, flavour);
    if (remembered != null) {
      return (Entry) remembered; // a plan shared between views: its entry, found by a view before
    }
    Generation g = generationFor(version);
    if (g == null) {
      return new Entry(RouteTranslator.virtualHost(plan, flavour));
    }
    Key key = new Key(plan, flavour);
    Entry e = g.byPlan().get(key);
    if (e != null) {
      plan.remember(this, flavour, e);
      return e;
    }
    // most virtual hosts of a new version are those of the one before: take them, bytes and all
    Generation p = previous;
    Entry kept = p != null && p != g ? p.byPlan().get(key) : null;
    if (g.byPlan().size() >= MAX_ENTRIES) {
      return kept != null ? kept : new Entry(RouteTranslator.virtualHost(plan, flavour));
    }
    Entry mine = kept != null ? kept : new Entry(RouteTranslator.virtualHost(plan, flavour));
    Entry raced = g.byPlan().putIfAbsent(key, mine);
    if (raced != null) {
      plan.remember(this, flavour, raced);
      return raced;
    }
    g.byHost().put(new IdentityKey(mine.host), mine);
    plan.remember(this, flavour, mine);
    return mine;
  }

  /**
   * Remembers that {@code rc}'s virtual hosts are, in order, {@code entries} (null where a host
   * is not shared), so {@link #encode} finds them without a lookup per host.
   */
  void built(long version, RouteConfiguration rc, Entry[] entries) {
    Generation g = generationFor(version);
    if (g != null && g.byConfig().size() < MAX_CONFIGS) {
      g.byConfig().put(new IdentityKey(rc), entries);
    }
  }

  /**
   * {@code rc} serialized exactly as {@link RouteConfiguration#toByteString()} would: the name
   * (field 1), the virtual hosts (field 2), then every other field, all of which have higher
   * numbers. Virtual hosts this cache built are written from their remembered bytes.
   */
  ByteString encode(RouteConfiguration rc) {
    return encodeWithVersion(rc).bytes();
  }

  /**
   * {@code rc} serialized as {@link #encode} does, with its version as {@link
   * ResourceVersions#of} computes it, from the remembered digests of shared virtual hosts.
   */
  Translator.Encoded encodeWithVersion(RouteConfiguration rc) {
    int n = rc.getVirtualHostsCount();
    if (n == 0) {
      ByteString b = rc.toByteString();
      return new Translator.Encoded(b, ResourceVersions.of(rc, b));
    }
    Generation c = current;
    Generation p = previous;
    Entry[] known = entries(c, rc);
    if (known == null) {
      known = entries(p, rc);
    }
    List<ByteString> parts = new ArrayList<>(n + 2);
    ResourceVersions.Parts digests = new ResourceVersions.Parts(n + 2);
    if (!rc.getName().isEmpty()) {
      add(parts, digests, RouteConfiguration.newBuilder().setName(rc.getName()).build().toByteString());
    }
    for (int i = 0; i < n; i++) {
      VirtualHost vh = rc.getVirtualHosts(i);
      Entry e = known != null && known[i] != null && known[i].host == vh ? known[i] : null;
      if (e == null) {
        e = lookup(c, vh);
      }
      if (e == null) {
        e = lookup(p, vh);
      }
      if (e != null) {
        Field f = field(e);
        parts.add(f.bytes());
        digests.add(f.digest());
      } else {
        add(parts, digests, encodeField(vh));
      }
    }
    ByteString rest = rc.toBuilder().clearName().clearVirtualHosts().build().toByteString();
    if (!rest.isEmpty()) {
      add(parts, digests, rest);
    }
    return new Translator.Encoded(ByteString.copyFrom(parts), digests.version());
  }

  private static void add(
      List<ByteString> parts, ResourceVersions.Parts digests, ByteString part) {
    parts.add(part);
    digests.add(ResourceVersions.part(part));
  }

  private static Entry[] entries(Generation g, RouteConfiguration rc) {
    if (g == null) {
      return null;
    }
    Entry[] e = g.byConfig().get(new IdentityKey(rc));
    return e != null && e.length == rc.getVirtualHostsCount() ? e : null;
  }

  private static Entry lookup(Generation g, VirtualHost vh) {
    return g == null ? null : g.byHost().get(new IdentityKey(vh));
  }

  private static Field field(Entry e) {
    Field f = e.field;
    if (f == null) {
      ByteString bytes = encodeField(e.host);
      f = new Field(bytes, ResourceVersions.part(bytes));
      e.field = f;
    }
    return f;
  }

  /** Tag, length and bytes of {@code vh} as field 2 of a route configuration. */
  private static ByteString encodeField(VirtualHost vh) {
    byte[] buf = new byte[CodedOutputStream.computeMessageSize(2, vh)];
    CodedOutputStream out = CodedOutputStream.newInstance(buf);
    try {
      out.writeMessage(2, vh);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return UnsafeByteOperations.unsafeWrap(buf);
  }

  /**
   * The generation of {@code version}: the newest or the one before it, a new newest one for a
   * newer version, null for an older one (then nothing is shared).
   */
  private Generation generationFor(long version) {
    Generation c = current;
    if (c != null && c.version() == version) {
      return c;
    }
    synchronized (this) {
      return generationLocked(version);
    }
  }

  private Generation generationLocked(long version) {
    Generation c = current;
    if (c != null && c.version() == version) {
      return c;
    }
    Generation p = previous;
    if (p != null && p.version() == version) {
      return p;
    }
    if (c != null && c.version() > version) {
      return null;
    }
    // a new version holds about as many virtual hosts as the one before
    int hosts = c == null ? 16 : Math.min(MAX_ENTRIES, c.byPlan().size());
    int configs = c == null ? 16 : Math.min(MAX_CONFIGS, c.byConfig().size());
    Generation g =
        new Generation(
            version,
            new ConcurrentHashMap<>(hosts),
            new ConcurrentHashMap<>(hosts),
            new ConcurrentHashMap<>(configs));
    previous = c;
    current = g;
    return g;
  }
}
