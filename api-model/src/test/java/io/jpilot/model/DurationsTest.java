package io.jpilot.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "100ms, 100000000",
    "10s, 10000000000",
    "1m30s, 90000000000",
    "1.5s, 1500000000",
    "500us, 500000",
    "500µs, 500000",
    "500μs, 500000",
    "300ns, 300",
    "0, 0",
    "-0, 0",
    "2h, 7200000000000",
    "1h2m3.5s, 3723500000000",
    ".5s, 500000000",
    "5.s, 5000000000",
    "1.0001ms, 1000100",
    "+250ms, 250000000",
    "-1.5s, -1500000000",
    "1s500ms, 1500000000",
  })
  void parsesGoDurations(String text, long nanos) {
    assertThat(Durations.parse(text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "abc", "1x", "s", "1.2.3s", "ms100", "1 s", "-", ".s", "1e3s"})
  void rejectsOtherText(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + text + "'")
        .hasMessageContaining("expected: a Go duration");
  }

  @Test
  void namesTheUnknownUnit() {
    assertThatThrownBy(() -> Durations.parse("5d"))
        .hasMessage(
            "duration: '5d': unknown unit 'd' (expected: a Go duration such as 100ms, 10s, 1m30s,"
                + " 1.5s)");
  }

  @Test
  void rejectsOverflow() {
    assertThatThrownBy(() -> Durations.parse("3000000h")).hasMessageContaining("out of range");
  }

  @Test
  void formatsLikeGo() {
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofMillis(100))).isEqualTo("100ms");
    assertThat(Durations.format(Duration.ofSeconds(10))).isEqualTo("10s");
    assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Durations.format(Duration.ofNanos(500_000))).isEqualTo("500us");
    assertThat(Durations.format(Duration.ofHours(2))).isEqualTo("2h0m0s");
    for (String s : new String[] {"100ms", "10s", "1m30s", "1.5s", "500us", "2h0m0s", "42ns"}) {
      assertThat(Durations.format(Durations.parse(s))).isEqualTo(s);
    }
  }
}
