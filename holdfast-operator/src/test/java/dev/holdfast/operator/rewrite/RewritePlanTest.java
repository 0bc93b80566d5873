package dev.holdfast.operator.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.ImagePolicySpec.ReferenceForm;
import dev.holdfast.operator.workload.ImageField;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a Pod spec must become, given its sources and the verified copies. */
class RewritePlanTest {
  private static final String SHA = "sha256:" + "d".repeat(64);
  private static final String DEST = "copies.example.com/keep/";

  private static WorkloadSources.Source source(String key, String image) {
    return new WorkloadSources.Source(new ImageField(key, "/containers/0/image", image), image,
        ImageReference.parse(image));
  }

  /** A source whose field already names a copy; {@code original} is what it held before. */
  private static WorkloadSources.Source copied(String key, String fieldImage, String original) {
    return new WorkloadSources.Source(new ImageField(key, "/containers/0/image", fieldImage), original,
        ImageReference.parse(original));
  }

  /** The verified copy of a source: the destination name, its tag if any, and the digest. */
  private static ImageReference copyOf(ImageReference source) {
    String tag = source.tag().map(t -> ":" + t).orElse(":digest-sha256-" + "d".repeat(64));
    return ImageReference.parse(DEST + source.name() + tag + "@" + SHA);
  }

  private static final Function<ImageReference, Optional<ImageReference>> ALL_VERIFIED =
      source -> Optional.of(copyOf(source));

  private static Function<ImageReference, Optional<ImageReference>> verifiedExcept(String... unverified) {
    List<ImageReference> missing = java.util.Arrays.stream(unverified).map(ImageReference::parse).toList();
    return source -> missing.contains(source) ? Optional.empty() : Optional.of(copyOf(source));
  }

