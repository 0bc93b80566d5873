package dev.holdfast.oci.reference;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A content digest such as {@code sha256:<64 hex>}: the algorithm and its lower-case hex encoding.
 *
 * <p>Only the algorithms the OCI image-spec registers are accepted: {@code sha256} and {@code
 * sha512}. See <a href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests">
 * image-spec, digests</a>.
 */
public record Digest(String algorithm, String encoded) {

  private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*");
  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  /** Validates both parts. */
  public Digest {
    if (algorithm == null || encoded == null) {
      throw new InvalidReferenceException(algorithm + ":" + encoded, "digest needs an algorithm and a value");
    }
    String text = algorithm + ":" + encoded;
    switch (algorithm) {
      case "sha256" -> requireHex(text, encoded, SHA256, 64);
      case "sha512" -> requireHex(text, encoded, SHA512, 128);
      default -> {
        if (!ALGORITHM.matcher(algorithm).matches()) {
          throw new InvalidReferenceException(text, "digest algorithm \"" + algorithm + "\" is malformed");
        }
        throw new InvalidReferenceException(
            text, "digest algorithm \"" + algorithm + "\" is not supported (sha256 or sha512)");
      }
    }
  }

  private static void requireHex(String text, String encoded, Pattern pattern, int length) {
    if (!pattern.matcher(encoded).matches()) {
      throw new InvalidReferenceException(
          text, "digest value must be " + length + " lower-case hex characters, got " + encoded.length()
              + " characters" + (encoded.chars().anyMatch(Character::isUpperCase) ? " with upper case" : ""));
    }
  }

  /** Parses {@code algorithm:hex}. */
  public static Digest parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidReferenceException(String.valueOf(text), "digest is empty");
    }
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new InvalidReferenceException(text, "digest must be written algorithm:hex, e.g. sha256:<64 hex>");
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /** The sha256 digest of {@code bytes}. */
  public static Digest sha256(byte[] bytes) {
    return of("sha256", sha256Hasher().digest(bytes));
  }

  /** A digest from a finished hash. */
  public static Digest of(String algorithm, byte[] hash) {
    return new Digest(algorithm, HexFormat.of().formatHex(hash));
  }

  /** A new hasher for this digest's algorithm. */
  public MessageDigest newHasher() {
    return hasher(algorithm);
  }

  /** Whether {@code hash} (the output of {@link #newHasher()}) equals this digest. */
  public boolean matches(byte[] hash) {
    return MessageDigest.isEqual(HexFormat.of().parseHex(encoded), hash);
  }

  static MessageDigest sha256Hasher() {
    return hasher("sha256");
  }

  private static MessageDigest hasher(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.equals("sha256") ? "SHA-256" : "SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no " + algorithm, e);
    }
  }

  @Override
  public String toString() {
    return algorithm + ":" + encoded;
  }
}
