package dev.holdfast.operator.copy;

import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.RegistryCredentials;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may read a source, so that a private image copied with one namespace's pull secret is not
 * served to another namespace through Holdfast's shared pull secret. A source that answers a
 * manifest HEAD with only what every covered namespace shares (the policy's own credentials, which
 * the platform team gave it, and the cluster's global pull secret) is public; otherwise each
 * namespace's own pull secrets are asked on their own, and only the namespaces whose credentials can
 * read it are served the copy.
 */
public final class SourceAccess {
  private final RegistryAccess access;

  public SourceAccess(RegistryAccess access) {
    this.access = access;
  }

  /**
   * What the check found.
   *
   * @param requiresCredentials whether the source refuses anonymous reads
   * @param granted namespaces whose own pull secrets can read it
   * @param denied namespaces whose pull secrets cannot
   */
  public record Grants(boolean requiresCredentials, Set<String> granted, Set<String> denied) {
    /** A private source that none of the namespaces of {@code pullSecrets} (but {@code skip}) was shown to read. */
    public static Grants noneReadable(List<SecretReference> pullSecrets, Set<String> skip) {
      Set<String> denied = new TreeSet<>();
      pullSecrets.forEach(ref -> denied.add(ref.namespace()));
      denied.removeAll(skip);
      return new Grants(true, Set.of(), denied);
    }
  }

  /**
   * Checks {@code place} (where the copy was read from, by digest) with the policy's own credentials
   * and the cluster's global pull secret only, then, if that is refused, with the pull secrets of each
   * namespace in {@code pullSecrets} but those in {@code skip}, one namespace at a time.
   */
  public Grants check(Policy policy, RegistryCredentials credentials, MirrorRules rules, ImageReference place,
      List<SecretReference> pullSecrets, Set<String> skip) {
    if (readable(policy, credentials, rules, place, List.of())) {
      return new Grants(false, Set.of(), Set.of());
    }
    Map<String, List<SecretReference>> byNamespace = new LinkedHashMap<>();
    pullSecrets.forEach(ref -> byNamespace.computeIfAbsent(ref.namespace(), n -> new ArrayList<>()).add(ref));
    Set<String> granted = new TreeSet<>();
    Set<String> denied = new TreeSet<>();
    byNamespace.forEach((namespace, refs) -> {
      if (!skip.contains(namespace)) {
        (readable(policy, credentials, rules, place, refs) ? granted : denied).add(namespace);
      }
    });
    return new Grants(true, granted, denied);
  }

  private boolean readable(Policy policy, RegistryCredentials credentials, MirrorRules rules, ImageReference place,
      List<SecretReference> secrets) {
    try (RegistryClient client = access.client(policy, credentials, secrets, rules, List.of(place),
        "holdfast-operator")) {
      return client.headManifest(place).isPresent();
    } catch (RuntimeException e) {
      return false; // refused, or unreachable: not shown to be readable
    }
  }
}
