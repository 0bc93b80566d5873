package dev.holdfast.oci.copy;

import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The encodings behind {@link DestinationNaming}: a registry host as one repository path
 * component, the flattening of a path into one component, and tags derived from digests. Each
 * encoding is injective; the rules are documented on {@link DestinationNaming}.
 */
final class RepositoryNames {
  static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  static final int MAX_NAME = 255;
  static final int MAX_TAG = 128;
  private static final Pattern HOST = Pattern.compile("[a-z0-9]+(?:[.-]+[a-z0-9]+)*");
  private static final Pattern SEPARATOR_RUN = Pattern.compile("[._-]+");

  private RepositoryNames() {}

  /**
   * The registry as one path component: the host in lower case ({@code docker.io}); with a port,
   * {@code host_port} ({@code localhost_5000}); an IPv6 address as {@code ip6_} and its eight
   * groups in hexadecimal joined by {@code _}, then {@code __port} if it has one. Host names never
   * contain {@code _}, so the three forms cannot be confused with each other.
   */
  static String hostComponent(String registry) {
    String lower = registry.toLowerCase(Locale.ROOT);
    if (lower.startsWith("[")) {
      int close = lower.indexOf(']');
      String address = lower.substring(1, close);
      String port = close + 1 < lower.length() ? lower.substring(close + 2) : "";
      if (address.contains("%")) {
        throw new IllegalArgumentException("cannot name copies of images from " + registry
            + ": an IPv6 address with a zone has no stable name");
      }
      return "ip6_" + String.join("_", ipv6Groups(address, registry)) + (port.isEmpty() ? "" : "__" + port);
    }
    int colon = lower.lastIndexOf(':');
    String host = colon < 0 ? lower : lower.substring(0, colon);
    String port = colon < 0 ? "" : lower.substring(colon + 1);
    if (!HOST.matcher(host).matches() || !port.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("cannot name copies of images from registry \"" + registry
          + "\": not a host name, IPv4 or IPv6 address with an optional port");
    }
    return port.isEmpty() ? host : host + "_" + port;
  }

  private static List<String> ipv6Groups(String address, String registry) {
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("cannot name copies of images from " + registry + ": bad IPv6 address", e);
    }
    if (bytes.length == 4) { // an IPv4-mapped address, which Java returns as IPv4
      bytes = new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, bytes[0], bytes[1], bytes[2], bytes[3]};
    }
    List<String> groups = new ArrayList<>();
    for (int i = 0; i < 16; i += 2) {
      groups.add(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)));
    }
    return groups;
  }

  /** The source's full name as path components: the host component, then the repository's. */
  static List<String> keepComponents(ImageReference source) {
    List<String> components = new ArrayList<>();
    components.add(hostComponent(source.registry()));
    components.addAll(List.of(source.repository().split("/")));
    return components;
  }

  /**
   * Joins components into one with {@code separator}, escaping inside each component every
   * separator run that equals {@code separator} or contains {@code _} as {@code __<code>__}:
   * {@code u} for {@code _}, {@code uu} for {@code __}, {@code d} for {@code .}, {@code h<n>} for a
   * run of n {@code -}. {@code __} appears nowhere else in the result, so it can be decoded.
   */
  static String flatten(List<String> components, String separator) {
    StringBuilder out = new StringBuilder();
    for (String component : components) {
      if (!out.isEmpty()) {
        out.append(separator);
      }
      Matcher runs = SEPARATOR_RUN.matcher(component);
      int last = 0;
      while (runs.find()) {
        out.append(component, last, runs.start());
        String run = runs.group();
        if (run.equals(separator) || run.contains("_")) {
          out.append("__").append(code(run)).append("__");
        } else {
          out.append(run);
        }
        last = runs.end();
      }
      out.append(component, last, component.length());
    }
    return out.toString();
  }

  private static String code(String run) {
    return switch (run) {
      case "_" -> "u";
      case "__" -> "uu";
      case "." -> "d";
      default -> "h" + run.length(); // a run of dashes: components allow no other runs
    };
  }

  /** Checks a flatten separator: {@code _}, {@code .} or a run of {@code -}. */
  static String requireSeparator(String separator) {
    if (separator == null || !separator.matches("_|\\.|-+")) {
      throw new IllegalArgumentException("invalid flatten separator \"" + separator
          + "\": use _ (the default), . or one or more -");
    }
    return separator;
  }

  /**
   * The destination tag: the source's tag, or for a digest-only source {@code digest-<alg>-<hex>}
   * (not {@code sha256-<hex>}, which the OCI referrers tag schema and cosign use for other things).
   * A sha512 hex is cut to fit the 128-character tag limit (114 of its 128 digits are kept).
   */
  static String tagFor(ImageReference source) {
    if (source.tag().isPresent()) {
      return source.tag().get();
    }
    Digest digest = source.digest().orElseThrow();
    String tag = "digest-" + digest.algorithm() + "-" + digest.encoded();
    return tag.length() <= MAX_TAG ? tag : tag.substring(0, MAX_TAG);
  }

  static String requireName(String repository, ImageReference source) {
    for (String component : repository.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new IllegalArgumentException("cannot name the copy of " + source + ": \"" + component
            + "\" in \"" + repository + "\" is not a valid repository path component");
      }
    }
    if (repository.length() > MAX_NAME) {
      throw new IllegalArgumentException("cannot name the copy of " + source + ": repository name \""
          + repository + "\" is longer than " + MAX_NAME + " characters");
    }
    return repository;
  }
}
