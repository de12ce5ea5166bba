package io.jpilot.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jpilot.model.config.ConfigKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RoutePlanTest {

  private static RoutePlan plan(String cluster, int weight, Duration timeout) {
    List<RoutePlan.Target> targets = new ArrayList<>();
    targets.add(new RoutePlan.Target(new String(cluster), weight));
    targets.add(new RoutePlan.Target("outbound|8080|v2|b.ns.svc.cluster.local", 100 - weight));
    return new RoutePlan(
        new String("b.ns.svc.cluster.local:8080"),
        Optional.empty(),
        targets,
        true,
        timeout,
        Optional.of(new ConfigKey("VirtualService", "ns", "b")),
        "b.ns.svc.cluster.local:8080/*");
  }

  @Test
  void equalityIsByValueWhetherOrNotThePartsAreShared() {
    RoutePlan a = plan("outbound|8080|v1|b.ns.svc.cluster.local", 90, Duration.ZERO);
    RoutePlan b = plan("outbound|8080|v1|b.ns.svc.cluster.local", 90, Duration.ZERO);
    assertThat(a).isNotSameAs(b).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(plan("outbound|8080|v1|b.ns.svc.cluster.local", 80, Duration.ZERO));
    assertThat(a).isNotEqualTo(plan("outbound|8080|v3|b.ns.svc.cluster.local", 90, Duration.ZERO));
    assertThat(a)
        .isNotEqualTo(plan("outbound|8080|v1|b.ns.svc.cluster.local", 90, Duration.ofSeconds(1)));
    RoutePlan other =
        new RoutePlan(
            a.name(),
            a.match(),
            a.targets(),
            a.weighted(),
            a.timeout(),
            Optional.empty(),
            a.operation());
    assertThat(a).isNotEqualTo(other);
    assertThat(other).isNotEqualTo(a);
  }
}
