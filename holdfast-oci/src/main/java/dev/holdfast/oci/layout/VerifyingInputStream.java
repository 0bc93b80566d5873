package dev.holdfast.oci.layout;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.reference.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes and counts what it reads; at the end of the stream, fails unless size and digest match.
 * Unhashed, it only counts, and fails at the end unless the size matches.
 */
final class VerifyingInputStream extends FilterInputStream {
  private final Descriptor expected;
  private final String action;
  /** null when only the size is checked */
  private final MessageDigest hasher;
  private long count;
  private boolean checked;

  VerifyingInputStream(InputStream in, Descriptor expected, boolean hash, String action) {
    super(in);
    this.expected = expected;
    this.action = action;
    this.hasher = hash ? expected.digest().newHasher() : null;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b < 0) {
      verify();
    } else {
      if (hasher != null) {
        hasher.update((byte) b);
      }
      count(1);
    }
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    if (n < 0) {
      verify();
    } else {
      if (hasher != null) {
        hasher.update(buffer, offset, n);
      }
      count(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    throw new IOException("skip is not supported while verifying " + expected.digest());
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void count(int n) throws IOException {
    count += n;
    if (count > expected.size()) {
      throw new IOException(action + ": more than the expected " + expected.size() + " bytes");
    }
  }

  private void verify() throws IOException {
    if (checked) {
      return;
    }
    checked = true;
    if (count != expected.size()) {
      throw new IOException(action + ": got " + count + " bytes, expected " + expected.size());
    }
    if (hasher == null) {
      return;
    }
    Digest actual = Digest.of(expected.digest().algorithm(), hasher.digest());
    if (!actual.equals(expected.digest())) {
      throw new IOException(action + ": content has digest " + actual + ", expected " + expected.digest());
    }
  }
}
