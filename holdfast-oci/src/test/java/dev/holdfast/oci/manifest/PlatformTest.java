package dev.holdfast.oci.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PlatformTest {

  @ParameterizedTest
  @CsvSource({
      "linux/amd64,       linux, amd64, ''",
      "linux/arm64/v8,    linux, arm64, v8",
      "Linux/ARM/v7,      linux, arm,   v7",
      "windows/amd64,     windows, amd64, ''",
  })
  void parse(String text, String os, String arch, String variant) {
    Platform platform = Platform.parse(text);
    assertThat(platform.os()).isEqualTo(os);
    assertThat(platform.architecture()).isEqualTo(arch);
    assertThat(platform.variant()).isEqualTo(variant.isEmpty() ? Optional.empty() : Optional.of(variant));
    assertThat(platform.toString()).isEqualToIgnoringCase(text);
    assertThat(Platform.parse(platform.toString())).isEqualTo(platform);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "linux", "linux/", "/amd64", "linux/arm/v7/extra", "linux/am d64", "linux//v7"})
  void parseRejects(String text) {
    assertThatThrownBy(() -> Platform.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"");
  }

  @ParameterizedTest(name = "filter {0} vs {1} -> {2}")
  @CsvSource({
      // same os/arch
      "linux/amd64,     linux/amd64,     true",
      "linux/amd64,     linux/arm64,     false",
      "linux/amd64,     windows/amd64,   false",
      // aliases
      "linux/x86_64,    linux/amd64,     true",
      "linux/aarch64,   linux/arm64/v8,  true",
      // a filter without variant accepts every variant
      "linux/arm,       linux/arm/v6,    true",
      "linux/arm,       linux/arm/v7,    true",
      "linux/arm64,     linux/arm64/v8,  true",
      // a filter with a variant needs that variant; absent means the default variant
      "linux/arm/v7,    linux/arm/v6,    false",
      "linux/arm/v7,    linux/arm,       true",
      "linux/arm/v6,    linux/arm,       false",
      "linux/arm64/v8,  linux/arm64,     true",
      "linux/arm64/v8,  linux/arm64/v9,  false",
      "linux/arm/v7,    linux/arm/7,     true",
      // attestation entries of buildx indexes never match a real platform
      "linux/amd64,     unknown/unknown, false",
  })
  void matches(String filter, String candidate, boolean expected) {
    assertThat(Platform.parse(filter).matches(Platform.parse(candidate))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
      "10.0.17763.5458, 10.0.17763.5458, true",
      "10.0.17763.5458, 10.0.20348.2322, false",
      "'',              10.0.20348.2322, true",
  })
  void matchesOsVersion(String filterVersion, String candidateVersion, boolean expected) {
    Platform filter = new Platform("windows", "amd64", Optional.empty(),
        Optional.of(filterVersion), List.of());
    Platform candidate = new Platform("windows", "amd64", Optional.empty(),
        Optional.of(candidateVersion), List.of("win32k"));
    assertThat(filter.matches(candidate)).isEqualTo(expected);
  }
}
