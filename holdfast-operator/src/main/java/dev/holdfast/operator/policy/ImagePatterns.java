package dev.holdfast.operator.policy;

import dev.holdfast.oci.reference.ImageReference;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Include and exclude globs over normalised references. {@code *} matches any run of characters
 * ({@code /} included), {@code ?} one character. A pattern is tried against the whole reference
 * ({@code docker.io/library/nginx:1.27}) and against its name alone ({@code docker.io/library/nginx}),
 * so {@code docker.io/library/*} and {@code ghcr.io/org/app} both select images with any tag.
 */
public final class ImagePatterns {
  private final List<Pattern> include;
  private final List<Pattern> exclude;

  private ImagePatterns(List<Pattern> include, List<Pattern> exclude) {
    this.include = include;
    this.exclude = exclude;
  }

  /** The patterns of a policy; no include patterns include every image. */
  public static ImagePatterns of(List<String> include, List<String> exclude) {
    return new ImagePatterns(include.stream().map(ImagePatterns::compile).toList(),
        exclude.stream().map(ImagePatterns::compile).toList());
  }

  /** Whether {@code image} is to be copied. */
  public boolean selects(ImageReference image) {
    if (matchesAny(exclude, image)) {
      return false;
    }
    return include.isEmpty() || matchesAny(include, image);
  }

  private static boolean matchesAny(List<Pattern> patterns, ImageReference image) {
    String full = image.toString();
    String name = image.name();
    return patterns.stream().anyMatch(p -> p.matcher(full).matches() || p.matcher(name).matches());
  }

  private static Pattern compile(String glob) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }
}
