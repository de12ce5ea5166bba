package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.MeshSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShortNamesTest {
  @Test
  void resolvesAgainstTheNamespaceAndDomainLikeTheSnapshot() {
    MeshSnapshot local = MeshSnapshot.empty();
    MeshSnapshot other = MeshSnapshot.build(1, "corp.example", List.of());

    assertThat(ShortNames.resolve(local, "reviews", "default"))
        .isEqualTo("reviews.default.svc.cluster.local");
    assertThat(ShortNames.resolve(local, "reviews", "staging"))
        .isEqualTo("reviews.staging.svc.cluster.local");
    assertThat(ShortNames.resolve(other, "reviews", "default"))
        .isEqualTo("reviews.default.svc.corp.example");
    assertThat(ShortNames.resolve(local, "reviews", "default"))
        .isEqualTo("reviews.default.svc.cluster.local");
    assertThat(ShortNames.resolve(local, "api.example.com", "default"))
        .isEqualTo("api.example.com");
    assertThat(ShortNames.resolve(local, "*", "default")).isEqualTo("*");
  }

  @Test
  void answersWithTheSameStringEveryTime() {
    MeshSnapshot s = MeshSnapshot.empty();
    String first = ShortNames.resolve(s, "ratings", "default");
    assertThat(ShortNames.resolve(s, "ratings", "default")).isSameAs(first);
  }
}
