package dev.holdfast.oci.reference;

/** An image reference or digest that does not follow the reference grammar; the message names the part. */
public class InvalidReferenceException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String input;
  private final String problem;

  InvalidReferenceException(String input, String problem) {
    super("invalid image reference \"" + input + "\": " + problem);
    this.input = input;
    this.problem = problem;
  }

  /** The text that failed to parse. */
  public String input() {
    return input;
  }

  /** What is wrong with it, without the input: {@code repository name "A/b" must be lower case}. */
  public String problem() {
    return problem;
  }
}
