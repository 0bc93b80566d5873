package dev.holdfast.cli;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
      "Exit status: 0 written; 2 usage error or the cluster cannot be read."
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

  @Option(names = "--policy", paramLabel = "NAME", description = "Only the copies of this policy (default: every"
      + " verified copy).")
  String policy;

  @Option(names = "--block-source", description = "Keep the nodes from falling back to the sources (default: as"
      + " the policy's spec.nodeMirror.blockSource says, else allowed).")
  Boolean blockSource;

  @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
      description = "A copy registry the nodes reach over plain HTTP.")
  List<String> insecure = new ArrayList<>();

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
  public Integer call() throws IOException {
    List<ImageCopy> copies;
    boolean block;
    java.util.Set<String> sharing;
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config()).build()) {
      copies = client.resources(ImageCopy.class).list().getItems().stream()
          .filter(c -> policy == null || policy.equals(c.getSpec().getPolicy())).toList();
      ImagePolicy object = policy == null ? null : client.resources(ImagePolicy.class).withName(policy).get();
      sharing = client.resources(ImagePolicy.class).list().getItems().stream()
          .filter(p -> p.getSpec() != null && p.getSpec().sharesPrivateImages())
          .map(p -> p.getMetadata().getName()).collect(java.util.stream.Collectors.toSet());
      block = blockSource != null ? blockSource
          : object != null && object.getSpec() != null && object.getSpec().nodeMirror().blocksSource();
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
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path target = write.resolve(file.getKey());
        Files.createDirectories(target.getParent());
        Path temporary = Files.createTempFile(target.getParent(), ".holdfast-", ".tmp");
        Files.writeString(temporary, file.getValue(), StandardCharsets.UTF_8);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      out.println(rules.size() + (rules.size() == 1 ? " source repository" : " source repositories")
          + " mirrored; wrote " + files.size() + (files.size() == 1 ? " file" : " files") + " under " + write);
    }
    out.flush();
    return 0;
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
