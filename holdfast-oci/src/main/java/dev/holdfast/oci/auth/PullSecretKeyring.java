package dev.holdfast.oci.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from Kubernetes image pull secrets, matched to images as the kubelet matches them.
 *
 * <p>Accepts the decoded payload of a {@code kubernetes.io/dockerconfigjson} secret ({@code
 * .dockerconfigjson}: {@code {"auths": {...}}}) or of a {@code kubernetes.io/dockercfg} secret
 * ({@code .dockercfg}: the bare map). Rules, from the kubelet's {@code pkg/credentialprovider}:
 *
 * <ul>
 *   <li>a key's {@code http://} or {@code https://} is dropped, and a leading {@code /v1/} or {@code
 *       /v2/} of its path ({@code https://index.docker.io/v1/} is the key {@code index.docker.io});
 *   <li>a key matches {@code registry/repository} when its port is the same, its host has as many
 *       labels, each matched as a glob ({@code *.example.com}), and its path is a string prefix of
 *       the repository path (see {@link HostGlob});
 *   <li>every matching credential is returned, keys in reverse lexicographic order (so {@code
 *       quay.io/team} comes before {@code quay.io}, and {@code registry.example.com} before {@code
 *       *.example.com}), credentials of one key in the order they were added;
 *   <li>when nothing matched and the image is on Docker Hub, the credentials of {@code
 *       index.docker.io} are used.
 * </ul>
 */
public final class PullSecretKeyring implements CredentialProvider {
  private static final String DOCKER_HUB_KEY = "index.docker.io";

  private record Entry(String key, Credential credential, String source) {}

  private final List<Entry> entries;

  private PullSecretKeyring(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** An empty keyring. */
  public static PullSecretKeyring empty() {
    return new PullSecretKeyring(List.of());
  }

  /**
   * A copy with the entries of a {@code .dockerconfigjson} payload added.
   *
   * @param source names the secret in error messages, e.g. {@code secret team-a/regcred}
   * @throws CredentialException naming the source when the payload is malformed
   */
  public PullSecretKeyring withDockerConfigJson(String source, byte[] payload) {
    JsonNode root = DockerConfig.readObject(source, payload);
    JsonNode auths = root.get("auths");
    if (auths == null || !auths.isObject()) {
      throw new CredentialException(source + ": a .dockerconfigjson payload needs an \"auths\" object"
          + (auths == null ? " (is it a .dockercfg payload, the bare map?)" : ""));
    }
    return with(source, auths);
  }

  /**
   * A copy with the entries of a {@code .dockercfg} payload added.
   *
   * @throws CredentialException naming the source when the payload is malformed
   */
  public PullSecretKeyring withDockerCfg(String source, byte[] payload) {
    return with(source, DockerConfig.readObject(source, payload));
  }

  /**
   * A copy with the entries of an {@code auths}-style map (key: image pattern, value: auth entry)
   * added, as a credential provider plugin answers them.
   */
  PullSecretKeyring withAuths(String source, JsonNode map) {
    return with(source, map);
  }

  private PullSecretKeyring with(String source, JsonNode map) {
    List<Entry> added = new ArrayList<>(entries);
    for (Map.Entry<String, JsonNode> field : map.properties()) {
      Optional<Credential> credential = AuthEntry.parse(field.getValue(), source, field.getKey());
      if (credential.isPresent()) {
        added.add(new Entry(normalizeKey(field.getKey()), credential.get(), source));
      }
    }
    return new PullSecretKeyring(added);
  }

  /** The key as the kubelet indexes it: no scheme, no leading /v1/ or /v2/, no lone "/". */
  static String normalizeKey(String key) {
    String stripped = Registries.stripScheme(key.strip());
    String rest = stripped == null ? key.strip() : stripped;
    int slash = rest.indexOf('/');
    String host = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    if (path.startsWith("/v1/") || path.startsWith("/v2/")) {
      path = path.substring(3);
    }
    return path.isEmpty() || path.equals("/") ? host : host + path;
  }

  /**
   * Every matching credential, in the kubelet's order: the first is the most specific.
   *
   * @param registry as in {@code ImageReference.registry()}, e.g. {@code docker.io}
   * @param repository as in {@code ImageReference.repository()}, e.g. {@code library/nginx}
   */
  public List<Credential> credentialsFor(String registry, String repository) {
    String target = registry + "/" + repository;
    List<Credential> found = new ArrayList<>();
    for (String key : index()) {
      if (HostGlob.matches(key, target)) {
        entries.stream().filter(e -> e.key().equals(key)).forEach(e -> found.add(e.credential()));
      }
    }
    if (found.isEmpty() && Registries.normalizeHost(registry).equals(Registries.DOCKER_HUB)) {
      entries.stream()
          .filter(e -> e.key().equalsIgnoreCase(DOCKER_HUB_KEY))
          .forEach(e -> found.add(e.credential()));
    }
    return List.copyOf(found);
  }

  private List<String> index() {
    return entries.stream().map(Entry::key).distinct().sorted(Comparator.reverseOrder()).toList();
  }

  @Override
  public Optional<Credential> credentialFor(String registry, String repository) {
    return credentialsFor(registry, repository).stream().findFirst();
  }

  /** True when no secret contributed a credential. */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Lists keys and their sources; never a secret. */
  @Override
  public String toString() {
    return "PullSecretKeyring" + entries.stream().map(e -> e.key() + " (" + e.source() + ")").toList();
  }
}
