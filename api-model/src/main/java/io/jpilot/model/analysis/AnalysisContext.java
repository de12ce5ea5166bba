package io.jpilot.model.analysis;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.MeshObject;
import io.jpilot.model.MeshSnapshot;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.Gateway;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.parse.ObjectParser;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the analyzers look at: the objects, a snapshot built from them, and what else exists. */
final class AnalysisContext {
  final MeshSnapshot snapshot;
  final String domainSuffix;
  final List<MeshObject> objects;

  /** VirtualServices sorted by key (report order). */
  final List<VirtualService> virtualServices;

  /** DestinationRules sorted by key. */
  final List<DestinationRule> destinationRules;

  /** Gateways by key. */
  final Map<ConfigKey, Gateway> gateways;

  private final Set<ConfigKey> present;
  private final boolean complete;

  private AnalysisContext(
      Collection<? extends MeshObject> objects,
      Set<ConfigKey> others,
      boolean complete,
      String domainSuffix) {
    this.domainSuffix = domainSuffix;
    this.objects = List.copyOf(objects);
    this.snapshot = MeshSnapshot.build(0, domainSuffix, this.objects);
    this.complete = complete;
    this.present = new HashSet<>(others);
    List<VirtualService> vss = new ArrayList<>();
    List<DestinationRule> drs = new ArrayList<>();
    Map<ConfigKey, Gateway> gws = new HashMap<>();
    for (MeshObject o : this.objects) {
      present.add(o.key());
      if (o instanceof VirtualService vs) {
        vss.add(vs);
      } else if (o instanceof DestinationRule dr) {
        drs.add(dr);
      } else if (o instanceof Gateway gw) {
        gws.put(gw.key(), gw);
      }
    }
    this.gateways = Map.copyOf(gws);
    vss.sort(Comparator.comparing(VirtualService::key));
    drs.sort(Comparator.comparing(DestinationRule::key));
    this.virtualServices = List.copyOf(vss);
    this.destinationRules = List.copyOf(drs);
  }

  static AnalysisContext of(
      Collection<? extends MeshObject> objects,
      Set<ConfigKey> others,
      boolean complete,
      String domainSuffix) {
    requireNonNull(objects, "objects");
    requireNonNull(domainSuffix, "domainSuffix");
    return new AnalysisContext(objects, others, complete, domainSuffix);
  }

  /**
   * Whether every object of {@code kind} is known, so a reference to a missing one is a finding:
   * always for a complete input, else only for kinds jpilot models.
   */
  boolean knowsAll(String kind) {
    return complete || ObjectParser.supportsKind(kind);
  }

  boolean exists(ConfigKey key) {
    return present.contains(key);
  }

  boolean hasKind(String kind) {
    for (ConfigKey k : present) {
      if (k.kind().equals(kind)) {
        return true;
      }
    }
    return false;
  }

  String resolve(String host, String namespace) {
    return MeshSnapshot.resolveShortName(host, namespace, domainSuffix);
  }

  /**
   * Whether a wildcard host ({@code *} or {@code *.suffix}) matches {@code host}: {@code
   * *.example.com} matches {@code a.example.com} and {@code a.b.example.com}, not {@code
   * example.com}.
   */
  static boolean matchesWildcard(String wildcard, String host) {
    if (wildcard.equals("*")) {
      return true;
    }
    String suffix = wildcard.substring(1);
    return host.endsWith(suffix) && host.length() > suffix.length();
  }
}
