package dev.holdfast.operator.reconcile;

import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.operator.api.Durations;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImageCopyStatus;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.copy.RegistryAccess;
import dev.holdfast.operator.events.EventRecorder;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.RegistryCredentials;
import dev.holdfast.operator.upstream.Retention;
import dev.holdfast.operator.upstream.UpstreamMonitor;
import dev.holdfast.operator.upstream.UpstreamResult;
import dev.holdfast.operator.upstream.UpstreamStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a verified copy over time: its source is checked upstream (the result becomes the
 * condition {@code UpstreamAvailable} and Events on the copy and the workloads that use it); a moved
 * tag is followed when the policy says so; {@code lastUsedAt} is kept; and a copy unused past the
 * policy's retention is retired (and, when the policy allows, its tag deleted at the destination,
 * never a manifest another tag or copy needs).
 */
public final class CopyUpkeep {
  private static final Logger LOG = LoggerFactory.getLogger(CopyUpkeep.class);

  /** What to do after the upkeep. */
  sealed interface Next {
    /** Write this status (or nothing, when empty). */
    record Status(Optional<ImageCopyStatus> status) implements Next {}

    /** Copy again: the tag moved and the policy follows it. */
    record Follow(ImageCopyStatus status) implements Next {}

    /** The copy was retired and its ImageCopy deleted. */
    record Retired() implements Next {}
  }

  private final KubernetesClient client;
  private final Workloads workloads;
  private final ImageCopies copies;
  private final UpstreamMonitor monitor;
  private final RegistryAccess access;
  private final EventRecorder events;

  public CopyUpkeep(KubernetesClient client, Workloads workloads, ImageCopies copies, UpstreamMonitor monitor,
      RegistryAccess access, EventRecorder events) {
    this.client = client;
    this.workloads = workloads;
    this.copies = copies;
    this.monitor = monitor;
    this.access = access;
    this.events = events;
  }

  Next ready(ImageCopy copy, Policy policy, ImageReference source, int usedBy, RegistryCredentials credentials,
      MirrorRules rules, Instant now) {
    ImagePolicySpec spec = policy.spec();
    Duration retention = Durations.parse(spec.retention(), "spec.retention");
    boolean inUse = workloads.inUse(source);
    if (Retention.expired(copy, inUse, retention, now)) {
      retire(copy, policy, credentials, rules);
      return new Next.Retired();
    }
    ImageCopyStatus status = CopyStatus.copyOf(copy);
    status.setUsedBy(usedBy);
    Retention.touch(copy, inUse, retention, now)
        .ifPresent(at -> status.setLastUsedAt(at.truncatedTo(ChronoUnit.SECONDS).toString()));
    Optional<UpstreamResult> result = monitor.takeResult(copy.getMetadata().getName());
    boolean follow = false;
    if (result.isPresent()) {
      ImageCopy checked = withStatus(copy, status);
      ImageCopyStatus after = UpstreamStatus.apply(checked, result.get());
      report(copy, source, UpstreamStatus.reason(copy), UpstreamStatus.state(checked, result.get()), after);
      status.setConditions(after.getConditions());
      status.setUpstreamCheckedAt(after.getUpstreamCheckedAt());
      status.setUpstreamSeenAt(after.getUpstreamSeenAt());
      follow = UpstreamStatus.state(checked, result.get()).equals(UpstreamResult.TAG_MOVED)
          && spec.tagMode() == ImagePolicySpec.TagMode.Follow;
    }
    if (!monitor.isPlanned(copy.getMetadata().getName())) {
      Duration interval = Durations.parse(spec.upstream().interval(), "spec.upstream.interval");
      Instant last = Optional.ofNullable(status.getUpstreamCheckedAt()).or(() -> Optional.ofNullable(
          status.getVerifiedAt())).map(Instant::parse).orElse(now);
      Instant due = last.plus(interval).isBefore(now) ? now : last.plus(interval);
      monitor.plan(new UpstreamMonitor.Check(copy.getMetadata().getName(), source, policy, credentials,
          copy.getSpec().getPullSecrets(), rules), due);
    }
    if (follow) {
      return new Next.Follow(status);
    }
    return new Next.Status(same(copy.getStatus(), status) ? Optional.empty() : Optional.of(status));
  }

