package dev.holdfast.oci.http;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.io.HttpClientConnection;
import org.apache.hc.core5.http.io.ResponseOutOfOrderStrategy;

/**
 * Stops sending a request body when the server has already answered: a registry answers an upload
 * to a session it does not know (404) without reading the body, then closes the connection, and
 * the client should report that answer rather than the broken pipe its next write would get.
 * Unlike HttpCore's {@code MonitoringResponseOutOfOrderStrategy}, which waits a millisecond for
 * input before every 8 KiB, this asks the socket how many bytes have arrived, which does not block:
 * the check costs a system call per write (the uploads write 256 KiB and more at a time). Over TLS
 * it sees only what the TLS layer has already read, so there the broken pipe may come first.
 */
final class EarlyResponses implements ResponseOutOfOrderStrategy {

  static final EarlyResponses INSTANCE = new EarlyResponses();

  private EarlyResponses() {}

  @Override
  public boolean isEarlyResponseDetected(ClassicHttpRequest request, HttpClientConnection connection,
      InputStream input, long totalBytesSent, long nextWriteSize) throws IOException {
    return totalBytesSent > 0 && input.available() > 0;
  }
}
