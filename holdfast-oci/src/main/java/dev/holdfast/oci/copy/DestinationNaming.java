package dev.holdfast.oci.copy;

import dev.holdfast.oci.layout.LayoutNames;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the copy of a source image goes. Every scheme is injective: two different sources never
 * map to the same destination.
 *
 * <ul>
 *   <li>{@link Keep}: the full source name under a prefix, {@code backup.example.com/keep} +
 *       {@code docker.io/library/nginx:1.27} = {@code backup.example.com/keep/docker.io/library/nginx:1.27}.
 *       The registry becomes one path component: {@code localhost:5000} is {@code localhost_5000},
 *       {@code [::1]:5000} is {@code ip6_0_0_0_0_0_0_0_1__5000} (host names never contain {@code _}).
 *   <li>{@link Flatten}: for registries that allow only {@code namespace/name} (Docker Hub, Quay):
 *       the same components joined into one by a separator, {@code docker.io/myorg} +
 *       {@code docker.io/library/nginx:1.27} = {@code docker.io/myorg/docker.io_library_nginx:1.27}.
 *       Inside a component, a separator run equal to the chosen separator or containing {@code _} is
 *       escaped as {@code __u__} ({@code _}), {@code __uu__} ({@code __}), {@code __d__} ({@code .}) or
 *       {@code __h<n>__} (n dashes): {@code ghcr.io/my_org/app} becomes {@code ghcr.io_my__u__org_app}.
 *       {@code __} appears nowhere else, so the name decodes back to exactly one source.
 *   <li>{@link IntoLayout}: an OCI layout directory, each image named by its full source reference
 *       ({@code docker.io/library/nginx:1.27}) in {@code index.json}.
 * </ul>
 *
 * <p>The tag is the source's tag. A digest-only source gets {@code digest-sha256-<hex>} so the
 * copy stays listable; that is not {@code sha256-<hex>}, which the OCI referrers tag schema uses.
 * A source with both ({@code nginx:1.27@sha256:...}) keeps its tag and is copied by its digest: two
 * entries that pin one tag to different digests both arrive, and the tag names the last one copied.
 */
public sealed interface DestinationNaming
    permits DestinationNaming.Keep, DestinationNaming.Flatten, DestinationNaming.IntoLayout {

  /** The naming schemes for a registry target. */
  enum Scheme {
    KEEP,
    FLATTEN;

    /** Parses {@code keep} or {@code flatten}, ignoring case. */
    public static Scheme parse(String text) {
      try {
        return valueOf(text.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException("invalid naming scheme \"" + text + "\": use keep or flatten");
      }
    }
  }

  /** Where the copy of {@code source} goes. A source with a digest keeps it, so the copy is by digest. */
  ImageLocation destinationFor(ImageReference source);

  /**
   * The naming for a target written {@code oci:DIR} (a layout) or {@code REGISTRY[/PATH]}.
   *
   * @param separator the flatten separator; ignored by the other schemes
   * @throws IllegalArgumentException naming the target when it is malformed
   */
  static DestinationNaming of(String target, Scheme scheme, String separator) {
    if (target.startsWith("oci:")) {
      ImageLocation location = ImageLocation.parse(target);
      if (location instanceof ImageLocation.Layout layout && layout.name().isEmpty()) {
        return new IntoLayout(layout.directory());
      }
      throw new IllegalArgumentException("invalid target \"" + target
          + "\": an OCI layout target is oci:DIR, without an image name (each image is named after its source)");
    }
    if (target.startsWith("http://") || target.startsWith("https://")) {
      throw new IllegalArgumentException(UrlMistake.explain("target", target));
    }
    String bare = target.startsWith("docker://") ? target.substring("docker://".length()) : target;
    while (bare.endsWith("/")) {
      bare = bare.substring(0, bare.length() - 1);
    }
    int slash = bare.indexOf('/');
    String registry = slash < 0 ? bare : bare.substring(0, slash);
    String path = slash < 0 ? "" : bare.substring(slash + 1);
    if (registry.isEmpty()) {
      throw new IllegalArgumentException("invalid target \"" + target + "\": expected REGISTRY[/PATH] or oci:DIR");
    }
    try {
      // The registry and the path, checked with the reference grammar (a stand-in repository when
      // the target has no path); the message names the part, not the stand-in.
      ImageReference.of(registry, path.isEmpty() ? "x" : path, null, null);
      RepositoryNames.hostComponent(registry);
    } catch (InvalidReferenceException e) {
      throw new IllegalArgumentException("invalid target \"" + target + "\": " + e.problem(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid target \"" + target + "\": " + e.getMessage(), e);
    }
    return switch (scheme) {
      case KEEP -> new Keep(registry, path);
      case FLATTEN -> {
        if (path.isEmpty()) {
          throw new IllegalArgumentException("invalid target \"" + target
              + "\" for flatten: name a namespace, as in docker.io/myorg");
        }
        yield new Flatten(registry, path, separator == null ? "_" : separator);
      }
    };
  }

  /** The full source name under {@code registry/prefix}; prefix may be empty. */
  record Keep(String registry, String prefix) implements DestinationNaming {
    public Keep {
      Objects.requireNonNull(registry, "registry");
      prefix = prefix == null ? "" : prefix;
    }

    @Override
    public ImageLocation destinationFor(ImageReference source) {
      String path = String.join("/", RepositoryNames.keepComponents(source));
      String repository = RepositoryNames.requireName(prefix.isEmpty() ? path : prefix + "/" + path, source);
      return registryLocation(registry, repository, source);
    }
  }

  /** The full source name flattened into one component under {@code registry/namespace}. */
  record Flatten(String registry, String namespace, String separator) implements DestinationNaming {
    public Flatten {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(namespace, "namespace");
      RepositoryNames.requireSeparator(separator);
    }

    @Override
    public ImageLocation destinationFor(ImageReference source) {
      String flat = RepositoryNames.flatten(RepositoryNames.keepComponents(source), separator);
      String repository = RepositoryNames.requireName(namespace + "/" + flat, source);
      return registryLocation(registry, repository, source);
    }
  }

  /** Every image in one OCI layout, named by its full source reference. */
  record IntoLayout(Path directory) implements DestinationNaming {
    public IntoLayout {
      Objects.requireNonNull(directory, "directory");
    }

    @Override
    public ImageLocation destinationFor(ImageReference source) {
      String name = source.toString();
      if (!LayoutNames.isValid(name)) {
        // Only an IPv6 registry gets here: layout names allow ':' but not '[' or '__'.
        String encoded = String.join("/", RepositoryNames.keepComponents(source)).replaceFirst("__", ":");
        name = encoded + source.tag().map(t -> ":" + t).orElse("")
            + source.digest().map(d -> "@" + d).orElse("");
      }
      if (!LayoutNames.isValid(name)) {
        throw new IllegalArgumentException("cannot name the copy of " + source + " in OCI layout " + directory
            + ": its tag is not a valid layout image name");
      }
      return ImageLocation.Layout.of(directory, name);
    }
  }

  private static ImageLocation registryLocation(String registry, String repository, ImageReference source) {
    return new ImageLocation.Registry(
        ImageReference.of(registry, repository, RepositoryNames.tagFor(source), source.digest().orElse(null)));
  }
}
