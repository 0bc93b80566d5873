package dev.holdfast.oci.copy;

/** A registry written as a URL ({@code http://host/path}): what is wrong, and how to write it. */
final class UrlMistake {
  private UrlMistake() {}

  /**
   * Why {@code text}, written with {@code http://} or {@code https://}, is not a registry location:
   * registries are named without a scheme, which the client chooses.
   */
  static String explain(String what, String text) {
    String bare = text.substring(text.indexOf("://") + 3);
    int slash = bare.indexOf('/');
    String host = slash < 0 ? bare : bare.substring(0, slash);
    return "invalid " + what + " \"" + text + "\": registries are named without http:// or https://, as in \""
        + bare + "\"; Holdfast reaches a registry over HTTPS, and over plain HTTP when it is on loopback or"
        + " given with --insecure-registry " + host;
  }
}
