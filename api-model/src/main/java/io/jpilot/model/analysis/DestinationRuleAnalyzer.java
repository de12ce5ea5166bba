package io.jpilot.model.analysis;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.config.DestinationRule;
import java.util.List;

/** The DestinationRule checks: the host has a service. */
final class DestinationRuleAnalyzer {
  private DestinationRuleAnalyzer() {}

  static void analyze(AnalysisContext ctx, RegistryHosts registry, List<Diagnostic> out) {
    for (DestinationRule dr : ctx.destinationRules) {
      String host = ctx.resolve(dr.host(), dr.meta().namespace());
      if (registry.missing(host)) {
        out.add(
            new Diagnostic(
                Severity.WARNING,
                dr.meta().source(),
                dr.key().toString(),
                "spec.host",
                "Referenced host not found: \""
                    + host
                    + "\"; no Service or ServiceEntry defines it, so this DestinationRule applies"
                    + " to nothing",
                ConfigAnalyzer.REFERENCE_NOT_FOUND));
      }
    }
  }
}
