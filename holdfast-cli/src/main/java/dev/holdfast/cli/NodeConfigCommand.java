package dev.holdfast.cli;

import dev.holdfast.operator.api.Durations;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.nodemirror.NodeMirrorRenderers;
import dev.holdfast.operator.nodemirror.NodeMirrorRules;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code holdfast node-config}: the nodes' mirror configuration for the cluster's verified copies, as
 * a registries.conf drop-in (CRI-O, podman) or containerd {@code hosts.toml} files; Pods keep their
 * image names and the runtimes pull from the copies.
 */
@Command(name = "node-config", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {
      "Renders the nodes' mirror configuration that sends each source repository with a verified copy to"
          + " the copy: a containers-registries.conf drop-in (CRI-O, podman) or containerd hosts.toml files"
          + " (one directory per source registry, for certs.d). Repositories without a verified copy get no"
          + " rule and are pulled from their source as before.",
      "",
      "containerd 2.1's transfer service ignores hosts.toml unless its CRI plugin sets use_local_image_pull"
          + " = true.",
      "",
      "Exit status: 0 written; 2 usage error or the cluster cannot be read (with --every: runs until stopped)."
    })
final class NodeConfigCommand implements Callable<Integer> {
  enum Format {
    registries_conf("registries.conf"),
    containerd("containerd");

    private final String text;

    Format(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  private static final String DROP_IN = "50-holdfast.conf";

  @Spec CommandSpec spec;

  @Option(names = "--format", paramLabel = "FORMAT", required = true, converter = FormatConverter.class,
      description = "registries.conf or containerd.")
  Format format;

  @Option(names = "--write", paramLabel = "DIR", description = "Write the files into DIR (registries.conf:"
      + " DIR/" + DROP_IN + "; containerd: DIR/REGISTRY/hosts.toml) instead of printing them.")
  Path write;

  @Option(names = "--policy", paramLabel = "NAME", description = "Only the copies of this policy (default: those of"
      + " every policy in NodeMirror mode).")
  String policy;

  @Option(names = "--block-source", description = "Keep the nodes from falling back to the sources (default: as"
      + " the policy's spec.nodeMirror.blockSource says, else allowed).")
  Boolean blockSource;

  @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
      description = "A copy registry the nodes reach over plain HTTP.")
  List<String> insecure = new ArrayList<>();

  @Option(names = "--every", paramLabel = "DURATION", description = "Keep running, and render again every"
      + " DURATION (30s, 5m): the files change only when the verified copies do, and a registry's hosts.toml"
      + " written earlier is removed when it has no rule any more. Needs --write.")
  void every(String value) {
    try {
      every = Durations.parse(value, "--every");
    } catch (IllegalArgumentException e) {
      throw new BadInput(spec, e.getMessage(), e);
    }
    everyText = value;
  }

  Duration every;
  String everyText;

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig (default: the usual lookup).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context to use.")
  String context;

