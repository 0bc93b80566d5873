package dev.holdfast.cli;

import dev.holdfast.oci.tls.NativeCrypto;
import dev.holdfast.oci.tls.TrustConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code HOLDFAST_NATIVE_CRYPTO}: whether the command and the operator run TLS on the native crypto
 * provider ({@link NativeCrypto}, the default) or on the JDK's providers ({@code off}, {@code
 * false}, {@code 0} or {@code no}). The entry points read it; the library reads no environment.
 */
final class NativeCryptoSwitch {
  static final String VARIABLE = "HOLDFAST_NATIVE_CRYPTO";
  private static final Set<String> OFF = Set.of("off", "false", "0", "no");

  private NativeCryptoSwitch() {}

  /** Whether the environment leaves native crypto on. */
  static boolean enabled(Map<String, String> environment) {
    String value = environment.get(VARIABLE);
    return value == null || !OFF.contains(value.strip().toLowerCase(Locale.ROOT));
  }

  /**
   * A command: native crypto is loaded in the background from now on and installed before the
   * first TLS connection, unless the switch is off.
   */
  static TrustConfig.Builder apply(TrustConfig.Builder trust, Map<String, String> environment) {
    if (enabled(environment)) {
      NativeCrypto.installInBackground();
      return trust.nativeCrypto();
    }
    NativeCrypto.decline(VARIABLE + "=" + environment.get(VARIABLE));
    return trust;
  }

  /** The operator, a long-running process: native crypto now, unless the switch is off. */
  static NativeCrypto.Choice applyNow(Map<String, String> environment) {
    return enabled(environment) ? NativeCrypto.install()
        : NativeCrypto.decline(VARIABLE + "=" + environment.get(VARIABLE));
  }
}
