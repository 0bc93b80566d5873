package dev.holdfast.oci.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request a test registry served, read from its access log.
 *
 * @param method the HTTP method
 * @param path the request target, with its query ({@code /v2/a/blobs/uploads/?mount=...&from=b})
 * @param status the HTTP status the registry answered
 * @param userAgent the client's User-Agent header
 */
public record RegistryRequest(String method, String path, int status, String userAgent) {

  /** Combined log format, as distribution writes it to stdout (gorilla/handlers). */
  private static final Pattern LINE = Pattern.compile(
      "\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) \\S+ \"[^\"]*\" \"([^\"]*)\"");
  private static final Pattern MOUNT = Pattern.compile("[?&]mount=([^&]+)");
  private static final Pattern FROM = Pattern.compile("[?&]from=([^&]+)");
  private static final Pattern NAME =
      Pattern.compile("^/v2/(.+?)/(?:blobs|manifests|tags)/.*");

  /** Parses every access-log line in {@code log}; other text is skipped. */
  static List<RegistryRequest> parseAll(String log) {
    List<RegistryRequest> out = new ArrayList<>();
    Matcher m = LINE.matcher(log);
    while (m.find()) {
      out.add(new RegistryRequest(m.group(1), m.group(2), Integer.parseInt(m.group(3)), m.group(4)));
    }
    return out;
  }

  /** The repository the request was about, if any ({@code /v2/} and {@code _catalog} have none). */
  public Optional<String> repository() {
    Matcher m = NAME.matcher(path);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** A cross-repository blob mount that succeeded (POST ...?mount=...&from=OTHER, 201). */
  public boolean isMount() {
    return mountAnswered() && !from().equals(repository());
  }

  /**
   * A mount of a blob from the request's own repository that found it there (201): how the client
   * asks about a small blob while opening its upload.
   */
  public boolean isFoundByMountingItself() {
    return mountAnswered() && from().equals(repository());
  }

  private boolean mountAnswered() {
    return method.equals("POST") && path.contains("/blobs/uploads/") && path.contains("mount=") && status == 201;
  }

  private Optional<String> from() {
    Matcher m = FROM.matcher(path);
    return m.find()
        ? Optional.of(java.net.URLDecoder.decode(m.group(1), java.nio.charset.StandardCharsets.UTF_8))
        : Optional.empty();
  }

  /** The digest a mount request asked for ({@code sha256:...}), if this is one. */
  public Optional<String> mountedDigest() {
    Matcher m = MOUNT.matcher(path);
    return method.equals("POST") && m.find()
        ? Optional.of(java.net.URLDecoder.decode(m.group(1), java.nio.charset.StandardCharsets.UTF_8))
        : Optional.empty();
  }

  /**
   * A request of a blob upload session (start, chunk or commit); a mount answered 201 opens none
   * and does not count.
   */
  public boolean isBlobUpload() {
    return path.contains("/blobs/uploads/") && !mountAnswered();
  }

  /** A blob download (GET of {@code /v2/NAME/blobs/DIGEST}). */
  public boolean isBlobGet() {
    return method.equals("GET") && path.matches("^/v2/.+/blobs/sha256:[0-9a-f]{64}.*");
  }

  /** A manifest upload (PUT of {@code /v2/NAME/manifests/REF}). */
  public boolean isManifestPut() {
    return method.equals("PUT") && path.matches("^/v2/.+/manifests/.+");
  }
}
