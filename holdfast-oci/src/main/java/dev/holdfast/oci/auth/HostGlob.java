package dev.holdfast.oci.auth;

import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Matches a pull-secret key against an image name the way the kubelet does
 * ({@code pkg/credentialprovider}, {@code URLsMatch}): the port must be equal (both absent, or the
 * same digits); the host must have the same number of dot-separated labels, each matched by the
 * key's label as a shell glob ({@code *}, {@code ?}, {@code [a-z]}, as Go's {@code filepath.Match};
 * so {@code *.example.com} matches exactly one label in front of {@code example.com}); the key's
 * path must be a string prefix of the image's path. A malformed glob matches nothing. Unlike the
 * kubelet, host names are compared case-insensitively (DNS names are).
 */
final class HostGlob {
  private HostGlob() {}

  /** Host, port ("" when absent) and path (from the first '/', or "") of a scheme-less URL. */
  record Parts(String[] labels, String port, String path) {}

  static Parts split(String schemeless) {
    int slash = schemeless.indexOf('/');
    String authority = slash < 0 ? schemeless : schemeless.substring(0, slash);
    String path = slash < 0 ? "" : schemeless.substring(slash);
    String host = authority;
    String port = "";
    if (authority.startsWith("[")) {
      int close = authority.indexOf(']');
      if (close > 0 && close + 1 < authority.length() && authority.charAt(close + 1) == ':') {
        host = authority.substring(1, close);
        port = authority.substring(close + 2);
      }
    } else {
      int colon = authority.indexOf(':');
      if (colon >= 0 && colon == authority.lastIndexOf(':')) {
        host = authority.substring(0, colon);
        port = authority.substring(colon + 1);
      }
    }
    return new Parts(host.toLowerCase(Locale.ROOT).split("\\.", -1), port, path);
  }

  static boolean matches(String globKey, String target) {
    Parts glob = split(globKey);
    Parts image = split(target);
    if (!glob.port().equals(image.port()) || glob.labels().length != image.labels().length) {
      return false;
    }
    if (!image.path().startsWith(glob.path())) {
      return false;
    }
    for (int i = 0; i < glob.labels().length; i++) {
      if (!labelMatches(glob.labels()[i], image.labels()[i])) {
        return false;
      }
    }
    return true;
  }

  static boolean labelMatches(String glob, String label) {
    Pattern pattern;
    try {
      pattern = toRegex(glob);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return pattern != null && pattern.matcher(label).matches();
  }

  /** The glob as a regex; IllegalArgumentException when it is malformed. */
  private static Pattern toRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*' -> regex.append("[^/]*");
        case '?' -> regex.append("[^/]");
        case '\\' -> {
          if (++i >= glob.length()) {
            throw new IllegalArgumentException("trailing backslash");
          }
          regex.append(Pattern.quote(String.valueOf(glob.charAt(i))));
        }
        case '[' -> i = appendClass(glob, i, regex);
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    try {
      return Pattern.compile(regex.toString());
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Appends a {@code [...]} class starting at {@code start}; returns the index of its ']'. */
  private static int appendClass(String glob, int start, StringBuilder regex) {
    int i = start + 1;
    StringBuilder cls = new StringBuilder("[");
    if (i < glob.length() && glob.charAt(i) == '^') {
      cls.append('^');
      i++;
    }
    boolean empty = true;
    for (; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == ']' && !empty) {
        regex.append(cls).append(']');
        return i;
      }
      if (c == '\\') {
        if (++i >= glob.length()) {
          break;
        }
        c = glob.charAt(i);
      }
      if (c == '-' && !empty) {
        cls.append('-');
        continue;
      }
      cls.append(Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c);
      empty = false;
    }
    throw new IllegalArgumentException("unterminated character class");
  }
}
