package dev.holdfast.cli;

import dev.holdfast.oci.registry.RegistryClient;

/**
 * The registry client of {@code copy} and {@code sync}. Anonymous with the JDK's trust until the
 * shared {@code RegistryOptions} mixin ({@code --authfile}, {@code --ca-file},
 * {@code --insecure-registry}) is wired in.
 */
final class CopyClients {
  private CopyClients() {}

  static RegistryClient client(int concurrencyPerRegistry) {
    return RegistryClient.builder().userAgent("holdfast/" + VersionProvider.version())
        .concurrencyPerRegistry(concurrencyPerRegistry).build();
  }
}
