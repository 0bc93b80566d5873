package dev.holdfast.oci.testing;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

/**
 * Streams one deterministic layer (a tar holding one file of pseudo-random bytes, optionally
 * gzip'ed) into a blob directory, hashing it on the way. Memory use is a few buffers, whatever the
 * size.
 */
final class LayerGenerator {

  private static final int BUFFER = 1 << 16;
  private static final int BLOCK = 512;
  private static final long MAX_USTAR_SIZE = 077777777777L; // 11 octal digits: 8 GiB - 1

  /** What was written: the blob (compressed) digest/size and the uncompressed tar digest. */
  record Result(String digest, long size, String diffId) {}

  private LayerGenerator() {}

  /**
   * Writes the layer into {@code blobDir} as {@code <hex>} and returns its digests. The bytes
   * depend only on {@code seed}, {@code size} and {@code compression}.
   */
  static Result write(Path blobDir, long seed, long size, SyntheticImage.Compression compression)
      throws IOException {
    if (size < 0 || size > MAX_USTAR_SIZE) {
      throw new IllegalArgumentException("layer size " + size + " is outside 0.." + MAX_USTAR_SIZE);
    }
    Files.createDirectories(blobDir);
    Path tmp = Files.createTempFile(blobDir, ".layer-", ".tmp");
    MessageDigest blobHash = sha256();
    MessageDigest diffHash = sha256();
    long blobSize;
    try {
      CountingDigestStream blobOut =
          new CountingDigestStream(new BufferedOutputStream(Files.newOutputStream(tmp), BUFFER), blobHash);
      OutputStream compressed =
          switch (compression) {
            case NONE -> blobOut;
            case GZIP -> new LevelGzip(blobOut, 1);
            case GZIP_STORED -> new LevelGzip(blobOut, 0);
          };
      try (CountingDigestStream tarOut = new CountingDigestStream(compressed, diffHash)) {
        writeTar(tarOut, seed, size);
      }
      blobSize = blobOut.count;
      String hex = HexFormat.of().formatHex(blobHash.digest());
      Files.move(tmp, blobDir.resolve(hex), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      return new Result("sha256:" + hex, blobSize,
          "sha256:" + HexFormat.of().formatHex(diffHash.digest()));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void writeTar(OutputStream out, long seed, long size) throws IOException {
    out.write(header("data/blob-" + Long.toHexString(seed) + ".bin", size));
    SplitMix64 random = new SplitMix64(seed);
    byte[] buf = new byte[BUFFER];
    ByteBuffer view = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
    long left = size;
    while (left > 0) {
      view.clear();
      while (view.hasRemaining()) {
        view.putLong(random.next());
      }
      int n = (int) Math.min(BUFFER, left);
      out.write(buf, 0, n);
      left -= n;
    }
    int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
    out.write(new byte[pad + 2 * BLOCK]); // padding + two zero blocks ending the archive
  }

  /** A POSIX ustar header for a regular file owned by root, mode 0644, mtime 0. */
  static byte[] header(String name, long size) {
    byte[] h = new byte[BLOCK];
    put(h, 0, name);
    put(h, 100, "0000644");
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", size));
    put(h, 136, "00000000000");
    put(h, 148, "        "); // checksum is computed with spaces here
    h[156] = '0';
    put(h, 257, "ustar");
    put(h, 263, "00");
    put(h, 265, "root");
    put(h, 297, "root");
    int sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    h[155] = ' ';
    return h;
  }

  private static void put(byte[] h, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, h, offset, bytes.length);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** SplitMix64: tiny, fast and fully specified, so layer bytes never change between JDKs. */
  static final class SplitMix64 {
    private long state;

    SplitMix64(long seed) {
      this.state = seed;
    }

    long next() {
      long z = (state += 0x9e3779b97f4a7c15L);
      z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
      z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
      return z ^ (z >>> 31);
    }
  }

  /** gzip with a chosen deflate level; the JDK writes a fixed header (no name, mtime 0). */
  private static final class LevelGzip extends GZIPOutputStream {
    LevelGzip(OutputStream out, int level) throws IOException {
      super(out, BUFFER);
      def.setLevel(level);
    }
  }

  /** Hashes and counts what passes through. */
  private static final class CountingDigestStream extends OutputStream {
    private final OutputStream out;
    private final MessageDigest hash;
    long count;

    CountingDigestStream(OutputStream out, MessageDigest hash) {
      this.out = out;
      this.hash = hash;
    }

    @Override
    public void write(int b) throws IOException {
      hash.update((byte) b);
      count++;
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      hash.update(b, off, len);
      count += len;
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
