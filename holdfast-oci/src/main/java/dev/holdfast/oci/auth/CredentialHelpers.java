package dev.holdfast.oci.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs Docker credential helpers ({@code docker-credential-<name> get}) found on a search path.
 *
 * @see <a href="https://github.com/docker/docker-credential-helpers">docker-credential-helpers</a>
 */
public final class CredentialHelpers {
  private final List<Path> searchPath;
  private final Duration timeout;

  private CredentialHelpers(List<Path> searchPath, Duration timeout) {
    this.searchPath = List.copyOf(searchPath);
    this.timeout = timeout;
  }

  /** Helpers found on the directories of the {@code PATH} environment variable. */
  public static CredentialHelpers onSystemPath() {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Helpers found in the given directories, in order. */
  public static CredentialHelpers onPath(List<Path> directories) {
    return new CredentialHelpers(directories, Duration.ofSeconds(30));
  }

  /** A copy that stops a helper after {@code timeout}. */
  public CredentialHelpers withTimeout(Duration timeout) {
    return new CredentialHelpers(searchPath, timeout);
  }

  /**
   * Runs {@code docker-credential-<helper> get} with {@code serverUrl} on stdin.
   *
   * @return the credential, or empty when the helper says it has none for that server
   * @throws CredentialException when the helper is missing, fails or answers nonsense
   */
  public Optional<Credential> get(String helper, String serverUrl) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
