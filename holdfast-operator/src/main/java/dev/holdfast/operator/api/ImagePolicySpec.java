package dev.holdfast.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/**
 * What an {@link ImagePolicy} protects and how.
 *
 * @param destination where the copies go
 * @param namespaceSelector the namespaces whose workloads it covers; none selects every namespace
 * @param excludeNamespaces namespaces it never touches, in addition to those labelled {@code
 *     holdfast.dev/skip=true} and the operator's own; unset, {@code kube-system}
 * @param includeImages image patterns to copy (globs over normalised references); none includes all
 * @param excludeImages image patterns never to copy; they win over includeImages
 * @param skipOwnerKinds owner kinds whose objects are left alone, in addition to every kind the
 *     operator does not manage (an operator's custom resource, for instance)
 * @param rewrite how workloads are pointed at their copies
 * @param referenceForm how a rewritten image names its copy
 * @param redirects rules applied to a source before it is copied
 * @param mirrorsConfigMap a ConfigMap key holding a registries.conf (or a redirect list, or mirror sets)
 *     merged with the cluster's mirror sets and the redirects
 * @param trustedCA more CA bundles trusted for every registry this policy's copies reach
 * @param tagMode what happens when a copied tag moves upstream
 * @param upstream how often sources are checked upstream, within which budgets
 * @param retention how long a copy no workload uses is kept ({@code 720h}: 30 days)
 * @param deleteFromRegistry whether retention also deletes the copy's tag from the destination
 * @param nodeMirror NodeMirror mode's settings
 * @param sharePrivateImages whether copies of private sources are served to every covered namespace
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImagePolicySpec(
    @Required @JsonPropertyDescription("Where the copies go.") Destination destination,
    @JsonPropertyDescription("The namespaces whose workloads this policy covers; none selects every namespace.")
    LabelSelector namespaceSelector,
    @JsonPropertyDescription("Namespaces never touched, besides those labelled holdfast.dev/skip=true and the"
        + " operator's own. Unset: kube-system.")
    List<String> excludeNamespaces,
    @JsonPropertyDescription("Image patterns to copy, globs over normalised references (docker.io/library/*);"
        + " none includes every image.")
    List<String> includeImages,
    @JsonPropertyDescription("Image patterns never to copy; they win over includeImages.")
    List<String> excludeImages,
    @JsonPropertyDescription("Owner kinds whose objects are left alone, besides every kind the operator does"
        + " not manage (such as an operator's custom resource).")
    List<String> skipOwnerKinds,
    @Default("Patch") @JsonPropertyDescription("How workloads are pointed at their copies: Patch (the workload"
        + " templates), Webhook (Pods at admission), Redirect (Pods at admission, to a mirror, no copy), NodeMirror"
        + " (the nodes' mirror configuration; Pods untouched) or None (copy only).")
    RewriteMode rewrite,
    @Default("TagAndDigest") @JsonPropertyDescription("How a rewritten image names its copy: TagAndDigest"
        + " (repo:tag@sha256:...) or Digest (repo@sha256:...).")
    ReferenceForm referenceForm,
    @JsonPropertyDescription("Rules applied to a source before it is copied: the first location of the longest"
        + " matching src prefix serves it (docker.io/ -> mirror.example.com/docker/).")
    List<Redirect> redirects,
    @JsonPropertyDescription("A ConfigMap key with a registries.conf (or a redirect list, or mirror sets), merged"
        + " with the cluster's mirror sets and the redirects.")
    ConfigMapKeyReference mirrorsConfigMap,
    @JsonPropertyDescription("More PEM CA bundles, in ConfigMaps or Secrets, trusted for every registry this"
        + " policy's copies reach.")
    List<TrustedCA> trustedCA,
    @Default("Pin") @JsonPropertyDescription("When a copied tag moves upstream: Pin (keep the copy, report TagMoved)"
        + " or Follow (copy the new digest, verify it, then point workloads at it).")
    TagMode tagMode,
    @JsonPropertyDescription("How often each source is checked upstream (a manifest HEAD), within which per-registry"
        + " budgets.")
    UpstreamChecks upstream,
    @Default("720h") @JsonPropertyDescription("How long a copy that no workload uses is kept: 720h, 30d, 90m.")
    String retention,
    @JsonPropertyDescription("Whether retention also deletes the copy's tag at the destination (never a manifest"
        + " another tag or copy needs). Off by default: only the ImageCopy goes.")
    Boolean deleteFromRegistry,
    @JsonPropertyDescription("NodeMirror mode: whether the nodes may still fall back to the source (the default)"
        + " or are blocked from it.")
    NodeMirrorSettings nodeMirror,
    @JsonPropertyDescription("Whether a copy of a private source (one that needs a namespace's own pull secret) is"
        + " served to every namespace the policy covers. Off by default: only namespaces whose own pull secrets"
        + " can read the source are pointed at it.")
    Boolean sharePrivateImages) {

  public ImagePolicySpec {
    excludeNamespaces = excludeNamespaces == null ? List.of("kube-system") : List.copyOf(excludeNamespaces);
    includeImages = includeImages == null ? List.of() : List.copyOf(includeImages);
    excludeImages = excludeImages == null ? List.of() : List.copyOf(excludeImages);
    skipOwnerKinds = skipOwnerKinds == null ? List.of() : List.copyOf(skipOwnerKinds);
    rewrite = rewrite == null ? RewriteMode.Patch : rewrite;
    referenceForm = referenceForm == null ? ReferenceForm.TagAndDigest : referenceForm;
    redirects = redirects == null ? List.of() : List.copyOf(redirects);
    trustedCA = trustedCA == null ? List.of() : List.copyOf(trustedCA);
    tagMode = tagMode == null ? TagMode.Pin : tagMode;
    upstream = upstream == null ? new UpstreamChecks(null, null) : upstream;
    retention = retention == null ? "720h" : retention;
    nodeMirror = nodeMirror == null ? new NodeMirrorSettings(null, null) : nodeMirror;
  }

  /** A policy without mirror configuration of its own or extra CAs. */
  public ImagePolicySpec(Destination destination, LabelSelector namespaceSelector, List<String> excludeNamespaces,
      List<String> includeImages, List<String> excludeImages, List<String> skipOwnerKinds, RewriteMode rewrite,
      ReferenceForm referenceForm, List<Redirect> redirects) {
    this(destination, namespaceSelector, excludeNamespaces, includeImages, excludeImages, skipOwnerKinds, rewrite,
        referenceForm, redirects, null, null, null, null, null, null, null, null);
  }

  /** A policy with a destination and every other field at its default. */
  public static ImagePolicySpec to(Destination destination) {
    return new ImagePolicySpec(destination, null, null, null, null, null, null, null, null);
  }

  /** How workloads are pointed at their copies. */
  public enum RewriteMode {
    /** Patch the workload templates once every image of a workload has a verified copy. */
    Patch,
    /** Rewrite Pods at admission; workloads stay as written. */
    Webhook,
    /** Rewrite Pods at admission to the redirect's mirror, when the mirror has the image; no copy. */
    Redirect,
    /** Copy only. */
    None,
    /**
     * Workloads and Pods stay as written; the nodes' runtimes pull through mirror configuration that
     * sends each source to its verified copy (ImageDigestMirrorSet and ImageTagMirrorSet on OpenShift,
     * {@code holdfast node-config} elsewhere).
     */
    NodeMirror
  }

  /** How a rewritten image names its copy. */
  public enum ReferenceForm {
    /** {@code registry/repository:tag@sha256:...}: readable, and pulled by digest. */
    TagAndDigest,
    /** {@code registry/repository@sha256:...}. */
    Digest
  }

  /**
   * Where copies go.
   *
   * @param registry the registry, {@code host[:port]}
   * @param repository the repository prefix under which copies are named; may be empty
   * @param naming {@code Keep} (the full source name under the prefix) or {@code Flatten} (one path
   *     component, for registries that allow only namespace/name such as Docker Hub and Quay)
   * @param pushSecret credentials that may push to the destination
   * @param pullSecret pull-only credentials, handed to the namespaces whose workloads use the copies;
   *     without it the push credentials are handed out
   * @param ca a ConfigMap key holding PEM CA certificates the destination's TLS chains to
   * @param insecure plain HTTP, or HTTPS without verification
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Destination(
      @Required @JsonPropertyDescription("The registry, host[:port].") String registry,
      @JsonPropertyDescription("The repository prefix under which copies are named.") String repository,
      @Default("Keep") @JsonPropertyDescription("Keep (the full source name under the prefix) or Flatten (one path"
          + " component under the prefix, for Docker Hub and Quay, which allow only namespace/name).")
      Naming naming,
      @JsonPropertyDescription("A Secret with credentials that may push to the destination"
          + " (kubernetes.io/dockerconfigjson, or username and password keys).")
      SecretReference pushSecret,
      @JsonPropertyDescription("A Secret with pull-only credentials, handed to the namespaces whose workloads use"
          + " copies; without it the push credentials are handed out.")
      SecretReference pullSecret,
      @JsonPropertyDescription("A ConfigMap key with the PEM CA certificates of the destination's TLS.")
      ConfigMapKeyReference ca,
      @JsonPropertyDescription("Plain HTTP, or HTTPS without verification.") Boolean insecure) {

    public Destination {
      naming = naming == null ? Naming.Keep : naming;
      repository = repository == null ? "" : repository;
    }

    /** A destination with default naming and no credentials. */
    public static Destination of(String registry, String repository) {
      return new Destination(registry, repository, null, null, null, null, null);
    }

    /** Whether TLS is not verified. */
    public boolean isInsecure() {
      return Boolean.TRUE.equals(insecure);
    }
  }

  /** How copies are named at the destination. */
  public enum Naming {
    Keep,
    Flatten
  }

  /**
   * A redirect rule: a source matching {@code src} is read from {@code to} instead.
   *
   * @param src a registry, repository or namespace prefix ({@code docker.io/}, {@code ghcr.io/org})
   * @param to what replaces that prefix
   */
  public record Redirect(
      @Required @JsonPropertyDescription("A registry, repository or namespace prefix: docker.io/, ghcr.io/org.")
      String src,
      @Required @JsonPropertyDescription("What replaces that prefix: mirror.example.com/docker-mirror/.") String to) {}

  /**
   * NodeMirror settings.
   *
   * @param blockSource whether the nodes are kept from the source: the copy is then the only place
   * @param updateGlobalPullSecret on OpenShift, whether the destination's pull credentials are added
   *     to the cluster's global pull secret, through which the nodes pull from the copies
   */
  public record NodeMirrorSettings(
      @JsonPropertyDescription("Keep the nodes from falling back to the source.") Boolean blockSource,
      @JsonPropertyDescription("OpenShift: add the destination's pull credentials to the global pull secret"
          + " openshift-config/pull-secret (its other entries are kept), so that the nodes can pull from the"
          + " copies. Off by default: the platform team adds them.") Boolean updateGlobalPullSecret) {
    /** Whether the source is blocked. */
    public boolean blocksSource() {
      return Boolean.TRUE.equals(blockSource);
    }

    /** Whether the global pull secret gets the destination's credentials. */
    public boolean updatesGlobalPullSecret() {
      return Boolean.TRUE.equals(updateGlobalPullSecret);
    }
  }

  /** Whether copies of private sources are served to every namespace the policy covers. */
  public boolean sharesPrivateImages() {
    return Boolean.TRUE.equals(sharePrivateImages);
  }

  /** Whether retention deletes from the destination registry. */
  public boolean deletesFromRegistry() {
    return Boolean.TRUE.equals(deleteFromRegistry);
  }

  /** When a copied tag moves upstream. */
  public enum TagMode {
    /** Keep the digest first copied, and report TagMoved. */
    Pin,
    /** Copy the new digest, verify it, then point new Pods and patched workloads at it. */
    Follow
  }

  /**
   * Upstream checks.
   *
   * @param interval how often each source is checked ({@code 24h})
   * @param budgets per-registry limits; docker.io defaults to 600 an hour, others to 3600
   */
  public record UpstreamChecks(
      @Default("24h") @JsonPropertyDescription("How often each source is checked: 24h, 6h, 30m.") String interval,
      @JsonPropertyDescription("Per-registry limits on checks; the most conservative across policies applies.")
      List<RegistryBudget> budgets) {
    public UpstreamChecks {
      interval = interval == null ? "24h" : interval;
      budgets = budgets == null ? List.of() : List.copyOf(budgets);
    }
  }

  /** At most {@code requests} checks of {@code registry} per {@code period}. */
  public record RegistryBudget(
      @Required String registry,
      @Required @io.fabric8.generator.annotation.Min(1) Integer requests,
      @Default("1h") String period) {
    public RegistryBudget {
      period = period == null ? "1h" : period;
    }
  }

  /** A key of a ConfigMap or Secret holding PEM certificates. */
  public record TrustedCA(
      @Default("ConfigMap") @JsonPropertyDescription("ConfigMap or Secret.") SourceKind kind,
      @Required String namespace, @Required String name, @Default("ca.crt") String key) {
    public TrustedCA {
      kind = kind == null ? SourceKind.ConfigMap : kind;
      key = key == null ? "ca.crt" : key;
    }
  }

  /** Where a bundle is kept. */
  public enum SourceKind {
    ConfigMap,
    Secret
  }

  /** A key of a ConfigMap. */
  public record ConfigMapKeyReference(
      @Required String namespace, @Required String name, @Default("ca.crt") String key) {
    public ConfigMapKeyReference {
      key = key == null ? "ca.crt" : key;
    }
  }
}
