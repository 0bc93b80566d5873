package dev.holdfast.oci.mirror;

import dev.holdfast.oci.reference.ImageReference;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * String-level rules for registries.conf prefixes and locations: boundary matching, wildcard
 * matching and the grammar a prefix or location must follow.
 *
 * <p>Matching follows containers/image {@code pkg/sysregistriesv2} ({@code refMatchingPrefix}):
 * a plain prefix matches when the name starts with it and then ends or continues with {@code /},
 * {@code :} or {@code @}; a {@code *.example.com} prefix matches the first occurrence of {@code
 * .example.com} in the host part, followed by the same boundary.
 */
final class Prefixes {

  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String HOST =
      "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:.]+(?:%[a-zA-Z0-9]+)?\\])";
  private static final String PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  private static final String TAG = "[\\w][\\w.-]{0,127}";
  private static final String DIGEST =
      "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

  /** host[:port][/path...][:tag][@digest], as containers-registries.conf(5) lists for prefix. */
  private static final Pattern LOCATION =
      Pattern.compile(
          "(?<host>" + HOST + ")(?::[0-9]+)?(?:/" + PATH_COMPONENT + ")*(?::" + TAG + ")?(?:@"
              + DIGEST + ")?");


  /** *.host: subdomains of any depth, host part only. */
  private static final Pattern WILDCARD =
      Pattern.compile("\\*(?:\\." + DOMAIN_COMPONENT + ")+");

  private Prefixes() {}

  static boolean isWildcard(String prefix) {
    return prefix.startsWith("*.");
  }

  /**
   * Returns the length of {@code ref} that {@code prefix} matches, or -1 when it does not match.
   * Everything after the match is kept when the reference is rewritten to another location.
   */
  static int matchLength(String ref, String prefix) {
    if (isWildcard(prefix)) {
      return wildcardMatchLength(ref, prefix.substring(1));
    }
    if (!ref.startsWith(prefix)) {
      return -1;
    }
    return atBoundary(ref, prefix.length()) ? prefix.length() : -1;
  }

  // The first occurrence of ".example.com" decides, as in containers/image: it must lie in the host
  // part (no '/' before it) and be followed by a boundary.
  private static int wildcardMatchLength(String ref, String dotDomain) {
    int index = ref.indexOf(dotDomain);
    if (index < 0 || ref.substring(0, index).contains("/")) {
      return -1;
    }
    int end = index + dotDomain.length();
    return atBoundary(ref, end) ? end : -1;
  }

  private static boolean atBoundary(String ref, int index) {
    if (index == ref.length()) {
      return true;
    }
    char next = ref.charAt(index);
    return next == '/' || next == ':' || next == '@';
  }

  /**
   * Whether {@code sub} lies inside {@code scope}, as the machine-config-operator decides it when it
   * copies a mirror set's mirrors to a nested registries.conf entry (openshift/runtime-utils {@code
   * ScopeIsNestedInsideScope}).
   */
  static boolean isNested(String sub, String scope) {
    if (sub.equals(scope)) {
      return true;
    }
    if (sub.length() > scope.length() && sub.startsWith(scope) && sub.charAt(scope.length()) == '/') {
      return true;
    }
    if (!isWildcard(scope)) {
      return false;
    }
    String dotDomain = scope.substring(1);
    if (sub.contains(":")) {
      String host = sub.substring(0, sub.indexOf(':'));
      return host.endsWith(dotDomain) && !host.contains("/");
    }
    int slash = sub.indexOf('/');
    return (slash < 0 ? sub : sub.substring(0, slash)).endsWith(dotDomain);
  }

  /** Removes trailing slashes, as containers/image does for prefixes and locations. */
  static String trim(String value) {
    int end = value.length();
    while (end > 0 && value.charAt(end - 1) == '/') {
      end--;
    }
    return value.substring(0, end);
  }

  /**
   * Checks a prefix: {@code host[:port][/path][:tag|@digest]} or {@code *.host}. Returns the
   * problem, or empty when the prefix is valid.
   */
  static Optional<String> prefixProblem(String prefix) {
    if (isWildcard(prefix)) {
      return WILDCARD.matcher(prefix).matches()
          ? Optional.empty()
          : Optional.of(
              "is not a valid wildcard: write *.host (subdomains only; no port, path, tag or digest)");
    }
    if (prefix.contains("*")) {
      return Optional.of("has a wildcard that does not start it; write *.example.com");
    }
    return locationProblem(prefix);
  }

  /**
   * Checks a location: {@code host[:port][/path][:tag|@digest]} starting with a registry host.
   * Returns the problem, or empty when the location is valid.
   */
  static Optional<String> locationProblem(String location) {
    if (location.isEmpty()) {
      return Optional.of("is empty");
    }
    if (location.startsWith("http://") || location.startsWith("https://")) {
      return Optional.of("has a URI scheme, which is not supported; write host[:port][/path]");
    }
    var matcher = LOCATION.matcher(location);
    if (!matcher.matches()) {
      return Optional.of("is not host[:port][/namespace...][/repository]");
    }
    String host = matcher.group("host");
    int slash = location.indexOf('/');
    boolean looksLikeRegistry = ImageReference.isRegistryHost(slash < 0 ? location : location.substring(0, slash));
    if (!looksLikeRegistry && location.contains("/")) {
      return Optional.of(
          "does not start with a registry host: '" + host + "' would be read as a Docker Hub"
              + " namespace (write docker.io/" + location + " or a host with a dot or a port)");
    }
    if (!looksLikeRegistry) {
      return Optional.of(
          "'" + host + "' is not a registry host (a host needs a dot, a port or to be localhost)");
    }
    return Optional.empty();
  }
}
