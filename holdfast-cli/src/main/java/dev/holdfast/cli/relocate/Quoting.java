package dev.holdfast.cli.relocate;

/**
 * How an image scalar is written, so that its replacement is written the same way where that is
 * valid YAML for the new value.
 */
public enum Quoting {
  /** {@code image: nginx:1.27} */
  PLAIN,
  /** {@code image: 'nginx:1.27'} */
  SINGLE,
  /** {@code image: "nginx:1.27"} */
  DOUBLE,
  /** A block scalar, a multi-line or escaped string: replaced by a plain (or quoted) one. */
  OTHER;

  /**
   * The YAML text for {@code value} in this style. A plain scalar that could not hold it (an
   * IPv6 registry's {@code [}, or a character a flow collection treats as its own) is single-quoted.
   */
  public String render(String value) {
    return switch (this) {
      case SINGLE -> single(value);
      case DOUBLE -> value.indexOf('"') < 0 && value.indexOf('\\') < 0 ? '"' + value + '"' : single(value);
      case PLAIN, OTHER -> plainIsSafe(value) ? value : single(value);
    };
  }

  private static String single(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  // Image references are letters, digits and . _ - / : @ [ ]; of these only the brackets (of an
  // IPv6 registry) cannot be plain everywhere. Anything else unusual is quoted too, to be safe.
  private static boolean plainIsSafe(String value) {
    return !value.isEmpty() && value.chars().allMatch(c -> Character.isLetterOrDigit(c) || "._-/:@+".indexOf(c) >= 0)
        && Character.isLetterOrDigit(value.charAt(0)) && !value.contains(": ");
  }
}
