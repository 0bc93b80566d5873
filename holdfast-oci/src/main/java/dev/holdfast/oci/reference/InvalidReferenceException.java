package dev.holdfast.oci.reference;

/** An image reference or digest that does not follow the reference grammar; the message names the part. */
public class InvalidReferenceException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String input;

  InvalidReferenceException(String input, String problem) {
    super("invalid image reference \"" + input + "\": " + problem);
    this.input = input;
  }

  /** The text that failed to parse. */
  public String input() {
    return input;
  }
}
