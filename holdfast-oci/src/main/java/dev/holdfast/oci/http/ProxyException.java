package dev.holdfast.oci.http;

import java.io.IOException;

/**
 * A forward proxy could not be used: it cannot be reached, or it refused to carry a request or to
 * open a tunnel. The message names the proxy (without its credentials) and says what it answered.
 */
public final class ProxyException extends IOException {
  private static final long serialVersionUID = 1L;

  ProxyException(String message, Throwable cause) {
    super(message, cause);
  }
}
