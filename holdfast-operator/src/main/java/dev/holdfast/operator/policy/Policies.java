package dev.holdfast.operator.policy;

import dev.holdfast.operator.OperatorSettings;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.api.ImagePolicySpec.Destination;
import io.javaoperatorsdk.operator.api.reconciler.ResourceCache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policies in force: every valid ImagePolicy in the informer's cache, and the policy the
 * operator's flags imply. A spec is parsed once per generation. Credentials are read from their
 * Secrets when asked, and kept for a minute, so a rotated password is picked up without a restart.
 */
public final class Policies {
  private static final Duration CREDENTIALS_TTL = Duration.ofMinutes(1);

  private final Optional<OperatorSettings.ImplicitPolicy> implicit;
  private final Optional<Policy> implicitPolicy;
  private final CredentialSecrets secrets;
  private final Clock clock;
  private final Map<String, Policy> parsed = new ConcurrentHashMap<>();
  private final Map<String, TimedCredentials> credentials = new ConcurrentHashMap<>();
  private volatile ResourceCache<ImagePolicy> cache;

  private record TimedCredentials(long generation, Instant read, RegistryCredentials credentials) {}

  public Policies(Optional<OperatorSettings.ImplicitPolicy> implicit, CredentialSecrets secrets, Clock clock) {
    this.implicit = implicit;
    this.implicitPolicy = implicit.map(p -> Policy.of(Policy.IMPLICIT, p.spec(), 0));
    this.secrets = secrets;
    this.clock = clock;
  }

  /** Where the ImagePolicies are read from: the ImagePolicy reconciler's cache. */
  public void use(ResourceCache<ImagePolicy> imagePolicies) {
    this.cache = imagePolicies;
  }

  /** Every valid policy, the implicit one included. */
  public List<Policy> all() {
    List<Policy> all = new ArrayList<>();
    ResourceCache<ImagePolicy> current = cache;
    if (current != null) {
      current.list().forEach(object -> parse(object).ifPresent(all::add));
    }
    implicitPolicy.ifPresent(all::add);
    return all;
  }

  /** The valid policy of that name. */
  public Optional<Policy> get(String name) {
    if (name.equals(Policy.IMPLICIT)) {
      return implicitPolicy;
    }
    ResourceCache<ImagePolicy> current = cache;
    return current == null ? Optional.empty()
        : current.list().filter(p -> p.getMetadata().getName().equals(name)).findFirst().flatMap(this::parse);
  }

  /** The policy of an ImagePolicy object, or empty when it is invalid. */
  public Optional<Policy> parse(ImagePolicy object) {
    String key = object.getMetadata().getName() + "@" + object.getMetadata().getGeneration();
    Policy policy = parsed.get(key);
    if (policy == null) {
      try {
        policy = Policy.of(object.getMetadata().getName(), object.getSpec(), generation(object));
      } catch (InvalidPolicyException | IllegalArgumentException e) {
        return Optional.empty();
      }
      parsed.keySet().removeIf(k -> k.startsWith(object.getMetadata().getName() + "@"));
      parsed.put(key, policy);
    }
    return Optional.of(policy);
  }

  /**
   * The destination credentials of {@code policy}.
   *
   * @throws CredentialSecrets.InvalidCredentialsException naming the Secret that cannot be read
   */
  public RegistryCredentials credentials(Policy policy) {
    RegistryCredentials given = policy.isImplicit()
        ? implicit.map(OperatorSettings.ImplicitPolicy::credentials).orElse(RegistryCredentials.NONE)
        : RegistryCredentials.NONE;
    Destination destination = policy.spec().destination();
    if (policy.isImplicit() && (given.pull().isPresent() || destination.pullSecret() == null)) {
      return given;
    }
    TimedCredentials known = credentials.get(policy.name());
    Instant now = clock.instant();
    if (known != null && known.generation() == policy.generation()
        && known.read().plus(CREDENTIALS_TTL).isAfter(now)) {
      return known.credentials();
    }
    RegistryCredentials read = new RegistryCredentials(
        given.push().or(() -> Optional.ofNullable(destination.pushSecret()).map(s -> secrets.basic(s, destination.registry()))),
        Optional.ofNullable(destination.pullSecret()).map(s -> secrets.basic(s, destination.registry())));
    credentials.put(policy.name(), new TimedCredentials(policy.generation(), now, read));
    return read;
  }

  /**
   * Whether the policy's destination has credentials (so its copies need a pull secret), known from
   * its spec or the flags alone, without reading a Secret.
   */
  public boolean hasCredentials(Policy policy) {
    Destination destination = policy.spec().destination();
    if (destination.pushSecret() != null || destination.pullSecret() != null) {
      return true;
    }
    return policy.isImplicit() && implicit.map(p -> p.credentials().handedOut().isPresent()).orElse(false);
  }

  /**
   * The budget for upstream checks of {@code registry}: the most conservative any policy sets (the
   * fewest requests per hour), else the default ({@link dev.holdfast.operator.upstream.Budget#defaultFor}).
   */
  public dev.holdfast.operator.upstream.Budget budgetFor(String registry) {
    dev.holdfast.operator.upstream.Budget chosen = dev.holdfast.operator.upstream.Budget.defaultFor(registry);
    for (Policy policy : all()) {
      for (var budget : policy.spec().upstream().budgets()) {
        if (!sameRegistry(budget.registry(), registry)) {
          continue;
        }
        var candidate = new dev.holdfast.operator.upstream.Budget(registry, budget.requests(),
            dev.holdfast.operator.api.Durations.parse(budget.period(), "period"));
        if (candidate.spacing().compareTo(chosen.spacing()) > 0) {
          chosen = candidate;
        }
      }
    }
    return chosen;
  }

  private static boolean sameRegistry(String a, String b) {
    String left = a.equalsIgnoreCase("index.docker.io") || a.equalsIgnoreCase("registry-1.docker.io") ? "docker.io" : a;
    String right = b.equalsIgnoreCase("index.docker.io") || b.equalsIgnoreCase("registry-1.docker.io") ? "docker.io" : b;
    return left.equalsIgnoreCase(right);
  }

  private static long generation(ImagePolicy object) {
    Long generation = object.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }
}
