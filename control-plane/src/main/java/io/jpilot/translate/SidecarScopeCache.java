package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshConfig;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.SidecarScope;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the {@link SidecarScope}s computed for the newest snapshot, so the several generate
 * calls of one push (one per xDS type per proxy, and every proxy of the same workload) compute a
 * scope once.
 *
 * <p>A scope depends only on the snapshot, the proxy's type, namespace and labels, and the mesh
 * config; those (the mesh config being fixed per cache) are the key, so a remembered scope is the
 * one {@link SidecarScope#of} would compute. Bounded: only the entries of the two newest snapshot
 * instances are kept (a push compares a proxy's scope before and after a change), and at most
 * {@link #MAX_ENTRIES} per snapshot. Safe for concurrent callers; two racing on one key may both
 * compute it, and either result is the same.
 */
final class SidecarScopeCache {
  static final int MAX_ENTRIES = 4096;

  /** What a scope reads from a proxy besides the snapshot and the mesh config. */
  private record Key(ProxyView.Type type, String namespace, Map<String, String> labels) {}

  /** The scopes of one snapshot instance. */
  private record Generation(MeshSnapshot snapshot, ConcurrentHashMap<Key, SidecarScope> scopes) {}

  private final MeshConfig mesh;
  private volatile Generation current;
  private volatile Generation previous;

  SidecarScopeCache(MeshConfig mesh) {
    this.mesh = requireNonNull(mesh, "mesh");
  }

  /** The scope of {@code proxy} over {@code snapshot}, computed at most once per key. */
  SidecarScope scope(MeshSnapshot snapshot, ProxyView proxy) {
    Generation g = generationFor(snapshot);
    if (g == null) {
      return SidecarScope.of(snapshot, proxy, mesh); // older than both generations held
    }
    Key key = new Key(proxy.type(), proxy.namespace(), proxy.labels());
    SidecarScope scope = g.scopes().get(key);
    if (scope != null) {
      return scope;
    }
    scope = SidecarScope.of(snapshot, proxy, mesh);
    if (g.scopes().size() >= MAX_ENTRIES) {
      g.scopes().clear();
    }
    SidecarScope raced = g.scopes().putIfAbsent(key, scope);
    return raced != null ? raced : scope;
  }

  /**
   * The generation of {@code snapshot}: the newest or the one before it (a push compares scopes
   * before and after a change), a new newest one for a newer snapshot, null for an older one.
   */
  private synchronized Generation generationFor(MeshSnapshot snapshot) {
    Generation c = current;
    if (c != null && c.snapshot() == snapshot) {
      return c;
    }
    Generation p = previous;
    if (p != null && p.snapshot() == snapshot) {
      return p;
    }
    if (c != null && c.snapshot().version() > snapshot.version()) {
      return null;
    }
    Generation g = new Generation(snapshot, new ConcurrentHashMap<>());
    previous = c;
    current = g;
    return g;
  }
}
