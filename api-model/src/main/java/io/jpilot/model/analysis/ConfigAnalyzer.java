package io.jpilot.model.analysis;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Checks that span objects, as {@code istioctl analyze} does: references that resolve to nothing
 * and VirtualServices that another one shadows. Each object is assumed valid on its own (the parser
 * has checked it); findings are WARNINGs with istioctl's codes, plus INFO notes about checks that
 * could not run. Pure: the result depends only on the arguments; notes come first, then the
 * findings of each VirtualService and DestinationRule in key order.
 *
 * <ul>
 *   <li>{@value #REFERENCE_NOT_FOUND}: a route destination's subset that no DestinationRule for its
 *       host defines; a destination or DestinationRule host that no service has; a gateway named in
 *       a VirtualService's {@code gateways} that does not exist.
 *   <li>{@value #HOST_NOT_IN_GATEWAY}: a VirtualService host that none of the servers of a gateway
 *       it binds to accepts, so that gateway does not route it.
 *   <li>{@value #CONFLICTING_MESH_HOSTS}: two VirtualServices bound to the mesh name one host;
 *       sidecars use the oldest and ignore the other.
 * </ul>
 */
public final class ConfigAnalyzer {
  /** istioctl's ReferencedResourceNotFound. */
  public static final String REFERENCE_NOT_FOUND = "IST0101";

  /** istioctl's VirtualServiceHostNotFoundInGateway. */
  public static final String HOST_NOT_IN_GATEWAY = "IST0132";

  /** istioctl's ConflictingMeshGatewayVirtualServiceHosts. */
  public static final String CONFLICTING_MESH_HOSTS = "IST0109";

  private ConfigAnalyzer() {}

  /**
   * Analyzes the config a server holds: only kinds jpilot models are known, so references to other
   * kinds (which a server never sees) are not checked.
   */
  public static List<Diagnostic> analyze(
      Collection<? extends MeshObject> objects, String domainSuffix) {
    return run(AnalysisContext.of(objects, Set.of(), false, domainSuffix));
  }

  /**
   * Analyzes a complete input, such as the files given to {@code jpilot analyze}.
   *
   * @param objects the valid objects
   * @param otherObjects every other object of the input: kinds jpilot does not model, and objects
   *     rejected as invalid; references to them count as resolved
   */
  public static List<Diagnostic> analyze(
      Collection<? extends MeshObject> objects,
      Collection<ConfigKey> otherObjects,
      String domainSuffix) {
    requireNonNull(otherObjects, "otherObjects");
    return run(AnalysisContext.of(objects, Set.copyOf(otherObjects), true, domainSuffix));
  }

  private static List<Diagnostic> run(AnalysisContext ctx) {
    List<Diagnostic> findings = new ArrayList<>();
    RegistryHosts registry = RegistryHosts.of(ctx);
    VirtualServiceAnalyzer.analyze(ctx, registry, findings);
    DestinationRuleAnalyzer.analyze(ctx, registry, findings);
    List<Diagnostic> out = new ArrayList<>();
    registry.notes(out);
    out.addAll(findings);
    return List.copyOf(out);
  }
}
