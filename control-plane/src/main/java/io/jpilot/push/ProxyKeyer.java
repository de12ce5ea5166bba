package io.jpilot.push;

import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.ProxyView;
import io.jpilot.translate.XdsType;
import java.util.Set;

/**
 * What a {@link ResourceGenerator} may see of a proxy when generating {@code type} for {@code
 * names}. Proxies with equal keys share generated resources, and the generator is called with the
 * key in place of the proxy. Production passes {@code TranslationInputs::normalize}; it must be a
 * pure function.
 */
@FunctionalInterface
public interface ProxyKeyer {
  /** The whole view: resources are shared only between connections of one node. */
  ProxyKeyer WHOLE_VIEW = (snapshot, proxy, type, names) -> proxy;

  ProxyView key(MeshSnapshot snapshot, ProxyView proxy, XdsType type, Set<String> names);
}
