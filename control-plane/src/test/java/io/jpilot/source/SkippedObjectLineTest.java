package io.jpilot.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParseResult;
import org.junit.jupiter.api.Test;

/** An invalid object is logged as one line that says it was skipped and names every error. */
class SkippedObjectLineTest {
  @Test
  void oneLineNamesTheObjectTheFileAndEveryError() {
    ParseResult r =
        ConfigFileParser.parse(
                "vs.yaml",
                "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                    + "metadata: {name: reviews, namespace: shop}\n"
                    + "spec:\n  hosts: [reviews]\n  http:\n"
                    + "  - circuitBreaker: {}\n    timeout: 5\n"
                    + "    route: [{destination: {host: reviews}}]\n",
                "cluster.local")
            .results()
            .get(0);

    assertThat(FileSource.skipped(r.diagnostics()))
        .isEqualTo(
            "skipped invalid VirtualService shop/reviews (vs.yaml):"
                + " spec.http[0].circuitBreaker: unknown field \"circuitBreaker\"; circuit"
                + " breaking belongs in a DestinationRule:"
                + " trafficPolicy.connectionPool/outlierDetection; spec.http[0].timeout:"
                + " expected a duration string such as \"1.5s\", \"100ms\" or \"1m\", got"
                + " number 5; write \"5s\" for seconds");
  }
}
