package dev.holdfast.oci.mirror;

import java.util.Arrays;
import java.util.Optional;

/** Which references a mirror serves: registries.conf {@code pull-from-mirror}. */
public enum PullPolicy {
  /** Tag and digest references. */
  ALL("all"),
  /** Digest references only (ImageDigestMirrorSet, ImageContentSourcePolicy). */
  DIGEST_ONLY("digest-only"),
  /** Tag references only (ImageTagMirrorSet); a reference with a digest skips the mirror. */
  TAG_ONLY("tag-only");

  private final String configValue;

  PullPolicy(String configValue) {
    this.configValue = configValue;
  }

  /** The spelling used in registries.conf and in Holdfast's redirect files. */
  public String configValue() {
    return configValue;
  }

  /** Whether a reference with ({@code digested}) or without a digest may use the mirror. */
  public boolean serves(boolean digested) {
    return switch (this) {
      case ALL -> true;
      case DIGEST_ONLY -> digested;
      case TAG_ONLY -> !digested;
    };
  }

  static Optional<PullPolicy> fromConfigValue(String value) {
    return Arrays.stream(values()).filter(p -> p.configValue.equals(value)).findFirst();
  }
}
