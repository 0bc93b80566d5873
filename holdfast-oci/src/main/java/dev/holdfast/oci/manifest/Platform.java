package dev.holdfast.oci.manifest;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The platform an image runs on, as in the {@code platform} object of an index entry.
 *
 * @param os operating system, e.g. {@code linux}
 * @param architecture CPU architecture, e.g. {@code amd64}, {@code arm64}
 * @param variant CPU variant, e.g. {@code v7} for {@code arm}
 * @param osVersion operating system version ({@code os.version}), used by Windows images
 * @param osFeatures required operating system features ({@code os.features})
 */
public record Platform(
    String os,
    String architecture,
    Optional<String> variant,
    Optional<String> osVersion,
    List<String> osFeatures) {

  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    variant = Objects.requireNonNullElse(variant, Optional.<String>empty()).filter(v -> !v.isEmpty());
    osVersion = Objects.requireNonNullElse(osVersion, Optional.<String>empty()).filter(v -> !v.isEmpty());
    osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
  }

  /** A platform with just an operating system and an architecture. */
  public static Platform of(String os, String architecture) {
    return new Platform(os, architecture, Optional.empty(), Optional.empty(), List.of());
  }

  /** A platform with an operating system, an architecture and a variant (nullable). */
  public static Platform of(String os, String architecture, String variant) {
    return new Platform(os, architecture, Optional.ofNullable(variant), Optional.empty(), List.of());
  }

  /**
   * Parses {@code os/architecture[/variant]}, e.g. {@code linux/arm64/v8}.
   *
   * @throws IllegalArgumentException naming the input when it is not of that form
   */
  public static Platform parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("invalid platform: null (expected os/architecture[/variant])");
    }
    String[] parts = text.strip().split("/", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException(
          "invalid platform \"" + text + "\": expected os/architecture[/variant], e.g. linux/arm64/v8");
    }
    for (String part : parts) {
      if (part.isEmpty() || !part.chars().allMatch(Platform::isPlatformChar)) {
        throw new IllegalArgumentException("invalid platform \"" + text + "\": component \"" + part
            + "\" must be non-empty and contain only letters, digits, '.', '_' or '-'");
      }
    }
    return of(
        parts[0].toLowerCase(Locale.ROOT),
        parts[1].toLowerCase(Locale.ROOT),
        parts.length == 3 ? parts[2].toLowerCase(Locale.ROOT) : null);
  }

  private static boolean isPlatformChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '-';
  }

  /**
   * Whether {@code candidate} (a platform from an index) satisfies this platform used as a filter.
   *
   * <p>Operating system and architecture must be equal after normalising common aliases
   * ({@code x86_64} = {@code amd64}, {@code aarch64} = {@code arm64}). When this filter names a
   * variant the candidate's variant must be equal, where an absent variant counts as the default
   * one ({@code v8} for {@code arm64}, {@code v7} for {@code arm}); a filter without a variant
   * accepts every variant. When this filter has an {@code os.version} the candidate's must be equal.
   * {@code os.features} are not compared.
   */
  public boolean matches(Platform candidate) {
    if (candidate == null) {
      return false;
    }
    String arch = normalizeArchitecture(architecture);
    if (!os.equalsIgnoreCase(candidate.os)
        || !arch.equals(normalizeArchitecture(candidate.architecture))) {
      return false;
    }
    if (variant.isPresent()
        && !normalizeVariant(arch, variant).equals(normalizeVariant(arch, candidate.variant))) {
      return false;
    }
    return osVersion.isEmpty() || osVersion.equals(candidate.osVersion);
  }

  private static String normalizeArchitecture(String architecture) {
    String lower = architecture.toLowerCase(Locale.ROOT);
    return switch (lower) {
      case "x86_64", "x86-64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> lower;
    };
  }

  private static String normalizeVariant(String normalizedArchitecture, Optional<String> variant) {
    String lower = variant.map(v -> v.toLowerCase(Locale.ROOT)).orElse("");
    return switch (normalizedArchitecture) {
      case "arm64" -> lower.isEmpty() || lower.equals("8") ? "v8" : lower;
      case "arm" -> lower.isEmpty() || lower.equals("7") ? "v7" : lower.matches("[5-8]") ? "v" + lower : lower;
      default -> lower;
    };
  }

  /** {@code os/architecture[/variant]}; {@code os.version} and features are not shown. */
  @Override
  public String toString() {
    return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
  }
}
