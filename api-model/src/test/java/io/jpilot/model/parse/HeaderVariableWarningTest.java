package io.jpilot.model.parse;

import static io.jpilot.model.parse.IstioObjectParserTest.vs;
import static io.jpilot.model.parse.KubernetesObjectParserTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic.Severity;
import org.junit.jupiter.api.Test;

/** Header values istiod accepts but Envoy rejects: variables that are not Envoy's. */
class HeaderVariableWarningTest {

  @Test
  void variableNames() {
    assertThat(HeaderValueSyntax.variableNames("%REQ(x-id)% and %HOSTNAME%"))
        .containsExactly("REQ", "HOSTNAME");
    assertThat(HeaderValueSyntax.variableNames("100%% {%uuid%}")).containsExactly("uuid");
    assertThat(HeaderValueSyntax.variableNames("%REQ([\"a\", \"b\"])%x%START_TIME%"))
        .containsExactly("REQ", "START_TIME");
    assertThat(HeaderValueSyntax.variableNames("plain")).isEmpty();
  }

  @Test
  void lowerCaseVariableIsAWarningAndTheObjectIsKept() {
    ParseResult r =
        parse(
            vs(
                "{hosts: [r], http: [{headers: {request: {add: {x-trace-id: \"{%uuid%}\", x-ok:"
                    + " \"%REQ(x-request-id)%\"}}, response: {set: {x-b: \"%Hostname%\"}}}, route:"
                    + " [{destination: {host: a}}]}]}"));

    assertThat(r.object()).isPresent();
    assertThat(r.diagnostics())
        .allMatch(d -> d.severity() == Severity.WARNING)
        .extracting(d -> d.path() + ": " + d.message())
        .containsExactly(
            "spec.http[0].headers.request.add.x-trace-id: unknown Envoy variable %uuid% in"
                + " \"{%uuid%}\": Envoy rejects the route configuration (variable names are upper"
                + " case, e.g. %REQ(x-request-id)% or %HOSTNAME%; write %% for a literal %)",
            "spec.http[0].headers.response.set.x-b: unknown Envoy variable %Hostname% in"
                + " \"%Hostname%\": Envoy rejects the route configuration (variable names are"
                + " upper case, e.g. %REQ(x-request-id)% or %HOSTNAME%; write %% for a literal"
                + " %)");
  }
}
