package dev.holdfast.operator;

import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.policy.RegistryCredentials;
import dev.holdfast.operator.webhook.WebhookSettings;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How the operator runs.
 *
 * @param implicitPolicy the policy the flags imply ({@code -registry} and friends), if any
 * @param namespace the operator's own namespace: never touched, and where its Lease lives
 * @param leaderElection whether replicas elect a leader on a Lease; only the leader reconciles
 * @param identity this replica's name in the Lease
 * @param probeAddress where {@code /metrics}, {@code /healthz} and {@code /readyz} are served; empty:
 *     nowhere
 * @param maxConcurrentCopies copy jobs running at once
 * @param retryBase the wait after a failed copy, doubled per further failure
 * @param retryCap the longest wait between attempts
 * @param caBundles CAs trusted for every registry, besides the system roots
 * @param insecureRegistries registries reached over plain HTTP or unverified TLS
 * @param webhook how the admission webhook is served and registered; empty: not at all
 * @param ownerClusterRole the installation's ClusterRole, which then owns everything the operator
 *     creates, so that deleting the installation deletes it too
 * @param clock the operator's clock
 */
public record OperatorSettings(
    Optional<ImplicitPolicy> implicitPolicy,
    String namespace,
    boolean leaderElection,
    String identity,
    Optional<InetSocketAddress> probeAddress,
    int maxConcurrentCopies,
    Duration retryBase,
    Duration retryCap,
    List<PemBundle> caBundles,
    List<String> insecureRegistries,
    Optional<WebhookSettings> webhook,
    Optional<String> ownerClusterRole,
    Clock clock) {
  /** The Lease the replicas elect a leader on. */
  public static final String LEASE_NAME = "holdfast-operator";

  public OperatorSettings {
    Objects.requireNonNull(implicitPolicy, "implicitPolicy");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(probeAddress, "probeAddress");
    if (maxConcurrentCopies < 1) {
      throw new IllegalArgumentException("max concurrent copies must be at least 1, got " + maxConcurrentCopies);
    }
    Objects.requireNonNull(retryBase, "retryBase");
    Objects.requireNonNull(retryCap, "retryCap");
    caBundles = List.copyOf(caBundles);
    insecureRegistries = List.copyOf(insecureRegistries);
    Objects.requireNonNull(webhook, "webhook");
    Objects.requireNonNull(ownerClusterRole, "ownerClusterRole");
    Objects.requireNonNull(clock, "clock");
  }

  /**
   * The policy of the operator's flags, with its credentials.
   *
   * @param pushCredentialsHandedOut true when no pull-only credentials were given, so the push
   *     credentials go into the namespaces' pull secrets (said once at start-up)
   */
  public record ImplicitPolicy(ImagePolicySpec spec, RegistryCredentials credentials) {
    public boolean pushCredentialsHandedOut() {
      return credentials.pull().isEmpty() && spec.destination().pullSecret() == null && credentials.push().isPresent();
    }
  }

  /** Settings for tests and embedding: no implicit policy, no leader election, no probes. */
  public static OperatorSettings defaults(String namespace) {
    return new OperatorSettings(Optional.empty(), namespace, false, "holdfast-" + ProcessHandle.current().pid(),
        Optional.empty(), 4, Duration.ofSeconds(5), Duration.ofMinutes(5), List.of(), List.of(), Optional.empty(),
        Optional.empty(), Clock.systemUTC());
  }

  /** A copy with another implicit policy. */
  public OperatorSettings withImplicitPolicy(ImplicitPolicy policy) {
    return new OperatorSettings(Optional.of(policy), namespace, leaderElection, identity, probeAddress,
        maxConcurrentCopies, retryBase, retryCap, caBundles, insecureRegistries, webhook, ownerClusterRole, clock);
  }

  /** A copy with other CAs and insecure registries. */
  public OperatorSettings withTrust(List<PemBundle> bundles, List<String> insecure) {
    return new OperatorSettings(implicitPolicy, namespace, leaderElection, identity, probeAddress,
        maxConcurrentCopies, retryBase, retryCap, bundles, insecure, webhook, ownerClusterRole, clock);
  }

  /** A copy with leader election on or off, under another identity. */
  public OperatorSettings withLeaderElection(boolean on, String newIdentity) {
    return new OperatorSettings(implicitPolicy, namespace, on, newIdentity, probeAddress,
        maxConcurrentCopies, retryBase, retryCap, caBundles, insecureRegistries, webhook, ownerClusterRole, clock);
  }

  /** A copy serving probes and metrics at {@code address}. */
  public OperatorSettings withProbeAddress(InetSocketAddress address) {
    return new OperatorSettings(implicitPolicy, namespace, leaderElection, identity, Optional.of(address),
        maxConcurrentCopies, retryBase, retryCap, caBundles, insecureRegistries, webhook, ownerClusterRole, clock);
  }

  /** A copy that serves the admission webhook so. */
  public OperatorSettings withWebhook(WebhookSettings settings) {
    return new OperatorSettings(implicitPolicy, namespace, leaderElection, identity, probeAddress,
        maxConcurrentCopies, retryBase, retryCap, caBundles, insecureRegistries, Optional.of(settings), ownerClusterRole, clock);
  }

  /** A copy with another retry back-off. */
  public OperatorSettings withRetry(Duration base, Duration cap) {
    return new OperatorSettings(implicitPolicy, namespace, leaderElection, identity, probeAddress,
        maxConcurrentCopies, base, cap, caBundles, insecureRegistries, webhook, ownerClusterRole, clock);
  }
}
