package dev.holdfast.oci.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code skopeo}, the independent reference client, against test registries: seeds
 * {@link SyntheticImage}s, copies and inspects. Each instance has a private {@code HOME} and
 * {@code XDG_*} directories, its own policy and registries.conf, so skopeo's blob-info cache
 * (which would make it skip or mount blobs it saw in an earlier test) never leaks between tests.
 *
 * <pre>{@code
 * Skopeo skopeo = Skopeo.create(tempDir);
 * skopeo.push(image, registry.image("demo/app:v1"));
 * byte[] raw = skopeo.inspectRaw(registry.image("demo/app:v1"));
 * }</pre>
 */
public final class Skopeo {

  private static final Duration TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path work;
  private final Map<String, String> env;

  private Skopeo(Path work, Map<String, String> env) {
    this.work = work;
    this.env = env;
  }

  /** A skopeo with its private home, caches and config below {@code workDir} (e.g. a @TempDir). */
  public static Skopeo create(Path workDir) {
    Tools.find("skopeo");
    try {
      Path home = Files.createDirectories(workDir.resolve("home"));
      Path run = workDir.resolve("run");
      Files.createDirectories(run);
      Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
      Files.createDirectories(workDir.resolve("registries.d"));
      Files.createDirectories(workDir.resolve("tmp"));
      Files.writeString(workDir.resolve("policy.json"),
          "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n");
      Files.writeString(workDir.resolve("registries.conf"), "unqualified-search-registries = []\n");
      Map<String, String> env = new HashMap<>();
      env.put("HOME", home.toString());
      env.put("XDG_CONFIG_HOME", Files.createDirectories(workDir.resolve("config")).toString());
      env.put("XDG_DATA_HOME", Files.createDirectories(workDir.resolve("data")).toString());
      env.put("XDG_CACHE_HOME", Files.createDirectories(workDir.resolve("cache")).toString());
      env.put("XDG_RUNTIME_DIR", run.toString());
      env.put("DOCKER_CONFIG", Files.createDirectories(workDir.resolve("docker")).toString());
      env.put("REGISTRY_AUTH_FILE", workDir.resolve("auth.json").toString());
      env.put("CONTAINERS_REGISTRIES_CONF", workDir.resolve("registries.conf").toString());
      // As root, containers/image keeps its blob-info cache in /var/lib/containers/cache whatever
      // HOME says; claiming a non-root uid makes it use XDG_DATA_HOME (containers/image
      // internal/rootless.GetRootlessEUID reads this variable).
      env.put("_CONTAINERS_ROOTLESS_UID", "1000");
      return new Skopeo(workDir, env);
    } catch (IOException e) {
      throw new UncheckedIOException("prepare a skopeo work directory in " + workDir, e);
    }
  }

  /**
   * Pushes a synthetic image unchanged ({@code --preserve-digests}, {@code --all} for an index):
   * afterwards the registry holds exactly the manifests the builder wrote.
   */
  public void push(WrittenImage image, RegistryImage target) {
    List<String> args = new ArrayList<>(List.of("copy", "--quiet", "--preserve-digests"));
    if (image.isIndex()) {
      args.add("--all");
    }
    args.addAll(access(target, "dest-"));
    args.add(image.skopeoSource());
    args.add("docker://" + target.reference());
    check(args);
  }

  /** Copies between registries with {@code --all --preserve-digests}. */
  public void copy(RegistryImage source, RegistryImage target) {
    List<String> args =
        new ArrayList<>(List.of("copy", "--quiet", "--all", "--preserve-digests"));
    args.addAll(access(source, "src-"));
    args.addAll(access(target, "dest-"));
    args.add("docker://" + source.reference());
    args.add("docker://" + target.reference());
    check(args);
  }

  /** The manifest (or index) bytes exactly as the registry stores them; sha256 = digest. */
  public byte[] inspectRaw(RegistryImage image) {
    return check(inspectRawArgs(image)).stdoutBytes();
  }

  /** {@code sha256:<hex>} of {@link #inspectRaw}. */
  public String digestOf(RegistryImage image) {
    return "sha256:" + HexFormat.of().formatHex(LayerGenerator.sha256().digest(inspectRaw(image)));
  }

  /** Runs {@code inspect --raw} and returns the outcome without throwing (for "refused" tests). */
  public Result tryInspectRaw(RegistryImage image) {
    return run(inspectRawArgs(image));
  }

  /** Runs {@code copy} like {@link #push} and returns the outcome without throwing. */
  public Result tryPush(WrittenImage image, RegistryImage target) {
    List<String> args = new ArrayList<>(List.of("copy", "--quiet", "--preserve-digests", "--all"));
    args.addAll(access(target, "dest-"));
    args.add(image.skopeoSource());
    args.add("docker://" + target.reference());
    return run(args);
  }

  /** {@code skopeo inspect} JSON (for an index: of the image for this machine's platform). */
  public JsonNode inspect(RegistryImage image) {
    List<String> args = new ArrayList<>(List.of("inspect"));
    args.addAll(access(image, ""));
    args.add("docker://" + image.reference());
    try {
      return JSON.readTree(check(args).stdout());
    } catch (IOException e) {
      throw new UncheckedIOException("parse skopeo inspect output for " + image, e);
    }
  }

  /** The outcome of a skopeo run. */
  public record Result(int exitCode, byte[] stdoutBytes, String stderr) {
    /** stdout as UTF-8 text. */
    public String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }


    /** True when skopeo exited with 0. */
    public boolean succeeded() {
      return exitCode == 0;
    }
  }

  /**
   * Runs skopeo with these arguments (after its global {@code --policy}/{@code --registries.d}
   * options) in this instance's private environment; never throws on failure.
   */
  public Result run(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of("skopeo",
        "--policy", work.resolve("policy.json").toString(),
        "--registries.d", work.resolve("registries.d").toString(),
        "--tmpdir", work.resolve("tmp").toString()));
    cmd.addAll(args);
    Tools.Result r = Tools.run(cmd, env, TIMEOUT);
    return new Result(r.exitCode(), r.stdoutBytes(), r.stderr());
  }

  private Result check(List<String> args) {
    Result r = run(args);
    if (!r.succeeded()) {
      throw new SkopeoException(display(args), r.exitCode(), r.stderr());
    }
    return r;
  }

  private List<String> inspectRawArgs(RegistryImage image) {
    List<String> args = new ArrayList<>(List.of("inspect", "--raw"));
    args.addAll(access(image, ""));
    args.add("docker://" + image.reference());
    return args;
  }

  /** TLS and credential flags for one side ({@code src-}, {@code dest-} or none). */
  static List<String> access(RegistryImage image, String prefix) {
    List<String> flags = new ArrayList<>();
    RegistryExtension registry = image.registry();
    if (registry.isTls()) {
      flags.add("--" + prefix + "cert-dir=" + registry.ca().certDir());
    } else {
      flags.add("--" + prefix + "tls-verify=false");
    }
    image.credentials().ifPresentOrElse(
        c -> flags.add("--" + prefix + "creds=" + c.colonSeparated()),
        () -> flags.add("--" + prefix + "no-creds"));
    return flags;
  }

  /** The command line with passwords masked, for messages. */
  private static String display(List<String> args) {
    return "skopeo " + String.join(" ", args.stream()
        .map(a -> a.matches("--(src-|dest-)?creds=.*") ? a.replaceAll("(creds=[^:]*):.*", "$1:***") : a)
        .toList());
  }
}
