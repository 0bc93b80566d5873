package dev.holdfast.operator.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.ImagePolicySpec.Destination;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.workload.ImageField;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The source behind each image field: the field itself, the recorded original of a copy, or
 * nothing (left alone or invalid). The policy copies to {@code copies.example.com/keep}, includes
 * everything but {@code *:latest} by default.
 */
class WorkloadSourcesTest {
  private static final String SHA = "sha256:" + "c".repeat(64);
  private static final Policy POLICY = policy(List.of(), List.of());

  private static Policy policy(List<String> include, List<String> exclude) {
    return Policy.of("p", new ImagePolicySpec(Destination.of("copies.example.com", "keep"), null, null, include,
        exclude, null, null, null, null), 1);
  }

  private static ImageField field(String name, String image) {
    return new ImageField("containers/" + name, "/containers/0/image", image);
  }

  private static String copyOf(String source) {
    return POLICY.destinationFor(ImageReference.parse(source)).withDigest(
        dev.holdfast.oci.reference.Digest.parse(SHA)).toString();
  }

  // --- one field each ---

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      nginx                              | docker.io/library/nginx:latest
      nginx:1.27                         | docker.io/library/nginx:1.27
      index.docker.io/bitnami/redis:7    | docker.io/bitnami/redis:7
      ghcr.io/acme/app@SHA               | ghcr.io/acme/app@SHA
      ghcr.io/acme/app:2@SHA             | ghcr.io/acme/app:2@SHA
      localhost:5000/app:1               | localhost:5000/app:1
      copies.example.com/other/app:1     | copies.example.com/other/app:1
      """)
  void aFieldOutsideTheDestinationIsItsOwnSource(String image, String normalised) {
    ImageField field = field("web", image.replace("SHA", SHA));

    WorkloadSources sources = WorkloadSources.of(List.of(field), Map.of(), POLICY);

    assertThat(sources.sources()).containsExactly(new WorkloadSources.Source(field, image.replace("SHA", SHA),
        ImageReference.parse(normalised.replace("SHA", SHA))));
    assertThat(sources.invalid()).isEmpty();
    assertThat(sources.leftAlone()).isEmpty();
  }

  @Test
  void aCopyWithARecordedOriginalHasThatOriginalAsSourceAsWritten() {
    ImageField field = field("web", copyOf("nginx:1.27"));

    WorkloadSources sources = WorkloadSources.of(List.of(field), Map.of("containers/web", "nginx:1.27"), POLICY);

    assertThat(sources.sources()).singleElement().satisfies(s -> {
      assertThat(s.field()).isEqualTo(field);
      assertThat(s.original()).isEqualTo("nginx:1.27");
      assertThat(s.reference()).isEqualTo(ImageReference.parse("docker.io/library/nginx:1.27"));
    });
  }

  @Test
  void anImageAtTheDestinationWithoutOriginalIsLeftAlone() {
    // Something the team keeps at the destination itself.
    ImageField own = field("web", "copies.example.com/keep/team/app:3");
    ImageField copy = field("side", copyOf("nginx:1.27"));

    WorkloadSources sources = WorkloadSources.of(List.of(own, copy), Map.of("containers/other", "redis:7"), POLICY);

    assertThat(sources.sources()).isEmpty();
    assertThat(sources.leftAlone()).containsExactly(own, copy);
  }

  @Test
  void anOriginalIsIgnoredForAFieldOutsideTheDestination() {
    // The user changed the image back to a public one; the field is its own source again.
    ImageField field = field("web", "nginx:1.28");

    WorkloadSources sources = WorkloadSources.of(List.of(field), Map.of("containers/web", "nginx:1.27"), POLICY);

    assertThat(sources.references()).containsExactly(ImageReference.parse("nginx:1.28"));
    assertThat(sources.sources().get(0).original()).isEqualTo("nginx:1.28");
  }

  // --- the policy's patterns apply to the source, not to the copy ---

  @Test
  void sourcesNotSelectedByThePatternsAreLeftAlone() {
    Policy policy = policy(List.of("docker.io/library/*"), List.of("*:latest"));
    ImageField included = field("web", "nginx:1.27");
    ImageField latest = field("latest", "nginx");
    ImageField elsewhere = field("app", "ghcr.io/acme/app:1");

    WorkloadSources sources = WorkloadSources.of(List.of(included, latest, elsewhere), Map.of(), policy);

    assertThat(sources.sources()).extracting(WorkloadSources.Source::field).containsExactly(included);
    assertThat(sources.leftAlone()).containsExactly(latest, elsewhere);
  }

  @Test
  void theRecordedOriginalIsWhatThePatternsSee() {
    Policy policy = policy(List.of("docker.io/library/*"), List.of());
    ImageField field = new ImageField("containers/web", "/containers/0/image",
        policy.destinationFor(ImageReference.parse("nginx:1.27")).toString());

    WorkloadSources sources = WorkloadSources.of(List.of(field), Map.of("containers/web", "nginx:1.27"), policy);

    assertThat(sources.references()).containsExactly(ImageReference.parse("nginx:1.27"));
  }

  // --- invalid references: reported, never a crash ---

  @ParameterizedTest(name = "\"{0}\"")
  @CsvSource(delimiter = '|', textBlock = """
      NGINX:1.27
      nginx:1.27 extra
      {{ .Values.image }}
      ${IMAGE}
      nginx@sha256:abc
      nginx:-bad
      ghcr.io//app:1
      """)
  void anInvalidImageIsReportedWithItsProblem(String image) {
    ImageField field = field("web", image);

    WorkloadSources sources = WorkloadSources.of(List.of(field), Map.of(), POLICY);

    assertThat(sources.sources()).isEmpty();
    assertThat(sources.leftAlone()).isEmpty();
    assertThat(sources.invalid()).singleElement().satisfies(i -> {
      assertThat(i.field()).isEqualTo(field);
      assertThat(i.image()).isEqualTo(image);
      assertThat(i.problem()).isNotBlank();
      assertThat(i.toString()).startsWith("containers/web: \"" + image + "\": ");
    });
  }

  @Test
  void anInvalidRecordedOriginalIsReportedAsTheInvalidImage() {
    ImageField field = field("web", copyOf("nginx:1.27"));

    WorkloadSources sources = WorkloadSources.of(List.of(field), Map.of("containers/web", "Not Valid"), POLICY);

    assertThat(sources.sources()).isEmpty();
    assertThat(sources.invalid()).singleElement().satisfies(i -> assertThat(i.image()).isEqualTo("Not Valid"));
  }

  @Test
  void oneInvalidFieldDoesNotHideTheOthers() {
    ImageField bad = field("bad", "UPPER:1");
    ImageField good = field("good", "redis:7");

    WorkloadSources sources = WorkloadSources.of(List.of(bad, good), Map.of(), POLICY);

    assertThat(sources.invalid()).extracting(WorkloadSources.Invalid::field).containsExactly(bad);
    assertThat(sources.sources()).extracting(WorkloadSources.Source::field).containsExactly(good);
  }

  // --- several fields ---

  @Test
  void referencesAreDistinctInFieldOrder() {
    List<ImageField> fields = List.of(field("a", "redis:7"), field("b", "nginx:1.27"),
        field("c", "docker.io/library/redis:7"), field("d", copyOf("busybox:1.36")));

    WorkloadSources sources = WorkloadSources.of(fields, Map.of("containers/d", "busybox:1.36"), POLICY);

    assertThat(sources.sources()).hasSize(4);
    assertThat(sources.references()).containsExactly(ImageReference.parse("redis:7"),
        ImageReference.parse("nginx:1.27"), ImageReference.parse("busybox:1.36"));
  }

  @Test
  void noFieldsGiveNothing() {
    WorkloadSources sources = WorkloadSources.of(List.of(), Map.of(), POLICY);

    assertThat(sources.sources()).isEmpty();
    assertThat(sources.invalid()).isEmpty();
    assertThat(sources.leftAlone()).isEmpty();
    assertThat(sources.references()).isEmpty();
  }

  @Test
  void theListsAreImmutable() {
    WorkloadSources sources = WorkloadSources.of(List.of(field("a", "redis:7")), Map.of(), POLICY);

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> sources.sources().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  // --- the copies the operator recorded (holdfast.dev/copy-images) ---

  @Test
  void aFieldStillNamingItsRecordedCopyHasItsOriginalAsSource() {
    String copy = copyOf("nginx:1.27");
    ImageField field = field("web", copy);

    WorkloadSources sources = WorkloadSources.of(List.of(field), Map.of("containers/web", "nginx:1.27"),
        Map.of("containers/web", copy), POLICY);

    assertThat(sources.sources()).containsExactly(
        new WorkloadSources.Source(field, "nginx:1.27", ImageReference.parse("nginx:1.27")));
  }

  @Test
  void aFieldSomeonePointedAtAnotherImageUnderTheDestinationIsTheirsAndLeftAlone() {
    String theirs = "copies.example.com/keep/team/own-build:7";
    ImageField field = field("web", theirs);

    WorkloadSources sources = WorkloadSources.of(List.of(field), Map.of("containers/web", "nginx:1.27"),
        Map.of("containers/web", copyOf("nginx:1.27")), POLICY);

    assertThat(sources.sources()).isEmpty();
    assertThat(sources.leftAlone()).containsExactly(field);
    assertThat(sources.kept()).isEmpty();
  }

  @Test
  void aCopiedFieldThePatternsNoLongerSelectKeepsItsOriginalForRestore() {
    Policy excluding = policy(List.of(), List.of("docker.io/library/nginx"));
    String copy = excluding.destinationFor(ImageReference.parse("nginx:1.27"))
        .withDigest(dev.holdfast.oci.reference.Digest.parse(SHA)).toString();
    ImageField field = field("web", copy);

    WorkloadSources sources = WorkloadSources.of(List.of(field), Map.of("containers/web", "nginx:1.27"),
        Map.of("containers/web", copy), excluding);

    assertThat(sources.sources()).isEmpty();
    assertThat(sources.leftAlone()).containsExactly(field);
    assertThat(sources.kept()).containsExactly(Map.entry("containers/web", "nginx:1.27"));
  }
}
