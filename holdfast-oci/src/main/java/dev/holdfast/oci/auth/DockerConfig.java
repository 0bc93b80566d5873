package dev.holdfast.oci.auth;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from a Docker {@code config.json} or a Podman {@code auth.json}: {@code auths},
 * {@code credHelpers} and {@code credsStore}.
 */
public final class DockerConfig implements CredentialProvider {

  private DockerConfig() {}

  /**
   * Parses a config file's content.
   *
   * @param source where it came from, used in error messages (a path, "pull secret x/y")
   * @throws CredentialException naming the source and the field when it is malformed
   */
  public static DockerConfig parse(String source, byte[] json, CredentialHelpers helpers) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** Reads a config file, running helpers found on the system {@code PATH}. */
  public static DockerConfig read(Path file) {
    return read(file, CredentialHelpers.onSystemPath());
  }

  /** Reads a config file. */
  public static DockerConfig read(Path file, CredentialHelpers helpers) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  /** The config file Docker/Podman would use in this process' environment, if one exists. */
  public static Optional<Path> defaultLocation() {
    return defaultLocation(System.getenv());
  }

  /** The config file Docker/Podman would use in the given environment, if one exists. */
  public static Optional<Path> defaultLocation(Map<String, String> environment) {
    throw new UnsupportedOperationException("not yet implemented");
  }

  @Override
  public Optional<Credential> credentialFor(String registry, String repository) {
    throw new UnsupportedOperationException("not yet implemented");
  }
}
