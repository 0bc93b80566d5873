package dev.holdfast.oci.layout;

import java.util.regex.Pattern;

/**
 * The grammar of image names in a layout ({@code org.opencontainers.image.ref.name}), as skopeo's
 * {@code oci:} transport validates it.
 *
 * @see <a href="https://github.com/opencontainers/image-spec/blob/v1.1.0/annotations.md">annotations</a>
 */
public final class LayoutNames {
  private static final String ALPHANUM = "[A-Za-z0-9]+";
  private static final String SEPARATOR = "(?:[-._:@+]|--)";
  private static final String COMPONENT = ALPHANUM + "(?:" + SEPARATOR + ALPHANUM + ")*";
  private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");

  private LayoutNames() {}

  /** Whether {@code name} is a valid image name within a layout. */
  public static boolean isValid(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /**
   * Checks a name.
   *
   * @throws IllegalArgumentException naming the input when it is not valid
   */
  public static String requireValid(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException("invalid image name \"" + name + "\" for an OCI layout: use letters"
          + " and digits, separated by one of - . _ : @ + or --, and / between components");
    }
    return name;
  }
}
