package io.jpilot.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamespaceSelectorTest {

  @Test
  void noSelectorsSelectEverything() {
    NamespaceSelector all = NamespaceSelector.parse(List.of());
    assertThat(all.selectsAll()).isTrue();
    assertThat(all.matches(Map.of())).isTrue();
  }

  @Test
  void requirementsOfOneSelectorMustAllHold() {
    NamespaceSelector s = NamespaceSelector.parse(List.of("env=prod, tier in (web, api),!legacy"));
    assertThat(s.matches(Map.of("env", "prod", "tier", "web"))).isTrue();
    assertThat(s.matches(Map.of("env", "prod", "tier", "db"))).isFalse();
    assertThat(s.matches(Map.of("env", "prod", "tier", "api", "legacy", "true"))).isFalse();
    assertThat(s.matches(Map.of("tier", "web"))).isFalse();
  }

  @Test
  void anySelectorMaySelect() {
    NamespaceSelector s =
        NamespaceSelector.parse(List.of("istio-injection=enabled", "istio.io/rev==canary"));
    assertThat(s.matches(Map.of("istio-injection", "enabled"))).isTrue();
    assertThat(s.matches(Map.of("istio.io/rev", "canary"))).isTrue();
    assertThat(s.matches(Map.of("istio.io/rev", "stable"))).isFalse();
  }

  @Test
  void negativeRequirementsHoldWhenTheLabelIsMissing() {
    NamespaceSelector s = NamespaceSelector.parse(List.of("env!=dev,team notin (a,b),owner"));
    assertThat(s.matches(Map.of("owner", "x"))).isTrue();
    assertThat(s.matches(Map.of("owner", "x", "env", "dev"))).isFalse();
    assertThat(s.matches(Map.of("owner", "x", "team", "b"))).isFalse();
    assertThat(s.matches(Map.of("env", "prod"))).isFalse();
  }

  @Test
  void mistakesNameTheSelector() {
    assertThatThrownBy(() -> NamespaceSelector.parse(List.of("env=prod,,x")))
        .hasMessage("label selector \"env=prod,,x\": empty requirement");
    assertThatThrownBy(() -> NamespaceSelector.parse(List.of("env in prod")))
        .hasMessageContaining("expected a parenthesized value list");
    assertThatThrownBy(() -> NamespaceSelector.parse(List.of("-bad=x")))
        .hasMessageContaining("invalid label key \"-bad\"");
    assertThatThrownBy(() -> NamespaceSelector.parse(List.of("env=pr od")))
        .hasMessageContaining("invalid label value");
  }
}
