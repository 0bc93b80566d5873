package dev.holdfast.oci.registry;

import dev.holdfast.oci.reference.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes every byte as it streams through and, at the end of the stream, checks the length and the
 * digest: a mismatch throws {@link DigestMismatchException} naming both values. More bytes than
 * expected fail as soon as they arrive; fewer fail at the end. Unhashed, it checks only the length
 * (for content whose digest the receiving registry checks).
 */
final class VerifyingInputStream extends InputStream {

  private final InputStream in;
  private final Digest expected;
  private final long expectedSize;
  /** null when only the length is checked */
  private final MessageDigest hasher;
  private final String registry;
  private final String action;
  private long count;
  private boolean verified;
  private Digest actual;

  /**
   * @param expectedSize the expected length, or -1 when unknown (then only the digest is checked)
   * @param hash false to check only the length; then {@code expectedSize} must be known
   */
  VerifyingInputStream(InputStream in, Digest expected, long expectedSize, boolean hash, String registry,
      String action) {
    if (!hash && expectedSize < 0) {
      throw new IllegalArgumentException("an unhashed stream needs the expected size");
    }
    this.in = in;
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.hasher = hash ? expected.newHasher() : null;
    this.registry = registry;
    this.action = action;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    int n = in.read(buffer, offset, length);
    if (n < 0) {
      if (!verified) {
        verify();
      }
      return -1;
    }
    if (expectedSize >= 0 && count + n > expectedSize) {
      count += n;
      verified = true;
      throw new DigestMismatchException(registry, action, expected, null, expectedSize, count);
    }
    if (hasher != null) {
      hasher.update(buffer, offset, n);
    }
    count += n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // skipping would leave bytes unhashed: read them instead
    byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 64 * 1024)];
    long skipped = 0;
    while (skipped < n) {
      int read = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
      if (read < 0) {
        break;
      }
      skipped += read;
    }
    return skipped;
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  /** Bytes read so far. */
  long count() {
    return count;
  }

  /**
   * Checks length and digest of everything read (once the stream ended) and returns the digest;
   * unhashed, checks the length and returns the expected digest.
   */
  Digest verify() {
    if (actual == null) {
      actual = hasher == null ? expected : Digest.of(expected.algorithm(), hasher.digest());
      verified = true;
      if ((expectedSize >= 0 && count != expectedSize) || !actual.equals(expected)) {
        throw new DigestMismatchException(registry, action, expected, actual, expectedSize, count);
      }
    }
    return actual;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
