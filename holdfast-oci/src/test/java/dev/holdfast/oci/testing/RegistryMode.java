package dev.holdfast.oci.testing;

/** How a test registry authenticates clients (TLS is a separate switch, see {@link RegistryExtension}). */
public enum RegistryMode {
  /** No authentication, plain HTTP. */
  PLAIN,
  /** No authentication, HTTPS with a test CA. */
  TLS,
  /** HTTP Basic authentication against a bcrypt htpasswd file (HTTPS by default). */
  BASIC_AUTH,
  /** Bearer tokens from the harness's {@link TokenServer} (plain HTTP by default). */
  TOKEN
}
