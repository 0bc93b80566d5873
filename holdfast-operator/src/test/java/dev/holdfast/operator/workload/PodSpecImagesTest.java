package dev.holdfast.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which image fields a Pod spec has: keys, JSON pointers and values, for every place an image can be named. */
class PodSpecImagesTest {

  private static ImageField field(String key, String pointer, String image) {
    return new ImageField(key, pointer, image);
  }

  // --- every kind of field, with its key and pointer ---

  @Test
  void everyKindOfFieldIsFoundWithItsKeyAndPointer() {
    PodSpec spec = new PodSpecBuilder()
        .addNewInitContainer().withName("migrate").withImage("ghcr.io/acme/migrate:2").endInitContainer()
        .addNewInitContainer().withName("wait").withImage("busybox:1.36").endInitContainer()
        .addNewContainer().withName("web").withImage("nginx:1.27").endContainer()
        .addNewContainer().withName("sidecar").withImage("envoyproxy/envoy:v1.31").endContainer()
        .addNewEphemeralContainer().withName("debug").withImage("alpine:3.20").endEphemeralContainer()
        .addNewVolume().withName("config").withNewConfigMap().withName("cfg").endConfigMap().endVolume()
        .addNewVolume().withName("models").withNewImage().withReference("ghcr.io/acme/models:7").endImage().endVolume()
        .build();

    assertThat(PodSpecImages.of(spec)).containsExactly(
        field("initContainers/migrate", "/initContainers/0/image", "ghcr.io/acme/migrate:2"),
        field("initContainers/wait", "/initContainers/1/image", "busybox:1.36"),
        field("containers/web", "/containers/0/image", "nginx:1.27"),
        field("containers/sidecar", "/containers/1/image", "envoyproxy/envoy:v1.31"),
        field("ephemeralContainers/debug", "/ephemeralContainers/0/image", "alpine:3.20"),
        field("volumes/models", "/volumes/1/image/reference", "ghcr.io/acme/models:7"));
  }

  @Test
  void theImageIsReportedExactlyAsWrittenNotNormalised() {
    PodSpec spec = new PodSpecBuilder()
        .addNewContainer().withName("web").withImage("nginx").endContainer()
        .addNewContainer().withName("pinned").withImage("redis@sha256:" + "a".repeat(64)).endContainer()
        .build();

    assertThat(PodSpecImages.of(spec)).extracting(ImageField::image)
        .containsExactly("nginx", "redis@sha256:" + "a".repeat(64));
  }

  @Test
  void thePointerCountsEveryEntryOfTheListIncludingThoseWithoutAnImage() {
    // The pointer must address the entry in the real list, so skipped entries still count.
    PodSpec spec = new PodSpecBuilder()
        .addNewContainer().withName("blank").withImage("").endContainer()
        .addNewContainer().withName("web").withImage("nginx:1.27").endContainer()
        .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
        .addNewVolume().withName("noref").withNewImage().endImage().endVolume()
        .addNewVolume().withName("models").withNewImage().withReference("ghcr.io/acme/models:7").endImage().endVolume()
        .build();

    assertThat(PodSpecImages.of(spec)).containsExactly(
        field("containers/web", "/containers/1/image", "nginx:1.27"),
        field("volumes/models", "/volumes/2/image/reference", "ghcr.io/acme/models:7"));
  }

  // --- absent, empty and blank: nothing, and no crash ---

  static Stream<Arguments> specsWithoutImages() {
    PodSpec nullLists = new PodSpec();
    nullLists.setContainers(null);
    nullLists.setInitContainers(null);
    nullLists.setEphemeralContainers(null);
    nullLists.setVolumes(null);
    List<io.fabric8.kubernetes.api.model.Container> withNullImage = new ArrayList<>();
    withNullImage.add(new ContainerBuilder().withName("web").build());
    return Stream.of(
        Arguments.of("null spec", null),
        Arguments.of("empty spec", new PodSpec()),
        Arguments.of("null lists", nullLists),
        Arguments.of("container without image", new PodSpecBuilder().withContainers(withNullImage).build()),
        Arguments.of("empty image", new PodSpecBuilder().addNewContainer().withName("w").withImage("")
            .endContainer().build()),
        Arguments.of("blank image", new PodSpecBuilder().addNewContainer().withName("w").withImage("  \t")
            .endContainer().build()),
        Arguments.of("blank ephemeral image", new PodSpecBuilder().withEphemeralContainers(
            new EphemeralContainerBuilder().withName("d").withImage(" ").build()).build()),
        Arguments.of("volume without image source", new PodSpecBuilder().withVolumes(
            new VolumeBuilder().withName("v").withNewSecret().withSecretName("s").endSecret().build()).build()),
        Arguments.of("image volume with blank reference", new PodSpecBuilder().withVolumes(
            new VolumeBuilder().withName("v").withNewImage().withReference(" ").endImage().build()).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specsWithoutImages")
  void specsWithoutImagesHaveNoFields(String name, PodSpec spec) {
    assertThat(PodSpecImages.of(spec)).isEmpty();
  }

  // --- invalid but must not crash ---

  @Test
  void anInvalidReferenceIsStillAFieldSoThatItCanBeReported() {
    // Parsing is WorkloadSources' job; this class only finds the fields.
    PodSpec spec = new PodSpecBuilder()
        .addNewContainer().withName("web").withImage("NGINX:Latest!").endContainer()
        .addNewContainer().withName("tpl").withImage("{{ .Values.image }}").endContainer()
        .build();

    assertThat(PodSpecImages.of(spec)).extracting(ImageField::image)
        .containsExactly("NGINX:Latest!", "{{ .Values.image }}");
  }

  @Test
  void aContainerWithoutANameStillYieldsItsImageAtTheRightPointer() {
    PodSpec spec = new PodSpecBuilder().addNewContainer().withImage("nginx:1.27").endContainer().build();

    List<ImageField> fields = PodSpecImages.of(spec);

    assertThat(fields).singleElement().satisfies(f -> {
      assertThat(f.pointer()).isEqualTo("/containers/0/image");
      assertThat(f.image()).isEqualTo("nginx:1.27");
      assertThat(f.key()).startsWith("containers/");
    });
  }

  @Test
  void theSameNameInDifferentListsGivesDistinctKeys() {
    PodSpec spec = new PodSpecBuilder()
        .addNewInitContainer().withName("app").withImage("a:1").endInitContainer()
        .addNewContainer().withName("app").withImage("b:1").endContainer()
        .addNewEphemeralContainer().withName("app").withImage("c:1").endEphemeralContainer()
        .build();

    assertThat(PodSpecImages.of(spec)).extracting(ImageField::key)
        .containsExactly("initContainers/app", "containers/app", "ephemeralContainers/app")
        .doesNotHaveDuplicates();
  }
}
