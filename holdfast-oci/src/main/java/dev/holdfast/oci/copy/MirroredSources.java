package dev.holdfast.oci.copy;

import dev.holdfast.oci.mirror.Candidate;
import dev.holdfast.oci.mirror.Mirror;
import dev.holdfast.oci.mirror.MirrorRule;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.mirror.Resolution;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.tls.InvalidTrustBundleException;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.oci.tls.TrustConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Pulls copies through mirrors: turns the {@link Resolution} of a reference into the ordered
 * sources of a {@link CopyRequest}, and adds each mirror's CA bundle and insecure flag to the
 * {@link TrustConfig} the registry client is built with.
 *
 * <p>The sources are the resolution's candidates, in order: the engine reads the image (and
 * resolves a tag) at the first one that has it, as containers/image does. Which mirrors serve a tag
 * reference is already decided by the rules ({@code pull-from-mirror}). Credentials need nothing
 * here: the client asks its credential provider for each mirror's own registry. A reference whose
 * source is blocked and that no mirror may serve is refused before any network I/O.
 */
public final class MirroredSources {
  private final MirrorRules rules;

  private MirroredSources(MirrorRules rules) {
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  /** Pull-through for these rules. */
  public static MirroredSources of(MirrorRules rules) {
    return new MirroredSources(rules);
  }

  /**
   * Resolves {@code reference}; the result has at least one candidate.
   *
   * @throws CopyException.SourceBlocked naming the rule and why no candidate is left, when the
   *     source is blocked and no mirror may serve this reference
   * @throws dev.holdfast.oci.mirror.MirrorConfigException when a rule rewrites the reference to an
   *     invalid one
   */
  public Resolution resolve(ImageReference reference) {
    Resolution resolution = rules.resolve(reference);
    if (resolution.candidates().isEmpty()) {
      throw new CopyException.SourceBlocked(whyBlocked(resolution));
    }
    return resolution;
  }

  /**
   * A request that copies {@code image} from its mirrors and (unless blocked) its source, in order,
   * named after {@code image} as normalised: the destination never takes a mirror's name.
   *
   * @throws CopyException.SourceBlocked as {@link #resolve}
   */
  public CopyRequest request(ImageReference image, ImageLocation destination, CopyOptions options) {
    Resolution resolution = resolve(image);
    List<ImageLocation> sources = resolution.candidates().stream()
        .map(c -> (ImageLocation) new ImageLocation.Registry(c.reference()))
        .toList();
    return new CopyRequest(sources, destination, options, new ImageLocation.Registry(resolution.reference()));
  }

  /**
   * Adds, for every candidate of these references, its CA bundle (trusted for the candidate's
   * registry, {@code host:port}) and its insecure flag to {@code trust}. References that are blocked
   * without a mirror are skipped ({@link #resolve} refuses them). Each bundle file is read once.
   *
   * @return the bundles read, so that callers can report their skipped blocks
   * @throws InvalidTrustBundleException naming the mirror and the file when a bundle cannot be read
   *     or holds no valid certificate
   */
  public List<PemBundle> addTrust(TrustConfig.Builder trust, Collection<ImageReference> references) {
    Map<Path, PemBundle> bundles = new LinkedHashMap<>();
    Set<String> added = new HashSet<>();
    for (ImageReference reference : references) {
      for (Candidate candidate : rules.resolve(reference).candidates()) {
        String registry = candidate.reference().registry();
        if (candidate.insecure()) {
          trust.addInsecureRegistry(registry);
        }
        if (candidate.caBundle().isPresent()) {
          Path file = candidate.caBundle().get();
          PemBundle bundle = bundles.computeIfAbsent(file, f -> read(f, registry));
          if (added.add(registry + " " + file)) {
            trust.addRegistryBundle(registry, bundle);
          }
        }
      }
    }
    return List.copyOf(bundles.values());
  }

  private static PemBundle read(Path file, String registry) {
    try {
      return PemBundle.read(file);
    } catch (InvalidTrustBundleException e) {
      throw new InvalidTrustBundleException("CA bundle of mirror " + registry + ": " + e.getMessage(), e);
    }
  }

  private String whyBlocked(Resolution resolution) {
    ImageReference reference = resolution.reference();
    Optional<MirrorRule> found = rules.ruleFor(reference.name());
    String kind = reference.digest().isPresent() ? "a digest reference" : "a tag reference";
    StringBuilder message = new StringBuilder("cannot pull ").append(reference).append(": ");
    if (found.isEmpty()) {
      return message.append("no place to pull it from").toString();
    }
    MirrorRule rule = found.get();
    message.append("mirror rule ").append(rule.prefix()).append(" (").append(rule.origin()).append(") ");
    if (rule.blocked()) {
      message.append("blocks the source");
    } else {
      message.append("maps it to ").append(rule.location().orElse(reference.name()))
          .append(", which another rule blocks");
    }
    List<String> reasons = new ArrayList<>();
    for (Mirror mirror : rule.mirrors()) {
      if (!mirror.pullPolicy().serves(reference.digest().isPresent())) {
        reasons.add(mirror.location() + " is " + mirror.pullPolicy().configValue() + ", and this is " + kind);
      } else {
        reasons.add(mirror.location() + " is blocked by another rule");
      }
    }
    if (reasons.isEmpty()) {
      message.append(" and has no mirrors");
    } else {
      message.append(" and no mirror may serve it: ").append(String.join("; ", reasons));
    }
    if (reference.digest().isEmpty()
        && rule.mirrors().stream().anyMatch(m -> m.pullPolicy().serves(true))) {
      message.append(" (pull it by digest to use the digest-only mirrors)");
    }
    return message.toString();
  }
}