  // --- render ---

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      TagAndDigest | nginx:1.27          | copies.example.com/keep/docker.io/library/nginx:1.27@SHA
      Digest       | nginx:1.27          | copies.example.com/keep/docker.io/library/nginx@SHA
      TagAndDigest | nginx:1.27@SHA      | copies.example.com/keep/docker.io/library/nginx:1.27@SHA
      Digest       | nginx:1.27@SHA      | copies.example.com/keep/docker.io/library/nginx@SHA
      TagAndDigest | nginx@SHA           | copies.example.com/keep/docker.io/library/nginx@SHA
      Digest       | nginx@SHA           | copies.example.com/keep/docker.io/library/nginx@SHA
      """)
  void render(ReferenceForm form, String source, String expected) {
    ImageReference reference = ImageReference.parse(source.replace("SHA", SHA));

    assertThat(RewritePlan.render(copyOf(reference), reference, form)).isEqualTo(expected.replace("SHA", SHA));
  }

  @Test
  void aDigestOnlySourceNeverShowsTheCopysSyntheticTag() {
    ImageReference source = ImageReference.parse("nginx@" + SHA);

    String rendered = RewritePlan.render(copyOf(source), source, ReferenceForm.TagAndDigest);

    assertThat(rendered).doesNotContain("digest-sha256").endsWith("@" + SHA);
  }

  @Test
  void renderedImagesParseBackToTheCopy() {
    ImageReference source = ImageReference.parse("ghcr.io/acme/app:2");
    for (ReferenceForm form : ReferenceForm.values()) {
      ImageReference rendered = ImageReference.parse(RewritePlan.render(copyOf(source), source, form));
      assertThat(rendered.name()).isEqualTo(copyOf(source).name());
      assertThat(rendered.digest()).isEqualTo(copyOf(source).digest());
    }
  }

  // --- up to date, waiting, rewrite ---

  @Test
  void noSourcesMeanNothingToDo() {
    assertThat(RewritePlan.of(List.of(), ALL_VERIFIED, ReferenceForm.TagAndDigest, Optional.of("holdfast-pull"),
        List.of())).isInstanceOf(RewritePlan.UpToDate.class);
  }

  @Test
  void everyVerifiedSourceIsRewrittenAndItsOriginalRecorded() {
    List<WorkloadSources.Source> sources = List.of(source("containers/web", "nginx:1.27"),
        source("initContainers/migrate", "ghcr.io/acme/migrate:2"));

    RewritePlan plan = RewritePlan.of(sources, ALL_VERIFIED, ReferenceForm.TagAndDigest, Optional.empty(),
        List.of());

    assertThat(plan).isInstanceOfSatisfying(RewritePlan.Rewrite.class, rewrite -> {
      assertThat(rewrite.changes()).extracting(c -> c.field().key() + " -> " + c.image()).containsExactly(
          "containers/web -> " + DEST + "docker.io/library/nginx:1.27@" + SHA,
          "initContainers/migrate -> " + DEST + "ghcr.io/acme/migrate:2@" + SHA);
      assertThat(rewrite.originals()).isEqualTo(Map.of("containers/web", "nginx:1.27",
          "initContainers/migrate", "ghcr.io/acme/migrate:2"));
      assertThat(rewrite.addPullSecret()).isEmpty();
    });
  }

  @Test
  void nothingChangesUntilEverySourceIsVerified() {
    List<WorkloadSources.Source> sources = List.of(source("containers/a", "nginx:1.27"),
        source("containers/b", "redis:7"), source("containers/c", "docker.io/library/redis:7"),
        source("containers/d", "busybox:1.36"));

    RewritePlan plan = RewritePlan.of(sources, verifiedExcept("redis:7", "busybox:1.36"), ReferenceForm.TagAndDigest,
        Optional.of("holdfast-pull"), List.of());

    assertThat(plan).isEqualTo(new RewritePlan.Waiting(List.of(ImageReference.parse("redis:7"),
        ImageReference.parse("busybox:1.36"))));
  }

  @Test
  void aSpecThatAlreadyNamesEveryCopyIsUpToDate() {
    String copy = DEST + "docker.io/library/nginx:1.27@" + SHA;
    List<WorkloadSources.Source> sources = List.of(copied("containers/web", copy, "nginx:1.27"));

    assertThat(RewritePlan.of(sources, ALL_VERIFIED, ReferenceForm.TagAndDigest, Optional.empty(), List.of()))
        .isInstanceOf(RewritePlan.UpToDate.class);
    assertThat(RewritePlan.of(sources, ALL_VERIFIED, ReferenceForm.TagAndDigest, Optional.of("holdfast-pull"),
        List.of("other", "holdfast-pull"))).isInstanceOf(RewritePlan.UpToDate.class);
  }

  @Test
  void aMissingPullSecretAloneIsARewrite() {
    String copy = DEST + "docker.io/library/nginx:1.27@" + SHA;
    List<WorkloadSources.Source> sources = List.of(copied("containers/web", copy, "nginx:1.27"));

    RewritePlan plan = RewritePlan.of(sources, ALL_VERIFIED, ReferenceForm.TagAndDigest,
        Optional.of("holdfast-pull"), List.of("registry-creds"));

    assertThat(plan).isEqualTo(new RewritePlan.Rewrite(List.of(), Map.of("containers/web", "nginx:1.27"),
        Optional.of("holdfast-pull")));
  }

  @Test
  void aChangedReferenceFormRewritesFieldsThatNameCopiesAlready() {
    String withTag = DEST + "docker.io/library/nginx:1.27@" + SHA;
    List<WorkloadSources.Source> sources = List.of(copied("containers/web", withTag, "nginx:1.27"));

    RewritePlan plan = RewritePlan.of(sources, ALL_VERIFIED, ReferenceForm.Digest, Optional.empty(), List.of());

    assertThat(plan).isInstanceOfSatisfying(RewritePlan.Rewrite.class, rewrite -> {
      assertThat(rewrite.changes()).singleElement()
          .satisfies(c -> assertThat(c.image()).isEqualTo(DEST + "docker.io/library/nginx@" + SHA));
      assertThat(rewrite.originals()).containsEntry("containers/web", "nginx:1.27");
    });
  }

  @Test
  void theOriginalsCoverUnchangedFieldsToo() {
    // The annotation is rewritten whole, so a field already pointing at its copy keeps its original.
    String copy = DEST + "docker.io/library/nginx:1.27@" + SHA;
    List<WorkloadSources.Source> sources = List.of(copied("containers/web", copy, "nginx:1.27"),
        source("containers/cache", "redis:7"));

    RewritePlan plan = RewritePlan.of(sources, ALL_VERIFIED, ReferenceForm.TagAndDigest, Optional.empty(),
        List.of());

    assertThat(plan).isInstanceOfSatisfying(RewritePlan.Rewrite.class, rewrite -> {
      assertThat(rewrite.changes()).extracting(c -> c.field().key()).containsExactly("containers/cache");
      assertThat(rewrite.originals()).isEqualTo(Map.of("containers/web", "nginx:1.27", "containers/cache", "redis:7"));
    });
  }

  @Test
  void theOriginalIsKeptAsWrittenNotNormalised() {
    List<WorkloadSources.Source> sources = List.of(source("containers/web", "nginx"));

    RewritePlan plan = RewritePlan.of(sources, ALL_VERIFIED, ReferenceForm.TagAndDigest, Optional.empty(),
        List.of());

    assertThat(plan).isInstanceOfSatisfying(RewritePlan.Rewrite.class,
        rewrite -> assertThat(rewrite.originals()).containsEntry("containers/web", "nginx"));
  }

  @Test
  void theSameSourceInSeveralFieldsIsRewrittenEverywhereAndWaitedForOnce() {
    List<WorkloadSources.Source> sources = List.of(source("containers/a", "nginx:1.27"),
        source("initContainers/a", "docker.io/library/nginx:1.27"));

    RewritePlan rewrite = RewritePlan.of(sources, ALL_VERIFIED, ReferenceForm.TagAndDigest, Optional.empty(),
        List.of());
    RewritePlan waiting = RewritePlan.of(sources, s -> Optional.empty(), ReferenceForm.TagAndDigest,
        Optional.empty(), List.of());

    assertThat(rewrite).isInstanceOfSatisfying(RewritePlan.Rewrite.class, r -> {
      assertThat(r.changes()).extracting(RewritePlan.Change::image).containsOnly(
          DEST + "docker.io/library/nginx:1.27@" + SHA).hasSize(2);
      assertThat(r.originals()).isEqualTo(Map.of("containers/a", "nginx:1.27",
          "initContainers/a", "docker.io/library/nginx:1.27"));
    });
    assertThat(waiting).isEqualTo(new RewritePlan.Waiting(List.of(ImageReference.parse("nginx:1.27"))));
  }

  @Test
  void aPlanIsImmutable() {
    RewritePlan plan = RewritePlan.of(List.of(source("containers/a", "nginx:1.27")), ALL_VERIFIED,
        ReferenceForm.TagAndDigest, Optional.empty(), List.of());

    assertThat(plan).isInstanceOfSatisfying(RewritePlan.Rewrite.class, rewrite -> {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> rewrite.changes().clear())
          .isInstanceOf(UnsupportedOperationException.class);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> rewrite.originals().clear())
          .isInstanceOf(UnsupportedOperationException.class);
    });
  }
}
