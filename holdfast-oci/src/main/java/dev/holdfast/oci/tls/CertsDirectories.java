package dev.holdfast.oci.tls;

import dev.holdfast.oci.FileErrors;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Per-registry certificates laid out as containers-certs.d(5) and Docker's {@code certs.d}: a
 * root directory with one subdirectory per registry, named {@code host} or {@code host:port} as in
 * image references, holding
 *
 * <ul>
 *   <li>{@code *.crt}: CA certificates to trust for that registry (PEM), and
 *   <li>{@code *.cert} with {@code *.key} of the same base name: a client certificate and its key,
 *       offered when the registry asks for one (mutual TLS).
 * </ul>
 *
 * <p>As in containers/image, the first root that has a directory for a registry is the one used
 * for it; directories for the same registry in later roots are not read. Other files are ignored.
 * A directory the user named is read strictly (a problem is an error); in the default locations a
 * problem skips that registry's directory with a warning, so that one broken entry on a machine
 * does not stop every command.
 */
public final class CertsDirectories {

  /**
   * A root directory, and whether the user named it (read strictly; it must exist) or it is a
   * default location (read leniently; it may be absent).
   */
  public record Root(Path directory, boolean named) {}

  private CertsDirectories() {}

  /**
   * The locations Podman, skopeo and Docker read, in their order: {@code
   * $HOME/.config/containers/certs.d} (when {@code HOME} is set), {@code
   * /etc/containers/certs.d}, {@code /etc/docker/certs.d}.
   */
  public static List<Root> defaultRoots(Map<String, String> environment) {
    List<Root> roots = new ArrayList<>();
    String home = environment.get("HOME");
    if (home != null && !home.isBlank()) {
      roots.add(new Root(Path.of(home, ".config", "containers", "certs.d"), false));
    }
    roots.add(new Root(Path.of("/etc/containers/certs.d"), false));
    roots.add(new Root(Path.of("/etc/docker/certs.d"), false));
    return roots;
  }

  /**
   * Adds what the roots hold to {@code trust}, in order.
   *
   * @return warnings: skipped PEM blocks, and registry directories of default locations that were
   *     skipped, with the reason
   * @throws IllegalArgumentException when a named root is not a directory, or names a registry
   *     badly
   * @throws InvalidTrustBundleException when a {@code .crt} file of a named root has no valid
   *     certificate
   * @throws InvalidClientIdentityException when a client certificate of a named root cannot be used
   */
  public static List<String> addTo(TrustConfig.Builder trust, List<Root> roots) {
    List<String> warnings = new ArrayList<>();
    Set<String> done = new HashSet<>();
    for (Root root : roots) {
      if (!Files.isDirectory(root.directory())) {
        if (root.named()) {
          throw new IllegalArgumentException("certs.d directory " + root.directory() + " does not exist");
        }
        continue;
      }
      for (Path registryDir : registryDirectories(root)) {
        String registry = registryDir.getFileName().toString();
        if (!done.add(TrustConfig.normalize(registry))) {
          continue;
        }
        try {
          warnings.addAll(addRegistry(trust, registry, registryDir));
        } catch (IllegalArgumentException | InvalidTrustBundleException | InvalidClientIdentityException e) {
          if (root.named()) {
            throw e;
          }
          warnings.add("certs.d: skipped " + registryDir + ": " + e.getMessage());
        }
      }
    }
    return warnings;
  }

  private static List<Path> registryDirectories(Root root) {
    List<Path> dirs = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root.directory(), Files::isDirectory)) {
      entries.forEach(dirs::add);
    } catch (IOException e) {
      if (root.named()) {
        throw new IllegalArgumentException(
            "cannot list certs.d directory " + root.directory() + ": " + FileErrors.reason(e), e);
      }
      return List.of();
    }
    dirs.sort(null);
    return dirs;
  }

  /** Reads one registry's directory completely before adding anything of it. */
  private static List<String> addRegistry(TrustConfig.Builder trust, String registry, Path dir) {
    Map<String, Path> crt = new TreeMap<>();
    Map<String, Path> cert = new TreeMap<>();
    Map<String, Path> key = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, Files::isRegularFile)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(".crt")) {
          crt.put(name, file);
        } else if (name.endsWith(".cert")) {
          cert.put(name.substring(0, name.length() - ".cert".length()), file);
        } else if (name.endsWith(".key")) {
          key.put(name.substring(0, name.length() - ".key".length()), file);
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list " + dir + ": " + FileErrors.reason(e), e);
    }
    for (String base : key.keySet()) {
      if (!cert.containsKey(base)) {
        throw new InvalidClientIdentityException(key.get(base) + " has no client certificate "
            + base + ".cert beside it");
      }
    }
    List<PemBundle> bundles = new ArrayList<>();
    for (Path file : crt.values()) {
      bundles.add(PemBundle.read(file));
    }
    List<ClientIdentity> identities = new ArrayList<>();
    for (Map.Entry<String, Path> entry : cert.entrySet()) {
      Path keyFile = key.get(entry.getKey());
      if (keyFile == null) {
        throw new InvalidClientIdentityException(entry.getValue() + " has no private key "
            + entry.getKey() + ".key beside it");
      }
      identities.add(ClientIdentity.read(entry.getValue(), keyFile));
    }
    if (identities.size() > 1) {
      throw new InvalidClientIdentityException(dir + " holds " + identities.size()
          + " client certificates; Holdfast offers one per registry");
    }
    List<String> warnings = new ArrayList<>();
    for (PemBundle bundle : bundles) {
      trust.addRegistryBundle(registry, bundle);
      warnings.addAll(bundle.warnings());
    }
    identities.forEach(identity -> trust.addClientIdentity(registry, identity));
    return warnings;
  }
}
