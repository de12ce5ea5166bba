package io.jpilot.push;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.translate.XdsType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;

/**
 * Generates once per distinct (proxy view, type, subscribed names) and snapshot, and shares the
 * result, serialized bytes included, with every proxy that asks for the same.
 *
 * <p>The key is the {@linkplain #keyer normalized} proxy view, which carries exactly what the
 * translator reads of a proxy, the type and the names; and the generator is called with that
 * normalized view, never with the proxy itself, so a result cannot depend on anything the key
 * leaves out. Entries are held for the newest snapshot only: a request for a newer snapshot drops
 * them all, and a request for an older one is generated without caching. At most {@code
 * maxEntries} are held; beyond that, results are generated and not kept.
 *
 * <p>Within a snapshot, equal resources generated for different views (the cluster of a service
 * seen from two namespaces, say) are interned by version, so their bytes are held once.
 *
 * <p>Two threads asking for the same missing entry generate it once: the second waits for the
 * first. Metrics (istiod's names): {@code pilot_xds_cache_reads{type=hit|miss}}, gauge {@code
 * pilot_xds_cache_size}.
 */
public final class ResourceCache {
  private final ResourceGenerator generator;
  private final ProxyKeyer keyer;
  private final int maxEntries;
  private final Counter hits;
  private final Counter misses;
  private volatile Generation generation = new Generation(null);

  private record Key(ProxyView view, XdsType type, Set<String> names) {}

  /** The entries of one snapshot. */
  private static final class Generation {
    final MeshSnapshot snapshot;
    final ConcurrentHashMap<Key, CompletableFuture<GeneratedResources>> entries =
        new ConcurrentHashMap<>();

    /** Every distinct resource generated from the snapshot, by version (a digest of its bytes). */
    final ConcurrentHashMap<String, XdsResource> resources = new ConcurrentHashMap<>();

    /** The held resource equal to {@code r}, or {@code r} (now held). */
    XdsResource intern(XdsResource r) {
      XdsResource held = resources.putIfAbsent(r.version(), r);
      if (held == null) {
        return r;
      }
      return held.encoded().equals(r.encoded()) ? held : r;
    }

    Generation(MeshSnapshot snapshot) {
      this.snapshot = snapshot;
    }
  }

  /**
   * @param keyer maps a proxy to what the generator may see of it (production: {@code
   *     TranslationInputs::normalize}); must be a pure function
   */
  public ResourceCache(
      ResourceGenerator generator,
      ProxyKeyer keyer,
      int maxEntries,
      MeterRegistry meters) {
    this.generator = requireNonNull(generator, "generator");
    this.keyer = requireNonNull(keyer, "keyer");
    if (maxEntries < 0) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 0)");
    }
    this.maxEntries = maxEntries;
    this.hits =
        Counter.builder("pilot_xds_cache_reads")
            .description("Total number of xds cache reads")
            .tag("type", "hit")
            .register(meters);
    this.misses =
        Counter.builder("pilot_xds_cache_reads")
            .description("Total number of xds cache reads")
            .tag("type", "miss")
            .register(meters);
    Gauge.builder("pilot_xds_cache_size", this, ResourceCache::size)
        .description("Current size of xds cache")
        .register(meters);
  }

  /**
   * The resources of {@code type} for {@code proxy} from {@code snapshot}.
   *
   * @param names the subscribed names; empty means all (wildcard)
   */
  public GeneratedResources get(
      MeshSnapshot snapshot, ProxyView proxy, XdsType type, Set<String> names) {
    requireNonNull(snapshot, "snapshot");
    requireNonNull(type, "type");
    requireNonNull(names, "names");
    ProxyView view = keyer.key(snapshot, requireNonNull(proxy, "proxy"), type, names);
    Generation g = generationFor(snapshot);
    if (g == null) {
      misses.increment();
      return generate(snapshot, view, type, names, UnaryOperator.identity());
    }
    // looked up with the caller's set (no copy of thousands of names per proxy); kept with a copy
    CompletableFuture<GeneratedResources> existing = g.entries.get(new Key(view, type, names));
    if (existing == null) {
      Key key = new Key(view, type, Set.copyOf(names));
      if (g.entries.size() >= maxEntries) {
        misses.increment();
        return generate(snapshot, view, type, names, UnaryOperator.identity());
      }
      CompletableFuture<GeneratedResources> mine = new CompletableFuture<>();
      existing = g.entries.putIfAbsent(key, mine);
      if (existing == null) {
        misses.increment();
        try {
          GeneratedResources r = generate(snapshot, view, type, names, g::intern);
          mine.complete(r);
          return r;
        } catch (RuntimeException | Error e) {
          g.entries.remove(key, mine);
          mine.completeExceptionally(e);
          throw e;
        }
      }
    }
    hits.increment();
    return join(existing);
  }

  private static GeneratedResources join(CompletableFuture<GeneratedResources> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for generated resources", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** The generation for {@code snapshot}, a new one if it is newer, null if it is older. */
  private Generation generationFor(MeshSnapshot snapshot) {
    while (true) {
      Generation g = generation;
      if (g.snapshot == snapshot) {
        return g;
      }
      if (g.snapshot != null && g.snapshot.version() >= snapshot.version()) {
        return null; // older (or a different snapshot of the same version): not cached
      }
      synchronized (this) {
        if (generation == g) {
          generation = new Generation(snapshot);
        }
      }
    }
  }

  private GeneratedResources generate(
      MeshSnapshot snapshot,
      ProxyView view,
      XdsType type,
      Set<String> names,
      UnaryOperator<XdsResource> interner) {
    SortedMap<String, Message> generated = generator.generate(snapshot, view, type, names);
    requireNonNull(generated, "generated resources");
    String expected = type.typeUrl().substring(type.typeUrl().lastIndexOf('/') + 1);
    for (var e : generated.entrySet()) {
      String actual = e.getValue().getDescriptorForType().getFullName();
      if (!actual.equals(expected)) {
        throw new IllegalStateException(
            "resource " + e.getKey() + ": " + actual + " (expected: " + expected + ")");
      }
    }
    return new GeneratedResources(type, snapshot.version(), generated, interner, generator::pack);
  }

  /** Entries held now. */
  public int size() {
    return generation.entries.size();
  }
}
