package dev.holdfast.oci.tls;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Security;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Native cryptography for TLS: the Amazon Corretto Crypto Provider (ACCP, AWS-LC through JNI),
 * installed on request as the JVM's most preferred JCA provider. The JDK's TLS implementation
 * (SunJSSE) then runs AES-GCM, ECDH, RSA, ECDSA and the digests in AWS-LC from the first byte,
 * where the JDK's own code is fast only once the JIT has compiled it: a large copy over HTTPS
 * decrypts and re-encrypts every byte (<a href="https://github.com/corretto/amazon-corretto-crypto-provider">ACCP</a>;
 * issue 26).
 *
 * <p>Optional at run time. Where ACCP is not on the class path, or its native library does not
 * load (an architecture other than linux-x86_64, musl libc, no writable temporary directory to
 * unpack it to), the JDK's providers stay in use and everything works as before, only slower.
 *
 * <p>Installing a provider is process-wide, so the library never does it by itself: an
 * application's entry point calls {@link #install()}, or opts a {@link TrustConfig} in with
 * {@link TrustConfig.Builder#nativeCrypto()} (installed before its first TLS context), or calls
 * {@link #decline} to record that the JDK's providers are wanted. The first decision holds for
 * the life of the process; one DEBUG line on this class's logger says which providers TLS uses.
 */
public final class NativeCrypto {
  private static final Logger log = LoggerFactory.getLogger(NativeCrypto.class);
  private static volatile Choice choice;

  private NativeCrypto() {}

  /** Which providers TLS uses. */
  public sealed interface Choice permits Native, Jdk {
    /** One line for a log or a status page. */
    String describe();
  }

  /** ACCP is installed first: {@code provider} names it and its AWS-LC version. */
  public record Native(String provider) implements Choice {
    @Override
    public String describe() {
      return provider + ", native, installed as the most preferred JCA provider";
    }
  }

  /** The JDK's own providers; {@code reason} says why. */
  public record Jdk(String reason) implements Choice {
    @Override
    public String describe() {
      return "the JDK's providers (" + reason + ")";
    }
  }

  /**
   * Installs ACCP as the most preferred provider unless an earlier call decided otherwise; when it
   * cannot load, keeps the JDK's providers. Never throws for a missing or broken ACCP.
   */
  public static Choice install() {
    Choice decided = choice;
    return decided != null ? decided : decide(null);
  }

  /**
   * Starts {@link #install} on a daemon thread and returns at once, so that loading the native
   * library overlaps with the caller's start-up; a later {@link #install} (or {@link
   * TrustConfig#sslContext}) waits for it to finish.
   */
  public static void installInBackground() {
    if (choice == null) {
      Thread.ofPlatform().daemon().name("holdfast-native-crypto").start(NativeCrypto::install);
    }
  }

  /** Records that the JDK's providers are wanted ({@code reason}, e.g. the switch that said so), unless already decided. */
  public static Choice decline(String reason) {
    Choice decided = choice;
    return decided != null ? decided : decide(reason);
  }

  /** The decision so far; empty before {@link #install} or {@link #decline}. */
  public static Optional<Choice> current() {
    return Optional.ofNullable(choice);
  }

  private static synchronized Choice decide(String declined) {
    if (choice == null) {
      Choice decided = declined != null ? new Jdk(declined) : load();
      log.debug("TLS crypto: {}", decided.describe());
      choice = decided;
    }
    return choice;
  }

  private static Choice load() {
    try {
      return Accp.install();
    } catch (LinkageError e) {
      // NoClassDefFoundError: not on the class path; UnsatisfiedLinkError, ExceptionInInitializerError: it broke loading
      return new Jdk(e instanceof NoClassDefFoundError
          ? "the Amazon Corretto Crypto Provider is not on the class path"
          : "the Amazon Corretto Crypto Provider failed to load on " + platform() + ": " + e);
    } catch (RuntimeException e) {
      return new Jdk("the Amazon Corretto Crypto Provider failed to load on " + platform() + ": " + e);
    }
  }

  static String platform() {
    return System.getProperty("os.name", "?").toLowerCase(Locale.ROOT) + "/" + System.getProperty("os.arch", "?");
  }

  /** Every reference to ACCP's classes, so that its absence is one {@link NoClassDefFoundError}. */
  private static final class Accp {
    static Choice install() {
      AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
      Throwable error = accp.getLoadingError();
      if (error != null) {
        return new Jdk("the Amazon Corretto Crypto Provider's native library does not load on " + platform() + ": "
            + (error.getMessage() != null ? error.getMessage() : error.toString()));
      }
      if (Security.insertProviderAt(accp, 1) == -1 && Security.getProviders()[0] != accp) {
        // installed already, by someone else, not first: move it first
        Security.removeProvider(accp.getName());
        Security.insertProviderAt(accp, 1);
      }
      return new Native("Amazon Corretto Crypto Provider " + accp.getVersionStr() + " (" + accp.getAwsLcVersionStr()
          + ")");
    }
  }
}