  private void report(ImageCopy copy, ImageReference source, Optional<String> before, String now,
      ImageCopyStatus after) {
    if (before.orElse(UpstreamResult.AVAILABLE).equals(now)) {
      return;
    }
    String message = "upstream " + source + ": " + now + ": " + dev.holdfast.operator.api.Conditions
        .get(after.getConditions(), UpstreamStatus.CONDITION).map(c -> c.getMessage()).orElse("");
    if (now.equals(UpstreamResult.AVAILABLE)) {
      events.normal(copy, "UpstreamAvailable", message);
    } else {
      events.warning(copy, "Upstream" + now, message);
      workloads.usersOf(source).forEach(w -> events.warning(w, "Upstream" + now, message
          + "; this workload is protected by its copy " + after.getCopy()));
    }
  }

  private void retire(ImageCopy copy, Policy policy, RegistryCredentials credentials, MirrorRules rules) {
    String name = copy.getMetadata().getName();
    monitor.forget(name);
    if (policy.spec().deletesFromRegistry() && copy.getStatus() != null && copy.getStatus().getCopy() != null) {
      deleteFromRegistry(copy, policy, credentials, rules);
    }
    events.normal(copy, "Retired", "no workload has used " + copy.getSpec().getSource() + " for "
        + policy.spec().retention() + ": the ImageCopy is deleted");
    client.resource(copy).delete();
    LOG.info("Retired ImageCopy {} ({}): unused for {}", name, copy.getSpec().getSource(), policy.spec().retention());
  }

  // The tag goes; the manifest only where nothing else needs it: no other tag in the repository and
  // no other ImageCopy points at it.
  private void deleteFromRegistry(ImageCopy copy, Policy policy, RegistryCredentials credentials, MirrorRules rules) {
    ImageReference reference = ImageReference.parse(copy.getStatus().getCopy());
    ImageReference tag = reference.withoutDigest();
    try (RegistryClient registry = access.client(policy, credentials, List.of(), rules, List.of(), "holdfast-operator")) {
      boolean sharedByCopy = copies.all().filter(other -> other != copy && other.getStatus() != null
              && other.getStatus().getCopy() != null
              && !other.getMetadata().getName().equals(copy.getMetadata().getName()))
          .map(other -> ImageReference.parse(other.getStatus().getCopy()))
          .anyMatch(other -> other.name().equals(reference.name()) && other.digest().equals(reference.digest()));
      boolean sharedByTag = registry.listTags(reference.withoutTag().withoutDigest()).stream()
          .filter(other -> !Optional.of(other).equals(tag.tag()))
          .anyMatch(other -> registry.headManifest(reference.withoutDigest().withTag(other))
              .map(d -> Optional.of(d.digest()).equals(reference.digest())).orElse(false));
      RegistryClient.Deletion deleted = tag.tag().isPresent() ? registry.deleteManifest(tag)
          : RegistryClient.Deletion.UNSUPPORTED;
      if (deleted == RegistryClient.Deletion.UNSUPPORTED && !sharedByCopy && !sharedByTag) {
        deleted = registry.deleteManifest(reference.withoutTag());
      }
      LOG.info("Retiring {}: {} ({})", reference, deleted, sharedByCopy || sharedByTag
          ? "its manifest is shared and kept" : "nothing else names its manifest");
    } catch (RuntimeException e) {
      LOG.warn("Retiring {}: deleting it at the destination failed: {}", reference, e.getMessage());
    }
  }

  private static ImageCopy withStatus(ImageCopy copy, ImageCopyStatus status) {
    ImageCopy view = ImageCopy.of(copy.getMetadata().getName(), copy.getSpec());
    view.setMetadata(copy.getMetadata());
    view.setStatus(status);
    return view;
  }

  private static boolean same(ImageCopyStatus a, ImageCopyStatus b) {
    return a != null && Objects.equals(a.getUsedBy(), b.getUsedBy())
        && Objects.equals(a.getLastUsedAt(), b.getLastUsedAt())
        && Objects.equals(a.getUpstreamCheckedAt(), b.getUpstreamCheckedAt())
        && Objects.equals(a.getConditions(), b.getConditions());
  }
}
