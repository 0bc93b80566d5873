package dev.holdfast.operator.nodemirror;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.copy.CopyStatus;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The node-level mirror rules that send sources to their verified copies: one rule per source
 * repository with at least one verified copy ({@code docker.io/library/nginx} →
 * {@code backup.example.com/keep/docker.io/library/nginx}). A copy lives at one repository per source
 * repository under both naming schemes (keep and flatten), so a repository rule covers every tag and
 * digest of it; a repository without a verified copy has no rule, and its Pods pull from the source
 * as before. The nodes pull for every namespace, so the copy of a private source (one that needs a
 * namespace's own pull secret) gets a rule only when its policy shares private images. Pure.
 */
public final class NodeMirrorRules {
  private NodeMirrorRules() {}

  /**
   * One rule.
   *
   * @param source the source repository, normalised: {@code docker.io/library/nginx}
   * @param mirror where its copies are: {@code backup.example.com/keep/docker.io/library/nginx}
   * @param blockSource whether the nodes may not fall back to the source
   */
  public record Rule(String source, String mirror, boolean blockSource) {
    /** The source's registry. */
    public String sourceRegistry() {
      int slash = source.indexOf('/');
      return slash < 0 ? source : source.substring(0, slash);
    }

    /** The mirror's registry. */
    public String mirrorRegistry() {
      return mirror.substring(0, mirror.indexOf('/'));
    }
  }

  /** The names of the policies (those with a spec) in NodeMirror mode. */
  public static Set<String> nodeMirrorPolicies(Collection<ImagePolicy> policies) {
    return namesOf(policies, spec -> spec.rewrite() == ImagePolicySpec.RewriteMode.NodeMirror);
  }

  /** The names of the policies (those with a spec) that share private images with every namespace. */
  public static Set<String> sharingPolicies(Collection<ImagePolicy> policies) {
    return namesOf(policies, ImagePolicySpec::sharesPrivateImages);
  }

  private static Set<String> namesOf(Collection<ImagePolicy> policies, Predicate<ImagePolicySpec> test) {
    return policies.stream().filter(p -> p.getSpec() != null && test.test(p.getSpec()))
        .map(p -> p.getMetadata().getName()).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The rules for these copies (only the verified ones count, and a private source's only when
   * {@code sharesPrivateImages} holds for its policy), sorted by source.
   */
  public static List<Rule> of(Collection<ImageCopy> copies, boolean blockSource,
      Predicate<String> sharesPrivateImages) {
    Map<String, Rule> rules = new TreeMap<>();
    for (ImageCopy copy : copies) {
      if (!CopyStatus.isReady(copy) || !CopyStatus.servesNamespace(copy, null,
          sharesPrivateImages.test(copy.getSpec().getPolicy()))) {
        continue;
      }
      try {
        String source = ImageReference.parse(copy.getSpec().getSource()).name();
        String mirror = ImageReference.parse(copy.getStatus().getCopy()).name();
        rules.putIfAbsent(source, new Rule(source, mirror, blockSource));
      } catch (InvalidReferenceException e) {
        // neither is a reference an ImageCopy the operator wrote can hold; skip what someone else wrote
      }
    }
    return List.copyOf(rules.values());
  }
}
