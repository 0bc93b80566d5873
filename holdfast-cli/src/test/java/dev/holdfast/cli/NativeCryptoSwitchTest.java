package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code HOLDFAST_NATIVE_CRYPTO}: which values switch native crypto off. */
class NativeCryptoSwitchTest {

  @ParameterizedTest(name = "HOLDFAST_NATIVE_CRYPTO={0} -> {1}")
  @CsvSource(nullValues = "unset", value = {
    // not set, or anything but a "no": on
    "unset, true",
    "on,    true",
    "1,     true",
    "yes,   true",
    "'',    true",
    // the "no"s, in any case, with spaces around
    "off,   false",
    "OFF,   false",
    "' off ', false",
    "false, false",
    "False, false",
    "0,     false",
    "no,    false",
  })
  void offTurnsItOff(String value, boolean enabled) {
    Map<String, String> environment = new HashMap<>();
    if (value != null) {
      environment.put("HOLDFAST_NATIVE_CRYPTO", value);
    }
    assertThat(NativeCryptoSwitch.enabled(environment)).isEqualTo(enabled);
  }
}
