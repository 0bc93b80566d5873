package dev.holdfast.oci.testing;

import dev.holdfast.oci.tls.NativeCrypto;
import java.util.Locale;
import java.util.Set;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Runs every test JVM's TLS as the CLI and the operator run theirs: on the native crypto provider
 * ({@link NativeCrypto}), or on the JDK's providers when {@code HOLDFAST_NATIVE_CRYPTO} is {@code
 * off} (or {@code false}, {@code 0}, {@code no}), the switch they read. Registered in
 * META-INF/services of the test-jar, so the other modules' tests run the same way.
 */
public final class NativeCryptoForTests implements LauncherSessionListener {
  private static final Set<String> OFF = Set.of("off", "false", "0", "no");

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    String value = System.getenv("HOLDFAST_NATIVE_CRYPTO");
    if (value != null && OFF.contains(value.strip().toLowerCase(Locale.ROOT))) {
      NativeCrypto.decline("HOLDFAST_NATIVE_CRYPTO=" + value);
    } else {
      NativeCrypto.install();
    }
  }
}
