package io.jpilot.push;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ConfigKey;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Which proxies a full push must reach (istiod's ConfigAffectsProxy). Production passes {@code new
 * ProxyDependencies(mesh)::affected}; a proxy it leaves out must be one whose resources cannot have
 * changed.
 */
@FunctionalInterface
public interface PushFilter {
  /** Every proxy, always. */
  PushFilter ALL = (before, after, changed) -> proxy -> true;

  /**
   * @param changed the objects that changed between {@code before} and {@code after}
   * @return true for each proxy the change may affect; called from one thread per push
   */
  Predicate<ProxyView> affected(MeshSnapshot before, MeshSnapshot after, Set<ConfigKey> changed);
}
