package dev.holdfast.oci.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Image credential provider plugins, run as the kubelet runs them (its flags {@code
 * --image-credential-provider-config} and {@code --image-credential-provider-bin-dir}): the
 * plugins that fetch short-lived credentials for cloud registries (ECR, Artifact Registry, ACR).
 *
 * <p>The config is a {@code CredentialProviderConfig} ({@code kubelet.config.k8s.io/v1},
 * {@code v1beta1} or {@code v1alpha1}), YAML or JSON. A provider whose {@code matchImages} match
 * the image ({@code registry/repository}, matched as pull-secret keys are: see {@link HostGlob}) is
 * started as {@code BIN_DIR/NAME ARGS...} with its {@code env} added to the environment, gets a
 * {@code CredentialProviderRequest} on stdin and answers a {@code CredentialProviderResponse} on
 * stdout; the response's {@code auth} keys are matched to the image the same way, the most
 * specific first. Answers are kept for their {@code cacheDuration} (else the provider's {@code
 * defaultCacheDuration}) per image, per registry or for all images, as the response's {@code
 * cacheKeyType} says; at least for {@link #MIN_KEEP}, where the kubelet keeps an answer with a
 * duration of 0 for one pull. Providers are asked in the config's order; the first
 * credential found is used. Concurrent lookups of one key run the plugin once.
 *
 * <p>Unlike the kubelet, a plugin that fails (exits non-zero, times out, answers something other
 * than a response of its {@code apiVersion}) is an error naming the provider and the image, with the
 * first line of its stderr: a copy then fails with the reason instead of an anonymous 401.
 * Messages never contain the plugin's stdout, which may hold a secret. Service-account tokens for
 * plugins ({@code tokenAttributes}) are not supported: a provider that asks for them is refused.
 *
 * @see <a href="https://kubernetes.io/docs/tasks/administer-cluster/kubelet-credential-provider/">
 *     Configure a kubelet image credential provider</a>
 */
public final class KubeletCredentialProviders implements CredentialProvider {
  private static final Set<String> CONFIG_VERSIONS =
      Set.of("kubelet.config.k8s.io/v1", "kubelet.config.k8s.io/v1beta1",
          "kubelet.config.k8s.io/v1alpha1");
  private static final Set<String> PLUGIN_VERSIONS = Set.of("credentialprovider.kubelet.k8s.io/v1",
      "credentialprovider.kubelet.k8s.io/v1beta1", "credentialprovider.kubelet.k8s.io/v1alpha1");
  private static final Set<String> PROVIDER_FIELDS =
      Set.of("name", "matchImages", "defaultCacheDuration", "apiVersion", "args", "env",
          "tokenAttributes");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Duration TIMEOUT = Duration.ofMinutes(1);
  /**
   * The least an answer is kept, even one with {@code cacheDuration: 0}: the kubelet asks once per
   * image pull, Holdfast's registry client once per request, and a copy makes dozens.
   */
  static final Duration MIN_KEEP = Duration.ofSeconds(5);

  /** One configured plugin. */
  private record Provider(String name, List<String> matchImages, Duration defaultCacheDuration,
      String apiVersion, List<String> args, Map<String, String> env, Path executable) {}

  /** A plugin's answer: the credentials it gave, until when, and for what. */
  private record Answer(PullSecretKeyring keyring, Instant expires) {}

  private final String source;
  private final List<Provider> providers;
  private final Duration timeout;
  private final Clock clock;
  /** Kept answers, by provider and cache key ("NAME|image:..", "NAME|registry:..", "NAME|global"). */
  private final Map<String, Answer> kept = new ConcurrentHashMap<>();
  /** Plugin runs under way, by provider and image ("NAME|IMAGE"). */
  private final Map<String, CompletableFuture<Answer>> running = new ConcurrentHashMap<>();

  private KubeletCredentialProviders(String source, List<Provider> providers, Duration timeout,
      Clock clock) {
    this.source = source;
    this.providers = List.copyOf(providers);
    this.timeout = timeout;
    this.clock = clock;
  }

  /**
   * Reads a {@code CredentialProviderConfig}; the plugins are the executables named after the
   * providers in {@code binDir}.
   *
   * @throws CredentialException naming the file (and the provider and field) when the config is
   *     unreadable or invalid, or a provider's executable is missing
   */
  public static KubeletCredentialProviders read(Path config, Path binDir) {
    byte[] content;
    try {
      content = Files.readAllBytes(config);
    } catch (IOException e) {
      throw new CredentialException(
          config + ": cannot read the credential provider config: " + e.getMessage(), e);
    }
    if (!Files.isDirectory(binDir)) {
      throw new CredentialException(binDir + ": the credential provider bin directory does not exist");
    }
    return parse(config.toString(), content, binDir);
  }

  static KubeletCredentialProviders parse(String source, byte[] content, Path binDir) {
    JsonNode root;
    try {
      root = YAML.readTree(content);
    } catch (IOException e) {
      // YAML is a superset of JSON: one parser reads both
      throw new CredentialException(
          source + ": not YAML or JSON: " + ChildProcesses.firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new CredentialException(source + ": a CredentialProviderConfig must be an object");
    }
    String kind = root.path("kind").asText("");
    if (!kind.equals("CredentialProviderConfig")) {
      throw new CredentialException(
          source + ": kind must be CredentialProviderConfig, got \"" + kind + "\"");
    }
    String apiVersion = root.path("apiVersion").asText("");
    if (!CONFIG_VERSIONS.contains(apiVersion)) {
      throw new CredentialException(source + ": apiVersion \"" + apiVersion + "\" is not one of "
          + sorted(CONFIG_VERSIONS));
    }
    JsonNode list = root.path("providers");
    if (!list.isArray() || list.isEmpty()) {
      throw new CredentialException(source + ": providers must be a non-empty list");
    }
    List<Provider> providers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      Provider provider = provider(source + ": providers[" + i + "]", list.get(i), binDir);
      if (!names.add(provider.name())) {
        throw new CredentialException(
            source + ": providers[" + i + "]: duplicate name \"" + provider.name() + "\"");
      }
      providers.add(provider);
    }
    return new KubeletCredentialProviders(source, providers, TIMEOUT, Clock.systemUTC());
  }

  private static Provider provider(String where, JsonNode node, Path binDir) {
    if (!node.isObject()) {
      throw new CredentialException(where + " must be an object");
    }
    for (String field : (Iterable<String>) node::fieldNames) {
      if (!PROVIDER_FIELDS.contains(field)) {
        throw new CredentialException(where + ": unknown field \"" + field + "\"");
      }
    }
    String name = node.path("name").asText("");
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
        || name.contains("\\")) {
      throw new CredentialException(
          where + ": name must name a file of the bin directory, got \"" + name + "\"");
    }
    where = where + " (" + name + ")";
    if (node.has("tokenAttributes")) {
      throw new CredentialException(where + ": tokenAttributes (service account tokens for the plugin)"
          + " is not supported");
    }
    List<String> matchImages = strings(where, node, "matchImages");
    if (matchImages.isEmpty()) {
      throw new CredentialException(where + ": matchImages must list at least one image pattern");
    }
    if (!node.hasNonNull("defaultCacheDuration")) {
      throw new CredentialException(where + ": defaultCacheDuration is required (e.g. \"12h\")");
    }
    Duration defaultCacheDuration =
        duration(where + ": defaultCacheDuration", node.path("defaultCacheDuration").asText(""));
    String apiVersion = node.path("apiVersion").asText("");
    if (!PLUGIN_VERSIONS.contains(apiVersion)) {
      throw new CredentialException(where + ": apiVersion \"" + apiVersion + "\" is not one of "
          + sorted(PLUGIN_VERSIONS));
    }
    List<String> args = strings(where, node, "args");
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode envList = node.path("env");
    if (!envList.isMissingNode() && !envList.isNull()) {
      if (!envList.isArray()) {
        throw new CredentialException(where + ": env must be a list of {name, value}");
      }
      for (JsonNode variable : envList) {
        String variableName = variable.path("name").asText("");
        if (variableName.isEmpty() || !variable.path("value").isValueNode()) {
          throw new CredentialException(where + ": every env entry needs a name and a value");
        }
        env.put(variableName, variable.path("value").asText());
      }
    }
    Path executable = binDir.resolve(name);
    if (!Files.isRegularFile(executable) || !Files.isExecutable(executable)) {
      throw new CredentialException(where + ": no executable " + executable);
    }
    return new Provider(name, matchImages, defaultCacheDuration, apiVersion, args, env, executable);
  }

  private static List<String> strings(String where, JsonNode node, String field) {
    JsonNode list = node.path(field);
    if (list.isMissingNode() || list.isNull()) {
      return List.of();
    }
    if (!list.isArray()) {
      throw new CredentialException(where + ": " + field + " must be a list of strings");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode value : list) {
      if (!value.isTextual()) {
        throw new CredentialException(where + ": " + field + " must be a list of strings");
      }
      values.add(value.textValue());
    }
    return List.copyOf(values);
  }

  private static final Pattern DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

  /** A Go duration ({@code 12h}, {@code 1h30m}, {@code 0}); not negative. */
  static Duration duration(String where, String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    Matcher part = DURATION_PART.matcher(text);
    double nanos = 0;
    int at = 0;
    while (at < text.length() && part.find(at) && part.start() == at) {
      double value = Double.parseDouble(part.group(1));
      nanos += value * switch (part.group(2)) {
        case "ns" -> 1;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      at = part.end();
    }
    if (text.isEmpty() || at != text.length()) {
      throw new CredentialException(
          where + ": \"" + text + "\" is not a duration (e.g. \"12h\", \"1h30m\", \"0\")");
    }
    return Duration.ofNanos((long) nanos);
  }

  /** A copy that stops a plugin after {@code timeout} (default one minute). */
  public KubeletCredentialProviders withTimeout(Duration timeout) {
    return new KubeletCredentialProviders(source, providers, timeout, clock);
  }

  KubeletCredentialProviders withClock(Clock clock) {
    return new KubeletCredentialProviders(source, providers, timeout, clock);
  }

  /**
   * The first credential a matching provider gives for {@code registry/repository}.
   *
   * @throws CredentialException when a matching provider's plugin fails
   */
  @Override
  public Optional<Credential> credentialFor(String registry, String repository) {
    String image = registry + "/" + repository;
    for (Provider provider : providers) {
      if (provider.matchImages().stream().noneMatch(pattern -> HostGlob.matches(pattern, image))) {
        continue;
      }
      Optional<Credential> credential =
          answer(provider, registry, image).keyring().credentialFor(registry, repository);
      if (credential.isPresent()) {
        return credential;
      }
    }
    return Optional.empty();
  }

  /** A kept answer for the image, its registry or all images; else the plugin's, run once per key. */
  private Answer answer(Provider provider, String registry, String image) {
    String prefix = provider.name() + "|";
    for (String key : List.of("image:" + image, "registry:" + registry, "global")) {
      Answer answer = kept.get(prefix + key);
      if (answer != null && answer.expires().isAfter(clock.instant())) {
        return answer;
      }
    }
    // the plugin says after it answered which key its answer is for; until then, concurrent
    // lookups of this image wait for the one run
    CompletableFuture<Answer> mine = new CompletableFuture<>();
    CompletableFuture<Answer> other = running.putIfAbsent(prefix + image, mine);
    if (other != null) {
      return join(other);
    }
    try {
      Response response = run(provider, image);
      Duration keep =
          response.cacheDuration().compareTo(MIN_KEEP) < 0 ? MIN_KEEP : response.cacheDuration();
      Answer answer = new Answer(response.keyring(), clock.instant().plus(keep));
      String key = switch (response.cacheKeyType()) {
        case "Image" -> "image:" + image;
        case "Registry" -> "registry:" + registry;
        default -> "global";
      };
      kept.put(prefix + key, answer);
      mine.complete(answer);
      return answer;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      running.remove(prefix + image, mine);
    }
  }

  private static Answer join(CompletableFuture<Answer> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private record Response(PullSecretKeyring keyring, String cacheKeyType, Duration cacheDuration) {}

  private Response run(Provider provider, String image) {
    String what = "credential provider " + provider.name() + " (" + source + ") for " + image;
    List<String> command = new ArrayList<>();
    command.add(provider.executable().toString());
    command.addAll(provider.args());
    byte[] input = JsonNodeFactory.instance.objectNode()
        .put("apiVersion", provider.apiVersion())
        .put("kind", "CredentialProviderRequest")
        .put("image", image)
        .toString().getBytes(StandardCharsets.UTF_8);
    ChildProcesses.Result result = ChildProcesses.run(command, provider.env(), input, timeout, what);
    if (result.exitCode() != 0) {
      String err = result.stderr().strip();
      throw new CredentialException(what + ": exited with status " + result.exitCode()
          + (err.isEmpty() ? "" : ": " + ChildProcesses.firstLine(err)));
    }
    return response(provider, what, result.stdout());
  }

  private static Response response(Provider provider, String what, byte[] out) {
    JsonNode response;
    try {
      response = JSON.readTree(out);
    } catch (IOException e) {
      // no cause and no excerpt: the output may hold a secret
      throw new CredentialException(what + ": the answer is not JSON");
    }
    if (response == null || !response.isObject()
        || !response.path("kind").asText("").equals("CredentialProviderResponse")) {
      throw new CredentialException(what + ": the answer is not a CredentialProviderResponse");
    }
    String apiVersion = response.path("apiVersion").asText("");
    if (!apiVersion.equals(provider.apiVersion())) {
      throw new CredentialException(what + ": the answer's apiVersion \"" + apiVersion
          + "\" is not the configured " + provider.apiVersion());
    }
    String cacheKeyType = response.path("cacheKeyType").asText("");
    if (!Set.of("Image", "Registry", "Global").contains(cacheKeyType)) {
      throw new CredentialException(what + ": cacheKeyType must be Image, Registry or Global, got \""
          + cacheKeyType + "\"");
    }
    Duration cacheDuration = response.hasNonNull("cacheDuration")
        ? duration(what + ": cacheDuration", response.path("cacheDuration").asText(""))
        : provider.defaultCacheDuration();
    JsonNode auth = response.path("auth");
    if (!auth.isMissingNode() && !auth.isNull() && !auth.isObject()) {
      throw new CredentialException(what + ": auth must be a map of image patterns to credentials");
    }
    PullSecretKeyring keyring = auth.isObject() ? PullSecretKeyring.empty().withAuths(what, auth)
        : PullSecretKeyring.empty();
    return new Response(keyring, cacheKeyType, cacheDuration);
  }

  private static String sorted(Set<String> values) {
    return values.stream().sorted().toList().toString();
  }

  /** The config file and the provider names; never a credential. */
  @Override
  public String toString() {
    return "KubeletCredentialProviders[" + source + ": "
        + providers.stream().map(Provider::name).toList() + "]";
  }
}
