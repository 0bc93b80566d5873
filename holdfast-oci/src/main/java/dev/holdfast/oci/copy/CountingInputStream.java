package dev.holdfast.oci.copy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Reports the bytes read, in batches of at least {@value #BATCH}, and the rest at the end. */
final class CountingInputStream extends FilterInputStream {
  static final int BATCH = 256 * 1024;
  private final LongConsumer report;
  private long pending;

  CountingInputStream(InputStream in, LongConsumer report) {
    super(in);
    this.report = report;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    add(b < 0 ? -1 : 1);
    return b;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    add(n);
    return n;
  }

  private void add(int n) {
    if (n > 0) {
      pending += n;
    }
    if (pending > 0 && (n < 0 || pending >= BATCH)) {
      report.accept(pending);
      pending = 0;
    }
  }

  @Override
  public void close() throws IOException {
    if (pending > 0) {
      report.accept(pending);
      pending = 0;
    }
    super.close();
  }
}
