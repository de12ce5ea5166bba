package io.jpilot.model.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.registry.Namespace;
import org.junit.jupiter.api.Test;

class ConfigFileParserTest {

  @Test
  void keepsValidObjectsAndReportsTheRest() {
    ParsedFile f =
        ConfigFileParser.parse(
            "mixed.yaml",
            "apiVersion: v1\n"
                + "kind: Namespace\n"
                + "metadata: {name: a}\n"
                + "---\n"
                + "apiVersion: v1\n"
                + "kind: Namespace\n"
                + "metadata: {name: a, labels: {x: y}}\n"
                + "---\n"
                + "apiVersion: x/v1\n"
                + "kind: Foo\n"
                + "metadata: {name: f}\n"
                + "---\n"
                + "apiVersion: networking.istio.io/v1\n"
                + "kind: DestinationRule\n"
                + "metadata: {name: d}\n"
                + "spec: {host: d, subsets: [{name: \"v1.0\"}]}\n"
                + "---\n"
                + "apiVersion: v1\n"
                + "kind: Namespace\n"
                + "metadata: {name: b}\n",
            "cluster.local");

    assertThat(f.readable()).isTrue();
    assertThat(f.objects())
        .containsExactly(
            new Namespace("a", java.util.Map.of()), new Namespace("b", java.util.Map.of()));
    assertThat(f.results()).hasSize(5);
    assertThat(f.results().get(3).key())
        .isEqualTo(new ConfigKey("DestinationRule", "default", "d"));
    assertThat(f.results().get(3).object()).isEmpty();
    assertThat(f.diagnostics())
        .extracting(Diagnostic::toString)
        .containsExactly(
            "WARNING Namespace a (mixed.yaml): defined more than once in this file; the first"
                + " definition is used",
            "INFO Foo default/f (mixed.yaml): Foo (x/v1) is not handled by jpilot; not checked",
            "ERROR DestinationRule default/d (mixed.yaml): spec.subsets[0].name: subset name is"
                + " invalid: v1.0");
  }

  @Test
  void malformedFileIsUnreadable() {
    ParsedFile f = ConfigFileParser.parse("bad.yaml", "a: b: c\n", "cluster.local");
    assertThat(f.readable()).isFalse();
    assertThat(f.objects()).isEmpty();
    assertThat(f.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.ERROR);
              assertThat(d.toString())
                  .isEqualTo(
                      "ERROR (bad.yaml): line 1, column 5: mapping values are not allowed here");
            });
  }
}