  static final class FormatConverter implements picocli.CommandLine.ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      for (Format format : Format.values()) {
        if (format.toString().equalsIgnoreCase(value)) {
          return format;
        }
      }
      throw new picocli.CommandLine.TypeConversionException("\"" + value + "\": use registries.conf or containerd");
    }
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (every == null) {
      render();
      return 0;
    }
    if (write == null) {
      throw new BadInput(spec, "--every keeps files current: it needs --write DIR", null);
    }
    PrintWriter err = spec.commandLine().getErr();
    while (true) { // a DaemonSet's container: keep going through the API server's restarts and outages
      try {
        render();
      } catch (BadInput | IOException e) {
        err.println("holdfast node-config: " + e.getMessage() + " (trying again in " + everyText + ")");
        err.flush();
      }
      Thread.sleep(every.toMillis());
    }
  }

  private void render() throws IOException {
    List<ImageCopy> copies;
    boolean block;
    Set<String> sharing;
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config()).build()) {
      List<ImagePolicy> policies = client.resources(ImagePolicy.class).list().getItems().stream()
          .filter(p -> p.getSpec() != null).toList();
      // without --policy, the copies of the policies in NodeMirror mode: the others point Pods at their copies
      Set<String> selected = policy != null ? Set.of(policy) : NodeMirrorRules.nodeMirrorPolicies(policies);
      copies = client.resources(ImageCopy.class).list().getItems().stream()
          .filter(c -> c.getSpec() != null && selected.contains(c.getSpec().getPolicy())).toList();
      sharing = NodeMirrorRules.sharingPolicies(policies);
      block = blockSource != null ? blockSource : policies.stream()
          .filter(p -> selected.contains(p.getMetadata().getName()))
          .anyMatch(p -> p.getSpec().nodeMirror().blocksSource());
    } catch (KubernetesClientException e) {
      throw new BadInput(spec, "cannot read the cluster: " + e.getMessage(), e);
    }
    List<NodeMirrorRules.Rule> rules = NodeMirrorRules.of(copies, block, sharing::contains);
    Map<String, String> files;
    try {
      files = format == Format.containerd ? NodeMirrorRenderers.containerd(rules, insecure)
          : Map.of(DROP_IN, NodeMirrorRenderers.registriesConf(rules, insecure));
    } catch (IllegalArgumentException e) {
      throw new BadInput(spec, e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (write == null) {
      files.forEach((path, content) -> {
        if (files.size() > 1 || format == Format.containerd) {
          out.println("# " + path);
        }
        out.print(content);
      });
    } else {
      int changed = 0;
      for (Map.Entry<String, String> file : files.entrySet()) {
        changed += writeIfChanged(write.resolve(file.getKey()), file.getValue()) ? 1 : 0;
      }
      int removed = format == Format.containerd ? removeStale(files.keySet()) : 0;
      if (every == null || changed + removed > 0) {
        out.println(rules.size() + (rules.size() == 1 ? " source repository" : " source repositories")
            + " mirrored; wrote " + changed + (changed == 1 ? " file" : " files")
            + (removed > 0 ? ", removed " + removed : "") + " under " + write);
      }
    }
    out.flush();
  }

  // Atomically, and only when the content changed: the runtimes read these files at any time.
  private static boolean writeIfChanged(Path target, String content) throws IOException {
    if (Files.isRegularFile(target) && Files.readString(target, StandardCharsets.UTF_8).equals(content)) {
      return false;
    }
    Files.createDirectories(target.getParent());
    Path temporary = Files.createTempFile(target.getParent(), ".holdfast-", ".tmp");
    Files.writeString(temporary, content, StandardCharsets.UTF_8);
    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  // The hosts.toml files written earlier for registries without a rule now; never a file Holdfast did not write.
  private int removeStale(Set<String> current) throws IOException {
    if (!Files.isDirectory(write)) {
      return 0;
    }
    int removed = 0;
    try (var registries = Files.list(write)) {
      for (Path directory : registries.filter(Files::isDirectory).toList()) {
        Path hosts = directory.resolve("hosts.toml");
        if (Files.isRegularFile(hosts) && !current.contains(directory.getFileName() + "/hosts.toml")
            && Files.readString(hosts, StandardCharsets.UTF_8).startsWith(NodeMirrorRenderers.CONTAINERD_MARKER)) {
          Files.delete(hosts);
          try (var left = Files.list(directory)) {
            if (left.findAny().isEmpty()) {
              Files.delete(directory);
            }
          }
          removed++;
        }
      }
    }
    return removed;
  }

  private Config config() {
    if (kubeconfig == null) {
      return Config.autoConfigure(context);
    }
    try {
      return Config.fromKubeconfig(context, Files.readString(kubeconfig, StandardCharsets.UTF_8), kubeconfig.toString());
    } catch (IOException e) {
      throw new BadInput(spec, "cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
    }
  }
}
