package dev.holdfast.cli;

import dev.holdfast.oci.auth.CredentialException;
import dev.holdfast.oci.auth.CredentialHelpers;
import dev.holdfast.oci.auth.CredentialProvider;
import dev.holdfast.oci.auth.DockerConfig;
import dev.holdfast.oci.auth.KubeletCredentialProviders;
import dev.holdfast.oci.http.Proxies;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.tls.CertsDirectories;
import dev.holdfast.oci.tls.InvalidClientIdentityException;
import dev.holdfast.oci.tls.InvalidTrustBundleException;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.oci.tls.TrustConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of every command that talks to registries ({@code --authfile}, the kubelet's
 * credential provider plugins, {@code --ca-file}, {@code --certs-d}, {@code --proxy}, {@code
 * --insecure-registry}),
 * a picocli mixin, that builds the {@link RegistryClient}.
 *
 * <p>As Docker does, loopback registries ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]})
 * may be reached over plain HTTP without {@code --insecure-registry}. Per-registry CA certificates
 * and client certificates are read from certs.d directories as Podman, skopeo and Docker read
 * them ({@link CertsDirectories}).
 */
final class RegistryOptions {

  /** The command these options belong to: a problem with one of them is a usage error of that command. */
  @Spec(Spec.Target.MIXEE) CommandSpec spec;

  @Option(names = "--authfile", paramLabel = "FILE",
      description = "Registry credentials: a Docker config.json or Podman auth.json. Default: as"
          + " Podman and Docker look for it ($REGISTRY_AUTH_FILE,"
          + " $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json,"
          + " $DOCKER_CONFIG/config.json or ~/.docker/config.json).")
  Path authFile;

  @Option(names = "--image-credential-provider-config", paramLabel = "FILE",
      description = "A kubelet CredentialProviderConfig (YAML or JSON): credential provider plugins"
          + " (ECR, Artifact Registry, ACR) asked for the images their matchImages name, after the"
          + " credentials of --authfile or the Docker config. Needs"
          + " --image-credential-provider-bin-dir.")
  Path credentialProviderConfig;

  @Option(names = "--image-credential-provider-bin-dir", paramLabel = "DIR",
      description = "The directory of the plugins that --image-credential-provider-config names, as"
          + " the kubelet's flag of the same name.")
  Path credentialProviderBinDir;

  @Option(names = "--ca-file", paramLabel = "FILE",
      description = "A PEM bundle of CA certificates to trust in addition to the system's, for"
          + " every registry. Repeatable.")
  List<Path> caFiles = new ArrayList<>();

  @Option(names = "--certs-d", paramLabel = "DIR",
      description = "A directory laid out as /etc/containers/certs.d: one subdirectory per registry"
          + " (HOST or HOST:PORT) with CA certificates (*.crt) and a client certificate for mutual"
          + " TLS (*.cert with its *.key). Repeatable; read before the default locations"
          + " (~/.config/containers/certs.d, /etc/containers/certs.d, /etc/docker/certs.d).")
  List<Path> certsDirectories = new ArrayList<>();

  @Option(names = "--proxy", paramLabel = "URL",
      description = "An HTTP proxy for every registry: http://[USER:PASSWORD@]HOST:PORT (HTTPS goes"
          + " through it in a CONNECT tunnel). Default: $HTTPS_PROXY for HTTPS and $HTTP_PROXY for"
          + " HTTP (or their lower-case forms). Hosts that $NO_PROXY lists are reached directly"
          + " either way.")
  String proxy;

