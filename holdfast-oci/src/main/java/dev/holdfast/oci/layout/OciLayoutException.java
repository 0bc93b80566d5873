package dev.holdfast.oci.layout;

import dev.holdfast.oci.OciException;

/** An OCI image layout cannot be read or written; the message names the layout and the blob or image. */
public class OciLayoutException extends OciException {
  private static final long serialVersionUID = 1L;

  public OciLayoutException(String message) {
    super(message);
  }

  public OciLayoutException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The image name or blob asked for is not in the layout. */
  public static final class NotFound extends OciLayoutException {
    private static final long serialVersionUID = 1L;

    public NotFound(String message) {
      super(message);
    }
  }
}
