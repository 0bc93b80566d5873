package dev.holdfast.operator.copy;

import dev.holdfast.oci.reference.ImageReference;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name of the ImageCopy for a source under a policy: readable (the image's last path component
 * and tag) and unique (a hash of the policy and the normalised source), a valid object name of at
 * most 63 characters: {@code nginx-1.27-4f2a0c9d1b}.
 */
public final class CopyNames {
  private static final int HASH_CHARS = 10;
  private static final int MAX_READABLE = 63 - HASH_CHARS - 1;
  // the webhook names copies on every admission: the patterns are compiled once
  private static final Pattern INVALID_RUN = Pattern.compile("[^a-z0-9.-]+");
  private static final Pattern LEADING_NON_ALPHANUMERIC = Pattern.compile("^[^a-z0-9]+");
  private static final Pattern SEPARATOR_RUN = Pattern.compile("[.-]{2,}");
  private static final Pattern TRAILING_NON_ALPHANUMERIC = Pattern.compile("[^a-z0-9]+$");

  private CopyNames() {}

  /** The ImageCopy name for {@code source} under {@code policy}. */
  public static String nameFor(String policy, ImageReference source) {
    String repository = source.repository();
    String last = repository.substring(repository.lastIndexOf('/') + 1);
    String version = source.tag().orElseGet(() -> source.digest().map(d -> d.encoded().substring(0, 12)).orElse(""));
    // A run of separators becomes one dash: "1..2" or "1.-rc" would make a DNS label empty or
    // start it with a dash.
    String readable = (last + "-" + version).toLowerCase(Locale.ROOT);
    readable = INVALID_RUN.matcher(readable).replaceAll("-");
    readable = LEADING_NON_ALPHANUMERIC.matcher(readable).replaceAll("");
    readable = SEPARATOR_RUN.matcher(readable).replaceAll("-");
    if (readable.length() > MAX_READABLE) {
      readable = readable.substring(0, MAX_READABLE);
    }
    readable = TRAILING_NON_ALPHANUMERIC.matcher(readable).replaceAll("");
    String hash = sha256Hex(policy + "\n" + source).substring(0, HASH_CHARS);
    return readable.isEmpty() ? "image-" + hash : readable + "-" + hash;
  }

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }
}
