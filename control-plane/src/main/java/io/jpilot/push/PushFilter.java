package io.jpilot.push;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.translate.XdsType;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Which proxies a full push must reach, and which of their types it must regenerate (istiod's
 * ConfigAffectsProxy and per-type needsPush). Production passes {@code new
 * ProxyDependencies(mesh)::affected}; a type it leaves out must be one whose resources cannot have
 * changed for that proxy.
 */
@FunctionalInterface
public interface PushFilter {
  /** Every type of every proxy, always. */
  PushFilter ALL = (before, after, changed) -> proxy -> EnumSet.allOf(XdsType.class);

  /**
   * @param changed the objects that changed between {@code before} and {@code after}
   * @return for each proxy, the types the change may affect (empty: leave the proxy out); may be
   *     called from several threads at once
   */
  Function<ProxyView, Set<XdsType>> affected(
      MeshSnapshot before, MeshSnapshot after, Set<ConfigKey> changed);
}
