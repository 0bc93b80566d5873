package dev.holdfast.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.oci.mirror.Candidate;
import dev.holdfast.oci.mirror.MirrorConfigException;
import dev.holdfast.oci.mirror.MirrorConfigLoader;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.mirror.Resolution;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import dev.holdfast.operator.cluster.MirrorSets;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code holdfast resolve}: normalises references and shows where each would be pulled from. */
@Command(name = "resolve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {
      "Normalises each image reference and shows the mirror rule that applies and the places it"
          + " would be pulled from, in order (see docs/mirrors.md).",
      "",
      "Exit status: 0 all references resolved; 1 some reference was invalid (the others are"
          + " still printed); 2 usage error or unusable --mirrors configuration (nothing printed)."
    })
final class ResolveCommand implements Callable<Integer> {

  /** Output formats; lower-case because they are typed on the command line as is. */
  enum Format {
    text,
    json
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;
  @Mixin MirrorOptions mirrors = new MirrorOptions();

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
      description = "${COMPLETION-CANDIDATES}: text (the default) or one JSON object per reference and line.")
  Format output = Format.text;

  @Option(names = "--from-cluster", description = "Also the cluster's mirror sets (ImageDigestMirrorSet,"
      + " ImageTagMirrorSet, ImageContentSourcePolicy), as the operator reads them; kinds the cluster does not"
      + " serve are skipped.")
  boolean fromCluster;

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "With --from-cluster: the kubeconfig"
      + " (default: the usual lookup).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "With --from-cluster: the kubeconfig context.")
  String context;

  @Parameters(index = "0..*", arity = "1..*", paramLabel = "REFERENCE", description = "Image references.")
  List<String> references;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    MirrorRules rules;
    try {
      rules = fromCluster ? clusterRules(err) : mirrors.rules();
    } catch (MirrorConfigException e) {
      throw new BadInput(spec, e.getMessage(), e);
    }
    boolean failed = false;
    for (String input : references) {
      try {
        Resolution resolution = rules.resolve(ImageReference.parse(input));
        out.println(output == Format.json ? json(input, resolution) : text(input, resolution));
      } catch (InvalidReferenceException | MirrorConfigException e) {
        failed = true;
        if (output == Format.json) {
          ObjectNode error = JSON.createObjectNode();
          error.put("input", input);
          error.put("error", e.getMessage());
          out.println(error);
        } else {
          err.println("holdfast resolve: " + e.getMessage());
        }
      }
    }
    out.flush();
    return failed ? 1 : 0;
  }

  // The cluster's mirror sets, then the --mirrors files, merged as the operator merges them.
  private MirrorRules clusterRules(PrintWriter err) {
    MirrorSets.Read read;
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config()).build()) {
      read = MirrorSets.read(client);
    } catch (KubernetesClientException e) {
      throw new BadInput(spec, "cannot read the cluster's mirror sets: " + e.getMessage(), e);
    }
    read.notServed().forEach(kind -> err.println("holdfast resolve: the cluster does not serve " + kind + ": skipped"));
    List<MirrorConfigLoader.Text> texts = new ArrayList<>(read.texts());
    for (Path file : mirrors.mirrors) {
      try {
        texts.add(new MirrorConfigLoader.Text(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new BadInput(spec, "cannot read --mirrors " + file + ": " + e.getMessage(), e);
      }
    }
    return texts.isEmpty() ? MirrorRules.empty() : MirrorConfigLoader.loadTexts(texts);
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

  private static String json(String input, Resolution resolution) {
    ImageReference reference = resolution.reference();
    ObjectNode line = JSON.createObjectNode();
    line.put("input", input);
    line.put("reference", reference.toString());
    line.put("registry", reference.registry());
    line.put("repository", reference.repository());
    line.put("tag", reference.tag().orElse(null));
    line.put("digest", reference.digest().map(Object::toString).orElse(null));
    line.put("rule", resolution.rule().orElse(null));
    ArrayNode candidates = line.putArray("candidates");
    resolution.candidates().forEach(c -> candidates.add(c.reference().toString()));
    line.put("blocked", resolution.blocked());
    return line.toString();
  }

  private static String text(String input, Resolution resolution) {
    StringBuilder text = new StringBuilder(resolution.reference().toString());
    if (!input.equals(resolution.reference().toString())) {
      text.append("  (from ").append(input).append(")");
    }
    text.append("\n  rule: ").append(resolution.rule().orElse("none"));
    List<Candidate> candidates = resolution.candidates();
    for (int i = 0; i < candidates.size(); i++) {
      Candidate candidate = candidates.get(i);
      text.append("\n  ").append(i + 1).append(". ").append(candidate.reference())
          .append("  (").append(candidate.mirror() ? "mirror" : "source");
      if (candidate.insecure()) {
        text.append(", insecure");
      }
      candidate.caBundle().ifPresent(ca -> text.append(", CA bundle ").append(ca));
      text.append(")");
    }
    if (resolution.blocked()) {
      text.append("\n  blocked: the source ").append(resolution.reference().name())
          .append(" is never contacted");
      if (candidates.isEmpty()) {
        text.append("; no mirror serves this reference");
      }
    }
    return text.toString();
  }
}
