package io.jpilot.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushSettingsTest {

  @Test
  void defaultsAreIstiods() {
    PushSettings s = PushSettings.fromEnvironment(Map.of());
    assertThat(s.debounceAfter()).isEqualTo(Duration.ofMillis(100));
    assertThat(s.debounceMax()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.pushThrottle())
        .isEqualTo(Math.min(15 + 5 * Runtime.getRuntime().availableProcessors(), 100));
    assertThat(PushSettings.defaults()).isEqualTo(s);
  }

  @Test
  void defaultThrottleGrowsWithCoresUpToOneHundred() {
    assertThat(PushSettings.defaultPushThrottle(1)).isEqualTo(20);
    assertThat(PushSettings.defaultPushThrottle(2)).isEqualTo(25);
    assertThat(PushSettings.defaultPushThrottle(17)).isEqualTo(100);
    assertThat(PushSettings.defaultPushThrottle(64)).isEqualTo(100);
  }

  @Test
  void readsTheVariables() {
    PushSettings s =
        PushSettings.fromEnvironment(
            Map.of(
                "PILOT_DEBOUNCE_AFTER", "1.5s",
                "PILOT_DEBOUNCE_MAX", "1m30s",
                "PILOT_PUSH_THROTTLE", " 7 ",
                "JPILOT_PUSH_SEND_BUDGET", "1048576",
                "UNRELATED", "x"));
    assertThat(s)
        .isEqualTo(new PushSettings(Duration.ofMillis(1500), Duration.ofSeconds(90), 7, 1 << 20));
    assertThat(PushSettings.fromEnvironment(Map.of()).sendBudgetBytes())
        .isEqualTo(SendBudget.DEFAULT_LIMIT_BYTES);
    assertThat(PushSettings.fromEnvironment(Map.of("JPILOT_PUSH_SEND_BUDGET", "0")).sendBudgetBytes())
        .isZero();
  }

  @Test
  void blankKeepsTheDefault() {
    PushSettings s =
        PushSettings.fromEnvironment(
            Map.of("PILOT_DEBOUNCE_AFTER", " ", "PILOT_PUSH_THROTTLE", ""));
    assertThat(s.debounceAfter()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void zeroDebounceIsAllowed() {
    assertThat(PushSettings.fromEnvironment(Map.of("PILOT_DEBOUNCE_AFTER", "0")).debounceAfter())
        .isZero();
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> PushSettings.fromEnvironment(Map.of("PILOT_DEBOUNCE_AFTER", "100")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("PILOT_DEBOUNCE_AFTER: duration: '100': missing unit");
    assertThatThrownBy(() -> PushSettings.fromEnvironment(Map.of("PILOT_DEBOUNCE_MAX", "-1s")))
        .hasMessage("PILOT_DEBOUNCE_MAX: '-1s' (expected: >= 0)");
    assertThatThrownBy(() -> PushSettings.fromEnvironment(Map.of("PILOT_PUSH_THROTTLE", "ten")))
        .hasMessage("PILOT_PUSH_THROTTLE: 'ten' (expected: an integer >= 1)");
    assertThatThrownBy(() -> PushSettings.fromEnvironment(Map.of("PILOT_PUSH_THROTTLE", "0")))
        .hasMessage("PILOT_PUSH_THROTTLE: 0 (expected: an integer >= 1)");
    assertThatThrownBy(
            () -> PushSettings.fromEnvironment(Map.of("JPILOT_PUSH_SEND_BUDGET", "16MiB")))
        .hasMessage("JPILOT_PUSH_SEND_BUDGET: '16MiB' (expected: a number of bytes >= 0)");
    assertThatThrownBy(() -> PushSettings.fromEnvironment(Map.of("JPILOT_PUSH_SEND_BUDGET", "-1")))
        .hasMessage("JPILOT_PUSH_SEND_BUDGET: -1 (expected: a number of bytes >= 0)");
  }

  @Test
  void constructorChecks() {
    assertThatThrownBy(() -> new PushSettings(Duration.ofMillis(-1), Duration.ZERO, 1))
        .hasMessage("debounceAfter: -1ms (expected: >= 0)");
    assertThatThrownBy(() -> new PushSettings(Duration.ZERO, Duration.ZERO, 0))
        .hasMessage("pushThrottle: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new PushSettings(Duration.ZERO, Duration.ZERO, 1, -1))
        .hasMessage("sendBudgetBytes: -1 (expected: >= 0)");
  }
}