  @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
      description = "A registry reached over plain HTTP or HTTPS without certificate checks."
          + " Repeatable. Loopback registries may use plain HTTP without this.")
  List<String> insecureRegistries = new ArrayList<>();

  /**
   * Builds a client; warnings (skipped PEM blocks) go to {@code err}.
   *
   * @throws BadInput when an option, or the environment, names something unusable
   */
  RegistryClient newClient(PrintWriter err) {
    return newClient(err, System.getenv());
  }

  /** Builds a client that also trusts what the mirrors need (their CA bundles, insecure flags). */
  RegistryClient newClient(PrintWriter err, MirrorOptions mirrors) {
    return newClient(err, System.getenv(), mirrors);
  }

  RegistryClient newClient(PrintWriter err, Map<String, String> environment) {
    return newClient(err, environment, null);
  }

  private RegistryClient newClient(PrintWriter err, Map<String, String> environment, MirrorOptions mirrors) {
    return RegistryClient.builder()
        .credentials(credentials(environment))
        .trust(trust(err, environment, mirrors))
        .proxies(proxies(environment))
        .userAgent("holdfast/" + VersionProvider.version())
        .build();
  }

  private Proxies proxies(Map<String, String> environment) {
    try {
      Proxies fromEnvironment = Proxies.fromEnvironment(environment);
      return proxy == null ? fromEnvironment : fromEnvironment.withProxy(proxy, "--proxy");
    } catch (IllegalArgumentException e) {
      throw new BadInput(spec, e.getMessage(), e);
    }
  }

  private CredentialProvider credentials(Map<String, String> environment) {
    if ((credentialProviderConfig == null) != (credentialProviderBinDir == null)) {
      throw new BadInput(spec, "--image-credential-provider-config and"
          + " --image-credential-provider-bin-dir go together", null);
    }
    CredentialProvider configured = dockerCredentials(environment);
    if (credentialProviderConfig == null) {
      return configured;
    }
    try {
      return CredentialProvider.chain(configured,
          KubeletCredentialProviders.read(credentialProviderConfig, credentialProviderBinDir));
    } catch (CredentialException e) {
      throw new BadInput(spec, "--image-credential-provider-config: " + e.getMessage(), e);
    }
  }

  private CredentialProvider dockerCredentials(Map<String, String> environment) {
    try {
      if (authFile != null) {
        if (!Files.isRegularFile(authFile)) {
          throw new BadInput(spec, "--authfile " + authFile + ": no such file", null);
        }
        return DockerConfig.read(authFile);
      }
      return DockerConfig.fromDefaultLocations(environment, CredentialHelpers.onSystemPath());
    } catch (CredentialException e) {
      throw new BadInput(spec, e.getMessage(), e);
    }
  }

  private TrustConfig trust(PrintWriter err, Map<String, String> environment, MirrorOptions mirrors) {
    TrustConfig.Builder trust = NativeCryptoSwitch.apply(TrustConfig.builder(), environment);
    if (mirrors != null) {
      try {
        mirrors.addTrust(trust).forEach(bundle -> bundle.warnings().forEach(w -> err.println("warning: " + w)));
      } catch (InvalidTrustBundleException | IllegalArgumentException e) {
        throw new BadInput(spec, "--mirrors: " + e.getMessage(), e);
      }
    }
    for (Path file : caFiles) {
      PemBundle bundle;
      try {
        bundle = PemBundle.read(file);
      } catch (InvalidTrustBundleException e) {
        throw new BadInput(spec, "--ca-file " + file + ": " + e.getMessage(), e);
      }
      bundle.warnings().forEach(warning -> err.println("warning: " + warning));
      trust.addGlobalBundle(bundle);
    }
    List<CertsDirectories.Root> roots = new ArrayList<>();
    certsDirectories.forEach(dir -> roots.add(new CertsDirectories.Root(dir, true)));
    roots.addAll(CertsDirectories.defaultRoots(environment));
    try {
      CertsDirectories.addTo(trust, roots).forEach(warning -> err.println("warning: " + warning));
    } catch (IllegalArgumentException | InvalidTrustBundleException | InvalidClientIdentityException e) {
      throw new BadInput(spec, "--certs-d: " + e.getMessage(), e);
    }
    for (String registry : insecureRegistries) {
      try {
        trust.addInsecureRegistry(registry);
      } catch (IllegalArgumentException e) {
        throw new BadInput(spec, "--insecure-registry " + registry + ": " + e.getMessage(), e);
      }
    }
    return trust.build();
  }
}
