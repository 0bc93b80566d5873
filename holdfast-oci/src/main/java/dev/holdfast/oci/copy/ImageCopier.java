package dev.holdfast.oci.copy;

import dev.holdfast.oci.layout.OciLayout;
import dev.holdfast.oci.layout.OciLayoutException;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageIndex;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.manifest.Platform;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.registry.RegistryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Copies one image: picks the first source that has it, skips it when the destination tag already
 * points at the same digest, applies the platform filter, copies the manifest tree (blobs, then
 * child manifests, then the index) and moves the tag last; then, if asked, the referrers.
 */
final class ImageCopier {
  private static final List<String> COSIGN_SUFFIXES = List.of("", ".sig", ".att", ".sbom");

  private final Transfers transfers;
  private final Function<ImageLocation, ImageSource> sources;
  private final Function<ImageLocation, ImageSink> sinks;

  ImageCopier(Transfers transfers, Function<ImageLocation, ImageSource> sources,
      Function<ImageLocation, ImageSink> sinks) {
    this.transfers = transfers;
    this.sources = sources;
    this.sinks = sinks;
  }

  CopyResult copy(CopyRequest request) {
    long start = System.nanoTime();
    Tally tally = new Tally();
    ImageSource source = null;
    try {
      // The destination is asked first when asking creates nothing (a registry, or a layout that
      // exists). When it has no such tag, the source's manifest is needed anyway and is read in one
      // GET; only when it has one is the source's tag resolved with a HEAD, to compare the digests.
      ImageSink sink = canOpenFirst(request.destination()) ? sinks.apply(request.destination()) : null;
      Optional<Descriptor> current = sink == null ? Optional.empty() : sink.current();
      List<Platform> platforms = request.options().platforms();
      Manifest manifest;
      if (platforms.isEmpty() && current.isPresent()) {
        Found<Descriptor> top = first(request, ImageSource::resolve);
        source = top.source();
        if (sameDigest(current, top.value().digest())) {
          copyReferrers(new Transfers.Job(request, source, sink, tally), List.of(top.value().digest()), null);
          return new CopyResult.AlreadyPresent(request, source.location(), top.value().digest(), tally.snapshot(),
              since(start));
        }
        manifest = source.manifest(top.value());
      } else {
        Found<Manifest> top = first(request, ImageSource::fetch);
        source = top.source();
        manifest = top.value();
      }
      if (sink == null) {
        sink = sinks.apply(request.destination()); // after the source: no empty layout on failure
      }
      Transfers.Job job = new Transfers.Job(request, source, sink, tally);
      Manifest target = filter(request, manifest);
      boolean changed = !target.digest().equals(manifest.digest());
      if (changed && sameDigest(current, target.digest())) {
        return new CopyResult.AlreadyPresent(request, source.location(), target.digest(), tally.snapshot(), since(start));
      }
      requireDigestOfDestination(request, target.digest());
      // Everything the image refers to first; the manifest and its tag last, so no tag ever points
      // at an incomplete image.
      transfers.copyContents(job, target);
      sink.putAndTag(target);
      job.tally().manifests.incrementAndGet();
      job.tally().bytes.addAndGet(target.size());
      List<Digest> subjects = new ArrayList<>();
      if (!changed) {
        subjects.add(target.digest());
      }
      copyReferrers(job, subjects, target);
      return new CopyResult.Copied(request, source.location(), target.digest(), manifest.digest(), changed,
          tally.snapshot(), since(start));
    } catch (RuntimeException e) {
      return new CopyResult.Failed(request, Optional.ofNullable(source).map(ImageSource::location), e,
          tally.snapshot(), since(start));
    }
  }

  /** Whether opening the destination before the source creates nothing: a registry, or a layout that exists. */
  private static boolean canOpenFirst(ImageLocation destination) {
    return !(destination instanceof ImageLocation.Layout layout) || OciLayout.exists(layout.directory());
  }

  private record Found<T>(ImageSource source, T value) {}

