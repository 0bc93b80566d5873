package dev.holdfast.oci.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.holdfast.oci.FileErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Credentials from a Docker {@code config.json} or a Podman {@code auth.json}: {@code auths},
 * {@code credHelpers} and {@code credsStore}.
 *
 * <p>Lookup for a repository on a registry, in this order:
 *
 * <ol>
 *   <li>a {@code credHelpers} entry for the registry host: its helper's answer is final (Docker and
 *       containers/image both treat it so);
 *   <li>the {@code auths} entry with the longest matching key: {@code host/ns/repo}, then {@code
 *       host/ns}, then {@code host} (namespaced keys are a Podman feature; Docker only writes hosts);
 *   <li>the {@code credsStore} helper, if configured (when its executable is missing, as with a
 *       config copied from a desktop machine, a warning is logged and no credential is used).
 * </ol>
 *
 * <p>Keys are normalised as containers/image does: a key with {@code http://} or {@code https://}
 * is cut to its host ({@code https://index.docker.io/v1/} is {@code index.docker.io}); a key
 * without a scheme keeps its path; {@code index.docker.io} and {@code registry-1.docker.io} are
 * {@code docker.io}; host names are compared case-insensitively. Helpers are asked with the server
 * URL Docker uses: {@code https://index.docker.io/v1/} for Docker Hub, the host otherwise. Helper
 * answers are cached for five minutes.
 */
public final class DockerConfig implements CredentialProvider {
  private static final Logger LOG = LoggerFactory.getLogger(DockerConfig.class);
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Duration HELPER_CACHE = Duration.ofMinutes(5);

  private final String source;
  private final Map<String, Credential> auths;
  private final Map<String, String> credHelpers;
  private final Optional<String> credsStore;
  private final CredentialHelpers helpers;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Optional<Credential> credential, long expiresAtNanos) {}

  private DockerConfig(String source, Map<String, Credential> auths, Map<String, String> credHelpers,
      Optional<String> credsStore, CredentialHelpers helpers) {
    this.source = source;
    this.auths = Collections.unmodifiableMap(auths);
    this.credHelpers = Collections.unmodifiableMap(credHelpers);
    this.credsStore = credsStore;
    this.helpers = helpers;
  }

  /**
   * Parses a config file's content.
   *
   * @param source where it came from, used in error messages (a path, "pull secret x/y")
   * @throws CredentialException naming the source and the field when it is malformed
   */
  public static DockerConfig parse(String source, byte[] json, CredentialHelpers helpers) {
    JsonNode root = readObject(source, json);
    Map<String, Credential> auths = new LinkedHashMap<>();
    JsonNode authsNode = root.get("auths");
    if (authsNode != null && !authsNode.isNull()) {
      if (!authsNode.isObject()) {
        throw new CredentialException(source + ": \"auths\" must be a JSON object");
      }
      addEntries(auths, authsNode, source, false);
    }
    Map<String, String> credHelpers = new LinkedHashMap<>();
    JsonNode helpersNode = root.get("credHelpers");
    if (helpersNode != null && !helpersNode.isNull()) {
      if (!helpersNode.isObject()) {
        throw new CredentialException(source + ": \"credHelpers\" must be a JSON object");
      }
      for (Map.Entry<String, JsonNode> entry : helpersNode.properties()) {
        if (!entry.getValue().isTextual() || entry.getValue().textValue().isEmpty()) {
          throw new CredentialException(source + ": credHelpers entry \"" + entry.getKey()
              + "\" must be a helper name (a non-empty string)");
        }
        credHelpers.putIfAbsent(normalizeKey(entry.getKey(), true), entry.getValue().textValue());
      }
    }
    JsonNode store = root.get("credsStore");
    if (store != null && !store.isNull() && !store.isTextual()) {
      throw new CredentialException(source + ": \"credsStore\" must be a helper name (a string)");
    }
    Optional<String> credsStore = Optional.ofNullable(store)
        .filter(JsonNode::isTextual).map(JsonNode::textValue).filter(s -> !s.isEmpty());
    return new DockerConfig(source, auths, credHelpers, credsStore, helpers);
  }

  /** Parses a legacy {@code ~/.dockercfg}: the bare {@code auths} map, keys cut to hosts. */
  static DockerConfig parseLegacy(String source, byte[] json, CredentialHelpers helpers) {
    JsonNode root = readObject(source, json);
    Map<String, Credential> auths = new LinkedHashMap<>();
    addEntries(auths, root, source, true);
    return new DockerConfig(source, auths, Map.of(), Optional.empty(), helpers);
  }

  /** Reads a config file, running helpers found on the system {@code PATH}. */
  public static DockerConfig read(Path file) {
    return read(file, CredentialHelpers.onSystemPath());
  }

  /** Reads a config file ({@code .dockercfg} files in the legacy format). */
  public static DockerConfig read(Path file, CredentialHelpers helpers) {
    byte[] json;
    try {
      json = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CredentialException("cannot read registry auth file " + file + ": " + FileErrors.reason(e), e);
    }
    Path name = file.getFileName();
    return name != null && name.toString().equals(".dockercfg")
        ? parseLegacy(file.toString(), json, helpers)
        : parse(file.toString(), json, helpers);
  }

  /**
   * The files Docker and Podman read credentials from, in the order this class searches them
   * (whether they exist or not):
   *
   * <ol>
   *   <li>{@code $REGISTRY_AUTH_FILE} (Podman, Buildah, Skopeo: an explicit override);
   *   <li>{@code $XDG_RUNTIME_DIR/containers/auth.json} (where {@code podman login} writes);
   *   <li>{@code $XDG_CONFIG_HOME/containers/auth.json}, default {@code $HOME/.config/...};
   *   <li>{@code $DOCKER_CONFIG/config.json} when {@code DOCKER_CONFIG} is set, else {@code
   *       $HOME/.docker/config.json} (Docker reads only one of them, and so does containers/image);
   *   <li>{@code $HOME/.dockercfg} (legacy format).
   * </ol>
   *
   * <p>This is the order of containers-auth.json(5), with Docker's {@code DOCKER_CONFIG} in the
   * place of {@code ~/.docker}: an explicit override first, then the login files of Podman, then
   * Docker's. A user with both tools gets Podman's newer login first, as {@code podman} would.
   */
  public static List<Path> candidateLocations(Map<String, String> environment) {
    List<Path> paths = new ArrayList<>();
    String home = nonEmpty(environment.get("HOME"));
    String authFile = nonEmpty(environment.get("REGISTRY_AUTH_FILE"));
    if (authFile != null) {
      paths.add(Path.of(authFile));
    }
    String runtime = nonEmpty(environment.get("XDG_RUNTIME_DIR"));
    if (runtime != null) {
      paths.add(Path.of(runtime, "containers", "auth.json"));
    }
    String configHome = nonEmpty(environment.get("XDG_CONFIG_HOME"));
    if (configHome != null) {
      paths.add(Path.of(configHome, "containers", "auth.json"));
    } else if (home != null) {
      paths.add(Path.of(home, ".config", "containers", "auth.json"));
    }
    String dockerConfig = nonEmpty(environment.get("DOCKER_CONFIG"));
    if (dockerConfig != null) {
      paths.add(Path.of(dockerConfig, "config.json"));
    } else if (home != null) {
      paths.add(Path.of(home, ".docker", "config.json"));
    }
    if (home != null) {
      paths.add(Path.of(home, ".dockercfg"));
    }
    return paths;
  }

  /** The first existing file of {@link #candidateLocations} in this process' environment. */
  public static Optional<Path> defaultLocation() {
    return defaultLocation(System.getenv());
  }

  /** The first existing file of {@link #candidateLocations} in the given environment. */
  public static Optional<Path> defaultLocation(Map<String, String> environment) {
    return candidateLocations(environment).stream().filter(Files::isRegularFile).findFirst();
  }

  /**
   * A provider that searches every existing file of {@link #candidateLocations} in order, as
   * Podman does, using the first credential found.
   */
  public static CredentialProvider fromDefaultLocations(Map<String, String> environment,
      CredentialHelpers helpers) {
    CredentialProvider[] providers = candidateLocations(environment).stream()
        .filter(Files::isRegularFile)
        .map(path -> read(path, helpers))
        .toArray(CredentialProvider[]::new);
    return CredentialProvider.chain(providers);
  }

  @Override
  public Optional<Credential> credentialFor(String registry, String repository) {
    String host = Registries.normalizeHost(registry);
    String helper = credHelpers.get(host);
    if (helper != null) {
      return askHelper(helper, host);
    }
    for (String key : lookupKeys(host, repository)) {
      Credential credential = auths.get(key);
      if (credential != null) {
        return Optional.of(credential);
      }
    }
    if (credsStore.isPresent()) {
      try {
        return askHelper(credsStore.get(), host);
      } catch (CredentialHelpers.MissingHelperException e) {
        LOG.warn("{}: credsStore \"{}\" is configured but {}; continuing without a credential for {}",
            source, credsStore.get(), e.getMessage(), host);
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** {@code host/a/b/c}, {@code host/a/b}, {@code host/a}, {@code host}. */
  static List<String> lookupKeys(String host, String repository) {
    List<String> keys = new ArrayList<>();
    String key = repository == null || repository.isEmpty() ? host : host + "/" + repository;
    keys.add(key);
    for (int slash = key.lastIndexOf('/'); slash > host.length() - 1; slash = key.lastIndexOf('/')) {
      key = key.substring(0, slash);
      keys.add(key);
    }
    return keys;
  }

  private Optional<Credential> askHelper(String helper, String host) {
    String serverUrl = host.equals(Registries.DOCKER_HUB) ? Registries.DOCKER_HUB_LEGACY_KEY : host;
    String cacheKey = helper + '\u0000' + serverUrl;
    Cached cached = cache.get(cacheKey);
    long now = System.nanoTime();
    if (cached != null && now - cached.expiresAtNanos() < 0) {
      return cached.credential();
    }
    Optional<Credential> credential = helpers.get(helper, serverUrl);
    cache.put(cacheKey, new Cached(credential, now + HELPER_CACHE.toNanos()));
    return credential;
  }

  /**
   * The normalised key: scheme-prefixed (and legacy) keys cut to their host, Docker Hub's names
   * mapped to {@code docker.io}, the host lower-cased.
   */
  static String normalizeKey(String key, boolean hostOnly) {
    String stripped = Registries.stripScheme(key.strip());
    boolean cut = hostOnly || stripped != null;
    String rest = stripped == null ? key.strip() : stripped;
    int slash = rest.indexOf('/');
    String host = slash < 0 ? rest : rest.substring(0, slash);
    // a namespace key is kept as written: containers/image never matches "host/ns/" (trailing
    // slash) and neither do we (checked against skopeo in DockerConfigSkopeoIT)
    String path = slash < 0 || cut ? "" : rest.substring(slash);
    return Registries.normalizeHost(host) + path;
  }

  private static void addEntries(Map<String, Credential> auths, JsonNode map, String source, boolean legacy) {
    for (Map.Entry<String, JsonNode> entry : map.properties()) {
      Optional<Credential> credential = AuthEntry.parse(entry.getValue(), source, entry.getKey());
      credential.ifPresent(c -> auths.putIfAbsent(normalizeKey(entry.getKey(), legacy), c));
    }
  }

  static JsonNode readObject(String source, byte[] json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      // location only: Jackson's message may quote the (secret) content
      throw new CredentialException(source + ": not valid JSON" + (e.getLocation() == null ? ""
          : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
    } catch (IOException e) {
      throw new CredentialException(source + ": cannot be read", e);
    }
    if (root == null || !root.isObject()) {
      throw new CredentialException(source + ": must be a JSON object");
    }
    return root;
  }

  private static String nonEmpty(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  /** Lists the source, the keys with credentials and the helpers; never a secret. */
  @Override
  public String toString() {
    return "DockerConfig[" + source + ", auths=" + auths.keySet() + ", credHelpers=" + credHelpers
        + credsStore.map(s -> ", credsStore=" + s).orElse("") + "]";
  }
}
