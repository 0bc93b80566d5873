package dev.holdfast.oci.manifest;

import java.util.Locale;
import java.util.Set;

/**
 * Media types of the OCI image-spec and of Docker image manifest v2 schema 2.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.0/media-types.md">OCI media types</a>
 * @see <a href="https://distribution.github.io/distribution/spec/manifest-v2-2/">Docker v2 schema 2</a>
 */
public final class MediaTypes {
  // OCI image-spec
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
  public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  public static final String OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String OCI_LAYER_TAR_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  public static final String OCI_LAYER_NONDISTRIBUTABLE_TAR =
      "application/vnd.oci.image.layer.nondistributable.v1.tar";
  public static final String OCI_LAYER_NONDISTRIBUTABLE_TAR_GZIP =
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
  public static final String OCI_LAYER_NONDISTRIBUTABLE_TAR_ZSTD =
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

  // Docker image manifest v2 schema 2
  public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER_TAR_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
  public static final String DOCKER_FOREIGN_LAYER_TAR_GZIP =
      "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
  public static final String DOCKER_PLUGIN_CONFIG = "application/vnd.docker.plugin.v1+json";

  // Docker image manifest v2 schema 1: deprecated, recognised only to refuse it clearly.
  public static final String DOCKER_SCHEMA1_MANIFEST = "application/vnd.docker.distribution.manifest.v1+json";
  public static final String DOCKER_SCHEMA1_SIGNED_MANIFEST =
      "application/vnd.docker.distribution.manifest.v1+prettyjws";

  /**
   * The {@code Accept} header value for manifest requests: every manifest type Holdfast understands.
   * Indexes come first so that a registry that negotiates by order returns the multi-platform form.
   */
  public static final String ACCEPT =
      String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST);

  private static final Set<String> INDEXES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
  private static final Set<String> IMAGE_MANIFESTS = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
  private static final Set<String> SCHEMA1 =
      Set.of(DOCKER_SCHEMA1_MANIFEST, DOCKER_SCHEMA1_SIGNED_MANIFEST, "application/json+jose");

  private MediaTypes() {}

  /** True for the OCI image index and the Docker manifest list. Parameters are ignored. */
  public static boolean isIndex(String mediaType) {
    return INDEXES.contains(normalize(mediaType));
  }

  /** True for the OCI image manifest and the Docker v2 schema 2 manifest. Parameters are ignored. */
  public static boolean isImageManifest(String mediaType) {
    return IMAGE_MANIFESTS.contains(normalize(mediaType));
  }

  /** True for the Docker v2 schema 1 manifest media types (signed or not). Parameters are ignored. */
  public static boolean isSchema1(String mediaType) {
    return SCHEMA1.contains(normalize(mediaType));
  }

  /** True for any manifest type Holdfast can parse ({@link #isIndex} or {@link #isImageManifest}). */
  public static boolean isManifest(String mediaType) {
    return isIndex(mediaType) || isImageManifest(mediaType);
  }

  /**
   * The media type without parameters and surrounding blanks, in lower case:
   * {@code "application/json; charset=utf-8"} becomes {@code "application/json"}; null becomes "".
   */
  public static String normalize(String mediaType) {
    if (mediaType == null) {
      return "";
    }
    int semicolon = mediaType.indexOf(';');
    String bare = semicolon < 0 ? mediaType : mediaType.substring(0, semicolon);
    return bare.strip().toLowerCase(Locale.ROOT);
  }
}
