package dev.holdfast.cli.relocate;

/**
 * A manifest that cannot be relocated as written: not valid YAML, an image that is not a string,
 * or an image that is not a valid reference. The message names the file, the line and column, the
 * document, the object and the path.
 */
public final class ManifestException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  ManifestException(String message, Throwable cause) {
    super(message, cause);
  }
}
