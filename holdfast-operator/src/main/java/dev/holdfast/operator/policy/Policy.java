package dev.holdfast.operator.policy;

import dev.holdfast.oci.copy.DestinationNaming;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.mirror.MirrorConfigLoader;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.ImagePolicySpec.Destination;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An image policy in force: an {@code ImagePolicy} object, or the one the operator's flags imply
 * ({@link #IMPLICIT}). Immutable; derived values are computed once.
 *
 * @param name the ImagePolicy's name, or {@link #IMPLICIT}
 * @param spec what to protect and how
 * @param generation the object's generation (0 for the implicit policy)
 */
public record Policy(String name, ImagePolicySpec spec, long generation, DestinationNaming naming,
    MirrorRules redirects) {
  /** The name of the policy the operator's flags imply. */
  public static final String IMPLICIT = "holdfast-flags";

  public Policy {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
  }

  /**
   * The policy of an ImagePolicy's spec.
   *
   * @throws InvalidPolicyException naming the field when the spec cannot be used
   */
  public static Policy of(String name, ImagePolicySpec spec, long generation) {
    List<PolicyProblem> problems = PolicyValidation.problems(name, spec);
    if (!problems.isEmpty()) {
      throw new InvalidPolicyException(name, problems);
    }
    Destination destination = spec.destination();
    String registry = asParsed(destination.registry());
    String target = destination.repository().isEmpty() ? registry : registry + "/" + destination.repository();
    DestinationNaming naming = DestinationNaming.of(target,
        DestinationNaming.Scheme.parse(destination.naming().name().toLowerCase(Locale.ROOT)), "_");
    MirrorRules redirects = spec.redirects().isEmpty() ? MirrorRules.empty()
        : MirrorConfigLoader.loadTexts(List.of(new MirrorConfigLoader.Text("ImagePolicy " + name + " spec.redirects",
            redirectsYaml(spec.redirects()))));
    return new Policy(name, spec, generation, naming, redirects);
  }

  /** Whether this is the policy the operator's flags imply. */
  public boolean isImplicit() {
    return name.equals(IMPLICIT);
  }

  /** Where the copy of {@code source} goes. */
  public ImageReference destinationFor(ImageReference source) {
    return ((ImageLocation.Registry) naming.destinationFor(source)).reference();
  }

  /**
   * Whether {@code image} already lives under the destination (a copy, or something the team
   * keeps there itself): such images are never copied again.
   */
  public boolean isUnderDestination(ImageReference image) {
    if (!isDestinationRegistry(image.registry())) {
      return false;
    }
    String prefix = spec.destination().repository();
    return prefix.isEmpty() || image.repository().equals(prefix) || image.repository().startsWith(prefix + "/");
  }

  /**
   * Whether {@code registry}, as an image reference names it, is the destination's registry
   * ({@code index.docker.io} in the spec is {@code docker.io} in references).
   */
  public boolean isDestinationRegistry(String registry) {
    return registry.equalsIgnoreCase(asParsed(spec.destination().registry()));
  }

  // ImageReference.parse reads index.docker.io as docker.io, so copies named under index.docker.io
  // would read back under another registry: never recognised as copies, and copied again.
  private static String asParsed(String registry) {
    return registry.equals("index.docker.io") ? ImageReference.DOCKER_HUB : registry;
  }

  /** The policy's redirects as a configuration text, to merge with other mirror configuration; empty without any. */
  public java.util.Optional<String> redirectsText() {
    return spec.redirects().isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(redirectsYaml(spec.redirects()));
  }

  private static String redirectsYaml(List<ImagePolicySpec.Redirect> redirects) {
    StringBuilder yaml = new StringBuilder("redirects:\n");
    for (ImagePolicySpec.Redirect redirect : redirects) {
      yaml.append("- src: ").append(quote(redirect.src())).append('\n')
          .append("  to: ").append(quote(redirect.to())).append('\n');
    }
    return yaml.toString();
  }

  private static String quote(String value) {
    return "'" + (value == null ? "" : value.replace("'", "''")) + "'";
  }
}
