package dev.holdfast.oci.reference;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A normalised image reference: registry, repository, and a tag, a digest or both.
 *
 * <p>Parsing follows the grammar of <a
 * href="https://github.com/distribution/reference/blob/main/reference.go">distribution/reference</a>
 * and its normalisation of familiar names: {@code nginx} is {@code docker.io/library/nginx:latest},
 * {@code index.docker.io} is {@code docker.io}. A reference with neither tag nor digest gets the tag
 * {@code latest}. {@link #toString()} round-trips through {@link #parse(String)}.
 */
public final class ImageReference {

  /** The registry that names without a domain belong to. */
  public static final String DOCKER_HUB = "docker.io";

  static final String DEFAULT_TAG = "latest";
  static final int NAME_MAX_LENGTH = 255;

  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final Pattern HOST =
      Pattern.compile(DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:.]+(?:%[a-zA-Z0-9]+)?\\]");
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
  private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

  private final String registry;
  private final String repository;
  private final String tag;
  private final Digest digest;

  private ImageReference(String registry, String repository, String tag, Digest digest) {
    this.registry = registry;
    this.repository = repository;
    this.tag = tag;
    this.digest = digest;
  }

  /**
   * Parses and normalises a reference such as {@code nginx}, {@code ghcr.io/org/app:1.2},
   * {@code [::1]:5000/app@sha256:...} or {@code name:tag@digest}.
   *
   * @throws InvalidReferenceException naming the part that is wrong
   */
  public static ImageReference parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidReferenceException(String.valueOf(text), "reference is empty");
    }
    if (HEX64.matcher(text).matches()) {
      throw new InvalidReferenceException(
          text, "a 64-character hexadecimal string is an image ID, not a repository name");
    }
    if (text.indexOf('$') >= 0 || text.contains("{{")) { // never valid in a reference
      throw new InvalidReferenceException(text, "it holds a template placeholder that was never filled in;"
          + " render the manifests first (helm template, kustomize build, envsubst)");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        throw new InvalidReferenceException(text, "contains whitespace or a control character at position " + (i + 1));
      }
    }
    String rest = text;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      String digestText = rest.substring(at + 1);
      try {
        digest = Digest.parse(digestText);
      } catch (InvalidReferenceException e) {
        throw new InvalidReferenceException(text, "digest: " + e.problem());
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/') && colon > rest.lastIndexOf(']')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw new InvalidReferenceException(text, "tag \"" + tag + "\" is invalid: it must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
      }
    }
    if (rest.isEmpty()) {
      throw new InvalidReferenceException(text, "repository name is empty");
    }

    String registry;
    String repository;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? "" : rest.substring(0, slash);
    boolean hasDomain = slash >= 0 && isRegistryHost(first);
    if (hasDomain) {
      registry = first;
      repository = rest.substring(slash + 1);
    } else {
      registry = DOCKER_HUB;
      repository = rest;
    }
    validateRegistry(text, registry);
    if (registry.equals("index.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && repository.indexOf('/') < 0) {
      repository = "library/" + repository;
    }
    validateRepository(text, repository);
    if (registry.length() + 1 + repository.length() > NAME_MAX_LENGTH) {
      throw new InvalidReferenceException(
          text, "name " + registry + "/" + repository + " is longer than " + NAME_MAX_LENGTH + " characters");
    }
    return new ImageReference(registry, repository, tag == null && digest == null ? DEFAULT_TAG : tag, digest);
  }

  /**
   * Whether {@code component}, the text before a name's first {@code /}, is read as a registry
   * host rather than a Docker Hub namespace: it has a dot, a port, IPv6 brackets, upper case, or is
   * {@code localhost} (distribution/reference's {@code splitDockerDomain}).
   */
  public static boolean isRegistryHost(String component) {
    return component.contains(".") || component.contains(":") || component.startsWith("[")
        || component.equals("localhost") || !component.equals(component.toLowerCase(java.util.Locale.ROOT));
  }

  /**
   * A reference from its parts, validated as {@link #parse} would; {@code tag} and {@code digest}
   * may be null, and with neither the tag is {@code latest}. The registry and repository are taken
   * as given (no Docker Hub normalisation).
   */
  public static ImageReference of(String registry, String repository, String tag, Digest digest) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(repository, "repository");
    String text = registry + "/" + repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    validateRegistry(text, registry);
    validateRepository(text, repository);
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new InvalidReferenceException(text, "tag \"" + tag + "\" is invalid: it must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    }
    if (registry.length() + 1 + repository.length() > NAME_MAX_LENGTH) {
      throw new InvalidReferenceException(text, "name is longer than " + NAME_MAX_LENGTH + " characters");
    }
    return new ImageReference(registry, repository, tag == null && digest == null ? DEFAULT_TAG : tag, digest);
  }

  private static void validateRegistry(String text, String registry) {
    String host = registry;
    String port = null;
    int close = registry.lastIndexOf(']');
    int colon = registry.lastIndexOf(':');
    if (registry.startsWith("[")) {
      if (close < 0) {
        throw new InvalidReferenceException(text, "registry \"" + registry + "\" has an unclosed IPv6 bracket");
      }
      host = registry.substring(0, close + 1);
      if (close + 1 < registry.length()) {
        if (registry.charAt(close + 1) != ':') {
          throw new InvalidReferenceException(text, "registry \"" + registry + "\" has text after the IPv6 address");
        }
        port = registry.substring(close + 2);
      }
    } else if (colon >= 0) {
      host = registry.substring(0, colon);
      port = registry.substring(colon + 1);
    }
    if (!HOST.matcher(host).matches()) {
      throw new InvalidReferenceException(text, "registry host \"" + host + "\" is invalid");
    }
    if (port != null && (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535)) {
      throw new InvalidReferenceException(text, "registry port \"" + port + "\" is invalid");
    }
  }

  private static void validateRepository(String text, String repository) {
    if (repository.isEmpty()) {
      throw new InvalidReferenceException(text, "repository name is empty");
    }
    // characters that are wrong in any case first; then upper case, the one mistake of a name that
    // is right in lower case
    for (String component : repository.split("/", -1)) {
      if (!PATH_COMPONENT.matcher(component.toLowerCase(java.util.Locale.ROOT)).matches()) {
        throw new InvalidReferenceException(
            text,
            component.isEmpty()
                ? "repository name \"" + repository + "\" has an empty path component"
                : "repository path component \"" + component + "\" is invalid: it must be lower-case letters and "
                    + "digits, separated by '.', '_', '__' or dashes");
      }
    }
    if (!repository.equals(repository.toLowerCase(java.util.Locale.ROOT))) {
      throw new InvalidReferenceException(text, "repository name \"" + repository + "\" must be lower case");
    }
  }

  /** The registry: {@code docker.io}, {@code ghcr.io}, {@code localhost:5000}, {@code [::1]:5000}. */
  public String registry() {
    return registry;
  }

  /** The repository within the registry, e.g. {@code library/nginx}. */
  public String repository() {
    return repository;
  }

  /** The tag, if any. */
  public Optional<String> tag() {
    return Optional.ofNullable(tag);
  }

  /** The digest, if any. */
  public Optional<Digest> digest() {
    return Optional.ofNullable(digest);
  }

  /** {@code registry/repository}, without tag or digest. */
  public String name() {
    return registry + "/" + repository;
  }

  /** The same name with this tag; a digest is kept. */
  public ImageReference withTag(String newTag) {
    return of(registry, repository, Objects.requireNonNull(newTag, "tag"), digest);
  }

  /** The same name with this digest; a tag is kept. */
  public ImageReference withDigest(Digest newDigest) {
    return new ImageReference(registry, repository, tag, Objects.requireNonNull(newDigest, "digest"));
  }

  /** Without the tag; with neither left, the tag stays (a reference always has one or the other). */
  public ImageReference withoutTag() {
    return digest == null ? this : new ImageReference(registry, repository, null, digest);
  }

  /** Without the digest; with neither left, the tag becomes {@code latest}. */
  public ImageReference withoutDigest() {
    return new ImageReference(registry, repository, tag == null ? DEFAULT_TAG : tag, null);
  }

  /** Another registry and repository, keeping tag and digest. */
  public ImageReference withName(String newRegistry, String newRepository) {
    return of(newRegistry, newRepository, tag, digest);
  }

  /** Whether this reference names Docker Hub. */
  public boolean isDockerHub() {
    return registry.equals(DOCKER_HUB);
  }

  /** The tag or, failing that, the digest: what a registry's {@code /manifests/<ref>} takes. Digest wins. */
  public String manifestReference() {
    return digest != null ? digest.toString() : tag;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageReference other
        && registry.equals(other.registry)
        && repository.equals(other.repository)
        && Objects.equals(tag, other.tag)
        && Objects.equals(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(registry, repository, tag, digest);
  }

  /** {@code registry/repository[:tag][@digest]}. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(name());
    if (tag != null) {
      out.append(':').append(tag);
    }
    if (digest != null) {
      out.append('@').append(digest);
    }
    return out.toString();
  }
}
