package dev.holdfast.cli;

import dev.holdfast.operator.policy.PolicySelection;
import dev.holdfast.operator.rewrite.OriginalImages;
import dev.holdfast.operator.rewrite.TemplatePatch;
import dev.holdfast.operator.workload.WorkloadKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code holdfast restore}: puts back the images the operator replaced with copies (recorded in the
 * workloads' {@code holdfast.dev/original-images} annotation), removes the pull secret it appended,
 * and removes its annotations. A field changed since the operator rewrote it keeps its value.
 */
@Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {
      "Points workloads back at their original images: one workload (-n NS KIND/NAME), a namespace"
          + " (-n NS) or every namespace (--all).",
      "",
      "A running operator in Patch mode points them at the copies again: stop it, set its policy's"
          + " rewrite to None, or pass --opt-out to label each restored workload holdfast.dev/skip=true.",
      "",
      "Exit status: 0 done; 1 some workload could not be restored; 2 usage error."
    })
final class RestoreCommand implements Callable<Integer> {
  static final class Scope {
    @Option(names = "--all", required = true, description = "Every namespace.") boolean all;

    @Option(names = {"-n", "--namespace"}, required = true, paramLabel = "NS", description = "One namespace.")
    String namespace;
  }

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1") Scope scope;

  @Parameters(index = "0", arity = "0..1", paramLabel = "KIND/NAME",
      description = "One workload of the namespace: deployment/web, cronjob/nightly, ...")
  String workload;

  @Option(names = "--opt-out", description = "Also label each restored workload holdfast.dev/skip=true.")
  boolean optOut;

  @Option(names = "--dry-run", description = "Say what would be restored; change nothing.")
  boolean dryRun;

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig (default: the usual lookup).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context to use.")
  String context;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<WorkloadKind> onlyKind = Optional.empty();
    String onlyName = null;
    if (workload != null) {
      if (scope.all) {
        throw new ParameterException(spec.commandLine(), "KIND/NAME names a workload of one namespace: use -n NS");
      }
      String[] parts = workload.split("/", -1);
      onlyKind = parts.length == 2 ? kind(parts[0]) : Optional.empty();
      if (onlyKind.isEmpty() || parts[1].isBlank()) {
        throw new ParameterException(spec.commandLine(), "\"" + workload + "\" is not KIND/NAME with a kind of "
            + String.join(", ", Arrays.stream(WorkloadKind.values()).map(k -> k.kind().toLowerCase(Locale.ROOT)).toList()));
      }
      onlyName = parts[1];
    }
    int restored = 0;
    int failed = 0;
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config()).build()) {
      for (WorkloadKind kind : WorkloadKind.values()) {
        if (onlyKind.isPresent() && onlyKind.get() != kind) {
          continue;
        }
        for (HasMetadata object : list(client, kind)) {
          if (onlyName != null && !onlyName.equals(object.getMetadata().getName())) {
            continue;
          }
          Optional<String> patch = TemplatePatch.restore(kind, object);
          if (patch.isEmpty()) {
            continue;
          }
          String label = kind.kind().toLowerCase(Locale.ROOT) + "/" + object.getMetadata().getName() + " in "
              + object.getMetadata().getNamespace();
          try {
            if (!dryRun) {
              client.resource(object).patch(PatchContext.of(PatchType.JSON), patch.get());
              if (optOut) {
                client.resource(object).edit(o -> {
                  o.getMetadata().getLabels().put(PolicySelection.SKIP_LABEL, "true");
                  return o;
                });
              }
            }
            out.println((dryRun ? "would restore " : "restored ") + label + ": "
                + OriginalImages.read(object.getMetadata().getAnnotations()));
            restored++;
          } catch (KubernetesClientException e) {
            err.println("holdfast restore: " + label + ": " + e.getMessage());
            failed++;
          }
        }
      }
    }
    if (onlyName != null && restored + failed == 0) {
      err.println("holdfast restore: " + workload + " in " + scope.namespace + " records no original images");
      return 1;
    }
    out.println(restored + (restored == 1 ? " workload " : " workloads ") + (dryRun ? "would be " : "")
        + "restored" + (failed > 0 ? ", " + failed + " failed" : ""));
    out.flush();
    return failed > 0 ? 1 : 0;
  }

  private List<? extends HasMetadata> list(KubernetesClient client, WorkloadKind kind) {
    var resources = client.resources(kind.type());
    List<HasMetadata> all = new ArrayList<>();
    (scope.all ? resources.inAnyNamespace().list() : resources.inNamespace(scope.namespace).list())
        .getItems().forEach(all::add);
    return all;
  }

  private static Optional<WorkloadKind> kind(String text) {
    return Arrays.stream(WorkloadKind.values())
        .filter(k -> k.kind().equalsIgnoreCase(text) || (k.kind() + "s").equalsIgnoreCase(text))
        .findFirst();
  }

  private Config config() {
    if (kubeconfig == null) {
      return Config.autoConfigure(context);
    }
    try {
      return Config.fromKubeconfig(context, Files.readString(kubeconfig, StandardCharsets.UTF_8), kubeconfig.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("--kubeconfig " + kubeconfig + ": cannot read it", e);
    }
  }
}
