package dev.holdfast.operator.cluster;

import dev.holdfast.oci.tls.InvalidTrustBundleException;
import dev.holdfast.oci.tls.PemBundle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The certificate authorities and insecure registries a cluster publishes for image pulls, as
 * OpenShift does: the merged bundle {@code openshift-config-managed/trusted-ca-bundle} (key {@code
 * ca-bundle.crt}, trusted for every registry), the ConfigMap that {@code
 * image.config.openshift.io/cluster} names in {@code spec.additionalTrustedCA} (one bundle per
 * registry, keyed by host name, {@code ..} standing for {@code :port}), and {@code
 * spec.registrySources.insecureRegistries}. A bundle with invalid PEM blocks contributes its valid
 * certificates; the skipped blocks are listed in {@link #skipped}. Pure.
 *
 * @param global bundles trusted for every registry
 * @param perRegistry bundles trusted for one registry ({@code host[:port]}) only
 * @param insecureRegistries registries reached over plain HTTP or unverified TLS
 * @param skipped what was skipped and why, naming the ConfigMap, key and block
 */
public record ClusterTrust(List<PemBundle> global, Map<String, PemBundle> perRegistry, List<String> insecureRegistries,
    List<String> skipped) {
  /** Nothing published: a plain cluster. */
  public static final ClusterTrust NONE = new ClusterTrust(List.of(), Map.of(), List.of(), List.of());

  public ClusterTrust {
    global = List.copyOf(global);
    perRegistry = Map.copyOf(perRegistry);
    insecureRegistries = List.copyOf(insecureRegistries);
    skipped = List.copyOf(skipped);
  }

  /**
   * The trust of these sources.
   *
   * @param trustedCaBundle the {@code ca-bundle.crt} of {@code openshift-config-managed/trusted-ca-bundle}, if any
   * @param additional the data of the additionalTrustedCA ConfigMap, if any, with its name for messages
   * @param insecure the image configuration's insecure registries
   */
  public static ClusterTrust of(Optional<String> trustedCaBundle, Optional<Named> additional, List<String> insecure) {
    List<PemBundle> global = new ArrayList<>();
    Map<String, PemBundle> perRegistry = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    trustedCaBundle.ifPresent(pem -> parse("ConfigMap openshift-config-managed/trusted-ca-bundle key ca-bundle.crt",
        pem, skipped).ifPresent(global::add));
    additional.ifPresent(named -> named.data().forEach((key, pem) -> {
      String registry = key.replace("..", ":");
      parse("ConfigMap openshift-config/" + named.name() + " key " + key, pem, skipped)
          .ifPresent(bundle -> perRegistry.put(registry, bundle));
    }));
    return new ClusterTrust(global, perRegistry, insecure, skipped);
  }

  /** A ConfigMap's name and data. */
  public record Named(String name, Map<String, String> data) {}

  private static Optional<PemBundle> parse(String origin, String pem, List<String> skipped) {
    try {
      PemBundle bundle = PemBundle.parse(origin, pem);
      bundle.skipped().forEach(block -> skipped.add(origin + ": " + block));
      return Optional.of(bundle);
    } catch (InvalidTrustBundleException e) {
      skipped.add(e.getMessage());
      return Optional.empty();
    }
  }
}