  /**
   * What {@code lookup} finds in the first source that has the image; the next source is asked when
   * one is unreachable or lacks it.
   */
  private <T> Found<T> first(CopyRequest request, Function<ImageSource, Optional<T>> lookup) {
    List<String> failures = new ArrayList<>();
    RuntimeException last = null;
    for (ImageLocation candidate : request.sources()) {
      try {
        ImageSource source = sources.apply(candidate);
        Optional<T> found = lookup.apply(source);
        if (found.isPresent()) {
          return new Found<>(source, found.get());
        }
        failures.add(candidate + ": no such image");
      } catch (RegistryException | OciLayoutException e) {
        failures.add(candidate + ": " + e.getMessage());
        last = e;
      }
    }
    boolean single = request.sources().size() == 1 && request.sources().get(0).equals(request.source());
    String message = single
        ? "read " + request.source() + ": " + failures.get(0).substring(request.source().toString().length() + 2)
        : "no source could serve " + request.source() + ": " + String.join("; ", failures);
    throw new CopyException.SourceUnavailable(message, last);
  }

  /** The index with only the requested platforms; the manifest itself when nothing is dropped. */
  private static Manifest filter(CopyRequest request, Manifest manifest) {
    List<Platform> platforms = request.options().platforms();
    if (platforms.isEmpty() || !(manifest instanceof ImageIndex index)) {
      return manifest;
    }
    List<Descriptor> kept = index.manifests().stream()
        .filter(d -> d.platform().isPresent() && platforms.stream().anyMatch(p -> p.matches(d.platform().get())))
        .toList();
    if (kept.isEmpty()) {
      throw new CopyException.NoMatchingPlatform("no platform of " + request.source() + " matches " + platforms
          + "; it has " + index.manifests().stream().map(d -> d.platform().map(Platform::toString).orElse("?")).toList());
    }
    return kept.size() == index.manifests().size() ? manifest : index.withManifests(kept);
  }

  private static void requireDigestOfDestination(CopyRequest request, Digest digest) {
    if (request.destination() instanceof ImageLocation.Registry registry
        && registry.reference().digest().isPresent() && !registry.reference().digest().get().equals(digest)) {
      throw new CopyException("copy " + request.source() + " to " + request.destination() + ": the image has digest "
          + digest + ", not the destination's " + registry.reference().digest().get());
    }
  }

  /**
   * Copies what refers to the subjects (and, for an index, to its children): the OCI referrers,
   * and the tags {@code <alg>-<hex>} (the referrers tag schema) and cosign's {@code .sig}, {@code
   * .att} and {@code .sbom}.
   */
  private void copyReferrers(Transfers.Job job, List<Digest> topSubjects, Manifest copied) {
    if (!job.request().options().withReferrers()) {
      return;
    }
    Set<Digest> subjects = new LinkedHashSet<>(topSubjects);
    if (copied instanceof ImageIndex index) {
      index.manifests().forEach(d -> subjects.add(d.digest()));
    } else if (copied == null && !topSubjects.isEmpty()) {
      // already present: look at the children too
      Manifest top = job.source().manifest(job.source().resolve().orElseThrow());
      if (top instanceof ImageIndex index) {
        index.manifests().forEach(d -> subjects.add(d.digest()));
      }
    }
    if (subjects.isEmpty()) {
      return;
    }
    Set<String> tags = new LinkedHashSet<>(job.source().siblingTags());
    Set<Digest> referrers = new LinkedHashSet<>();
    for (Digest subject : subjects) {
      for (String suffix : COSIGN_SUFFIXES) {
        String tag = subject.algorithm() + "-" + subject.encoded() + suffix;
        if (tags.contains(tag)) {
          copyTag(job, tag);
        }
      }
      for (Descriptor referrer : job.source().referrers(subject)) {
        if (referrers.add(referrer.digest())) {
          transfers.copyManifest(job, referrer, null);
          job.tally().referrers.incrementAndGet();
        }
      }
    }
  }

  private void copyTag(Transfers.Job job, String tag) {
    ImageSource source = job.source().sibling(tag);
    ImageSink sink = job.sink().sibling(tag);
    Optional<Descriptor> top = source.resolve();
    if (top.isEmpty() || sameDigest(sink.current(), top.get().digest())) {
      return;
    }
    Manifest manifest = source.manifest(top.get());
    Transfers.Job tagJob = new Transfers.Job(job.request(), source, sink, job.tally());
    transfers.copyManifest(tagJob, manifest.descriptor(), manifest);
    sink.tag(manifest);
    job.tally().referrers.incrementAndGet();
  }

  private static boolean sameDigest(Optional<Descriptor> current, Digest digest) {
    return current.isPresent() && current.get().digest().equals(digest);
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
