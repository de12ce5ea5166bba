package io.jpilot.translate;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.Destination;
import io.jpilot.model.config.HttpMirror;
import io.jpilot.model.config.HttpRoute;
import io.jpilot.model.config.RouteDestination;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.registry.Service;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The VirtualServices of a snapshot with their destination hosts resolved to FQDNs against the
 * VirtualService's namespace (istiod's resolveVirtualServiceShortnames, which it applies once per
 * push context), and the {@code istio.config} metadata every route of a VirtualService carries.
 * Neither depends on the proxy, so both are built once per snapshot and kept with it.
 *
 * <p>A resolved host that names a service of the snapshot is that service's own hostname string, so
 * the lookups that follow (service, DestinationRule) find it without hashing a new string.
 */
final class ResolvedVirtualServices {
  /** The key of this index among a snapshot's derived indexes. */
  private static final Object KEY = ResolvedVirtualServices.class;

  /**
   * One http route's destinations, resolved.
   *
   * @param route one per {@code route[]} entry, in order (weight-0 ones included)
   * @param mirror the resolved {@code mirror}, if set
   * @param mirrors one per {@code mirrors[]} entry, in order
   */
  record Http(List<Destination> route, Optional<Destination> mirror, List<Destination> mirrors) {}

  /**
   * One VirtualService, resolved.
   *
   * @param metadata the {@code istio.config} metadata of its routes
   * @param http one per {@code http[]} entry, in order
   */
  record Resolved(Metadata metadata, List<Http> http) {
    Resolved {
      requireNonNull(metadata, "metadata");
      http = List.copyOf(http);
    }
  }

  private final MeshSnapshot snapshot;

  /** By identity: VirtualServices are records, comparing them would read every route. */
  private final Map<VirtualService, Resolved> byVirtualService;

  private ResolvedVirtualServices(MeshSnapshot snapshot) {
    this.snapshot = snapshot;
    Map<VirtualService, Resolved> map = new IdentityHashMap<>();
    for (VirtualService vs : snapshot.virtualServices()) {
      map.put(vs, resolve(snapshot, vs));
    }
    this.byVirtualService = map;
  }

  /** The index of {@code snapshot}, built on its first ask. */
  static ResolvedVirtualServices of(MeshSnapshot snapshot) {
    return snapshot.derived(KEY, ResolvedVirtualServices::new);
  }

  /**
   * {@code vs} resolved: remembered when it is one of the snapshot's VirtualServices, else (a
   * VirtualService built on the way) resolved now.
   */
  Resolved get(VirtualService vs) {
    Resolved r = byVirtualService.get(vs);
    return r != null ? r : resolve(snapshot, vs);
  }

  private static Resolved resolve(MeshSnapshot snapshot, VirtualService vs) {
    String namespace = vs.meta().namespace();
    List<Http> http = new ArrayList<>(vs.http().size());
    for (HttpRoute h : vs.http()) {
      List<Destination> route = new ArrayList<>(h.route().size());
      for (RouteDestination rd : h.route()) {
        route.add(resolve(snapshot, rd.destination(), namespace));
      }
      Optional<Destination> mirror =
          h.mirror().isPresent()
              ? Optional.of(resolve(snapshot, h.mirror().get(), namespace))
              : Optional.empty();
      List<Destination> mirrors = new ArrayList<>(h.mirrors().size());
      for (HttpMirror m : h.mirrors()) {
        mirrors.add(resolve(snapshot, m.destination(), namespace));
      }
      http.add(new Http(List.copyOf(route), mirror, List.copyOf(mirrors)));
    }
    return new Resolved(configMetadata(vs.meta().key()), http);
  }

  /** The destination with its host resolved against {@code namespace}. */
  private static Destination resolve(MeshSnapshot snapshot, Destination d, String namespace) {
    String host = snapshot.resolveShortName(d.host(), namespace);
    Optional<Service> svc = snapshot.service(host);
    if (svc.isPresent() && svc.get().hostname().equals(host)) {
      host = svc.get().hostname();
    }
    return new Destination(host, d.subset(), d.port());
  }

  /** istiod's BuildConfigInfoMetadata for a VirtualService. */
  static Metadata configMetadata(ConfigKey vs) {
    SortedMap<String, Value> fields = new TreeMap<>();
    fields.put(
        "config",
        XdsProtos.string(IstioNames.configPath("virtual-service", vs.namespace(), vs.name())));
    return XdsProtos.istioMetadata(fields);
  }
}
