package io.jpilot.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** istiod's host.Name rules (pkg/config/host/name.go). */
class HostsTest {
  @Test
  void matchesIsSymmetricAndWildcardAware() {
    assertThat(Hosts.matches("foo.com", "foo.com")).isTrue();
    assertThat(Hosts.matches("foo.com", "bar.com")).isFalse();
    assertThat(Hosts.matches("*.com", "foo.com")).isTrue();
    assertThat(Hosts.matches("bar.com", "*.com")).isTrue();
    assertThat(Hosts.matches("*.foo.com", "foo.com")).isFalse();
    assertThat(Hosts.matches("*", "foo.com")).isTrue();
    assertThat(Hosts.matches("*", "*.com")).isTrue();
    assertThat(Hosts.matches("*.com", "*.foo.com")).isTrue();
  }

  @Test
  void subsetOfIsOneWay() {
    assertThat(Hosts.subsetOf("a.foo.com", "*.foo.com")).isTrue();
    assertThat(Hosts.subsetOf("*.foo.com", "a.foo.com")).isFalse();
    assertThat(Hosts.subsetOf("*.a.foo.com", "*.foo.com")).isTrue();
    assertThat(Hosts.subsetOf("*.foo.com", "*.a.foo.com")).isFalse();
    assertThat(Hosts.subsetOf("anything", "*")).isTrue();
  }

  @Test
  void exactNamesAreMoreSpecificThanWildcardsAndLongerWildcardsThanShorter() {
    assertThat(Hosts.moreSpecific("a.foo.com", "*.foo.com")).isTrue();
    assertThat(Hosts.moreSpecific("*.a.foo.com", "*.foo.com")).isTrue();
    assertThat(Hosts.moreSpecific("*.foo.com", "*.a.foo.com")).isFalse();
  }
}
