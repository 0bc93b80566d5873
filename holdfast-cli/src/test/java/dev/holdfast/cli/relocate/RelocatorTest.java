package dev.holdfast.cli.relocate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.cli.relocate.Relocator.Manifest;
import dev.holdfast.oci.reference.ImageReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelocatorTest {
  private static final String D = "@sha256:" + "d".repeat(64);

  /** Copies under r.example/keep for every source except those named "missing"; records each lookup. */
  static final class FakeCopies implements Copies {
    final List<ImageReference> asked = new ArrayList<>();

    @Override
    public boolean isCopy(ImageReference image) {
      return image.registry().equals("r.example") && image.repository().startsWith("keep/");
    }

    @Override
    public Lookup find(ImageReference source) {
      asked.add(source);
      if (source.repository().contains("missing")) {
        return new Missing("not found at r.example/keep/" + source.repository());
      }
      return new Found(ImageReference.parse("r.example/keep/" + source.name() + ":" + source.tag().orElse("x") + D));
    }
  }

  private static Relocator.Result relocate(FakeCopies copies, String... texts) {
    List<Manifest> manifests = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      manifests.add(new Manifest("m" + i + ".yaml", texts[i]));
    }
    return Relocator.relocate(manifests, copies, ReferenceForm.TagAndDigest);
  }

  private static String pod(String... images) {
    StringBuilder yaml = new StringBuilder("kind: Pod\nspec:\n  containers:\n");
    for (String image : images) {
      yaml.append("  - name: c\n    image: ").append(image).append("   # keep me\n");
    }
    return yaml.toString();
  }

  @Test
  void onlyTheImageScalarsChange() {
    Relocator.Result result = relocate(new FakeCopies(), pod("nginx:1.27", "'ghcr.io/org/app:v2'"));
    assertThat(result.manifests().get(0).text()).isEqualTo(pod(
        "r.example/keep/docker.io/library/nginx:1.27" + D, "'r.example/keep/ghcr.io/org/app:v2" + D + "'"));
    assertThat(result.count(Relocator.Rewritten.class)).isEqualTo(2);
  }

  @Test
  void eachDistinctSourceIsLookedUpOnceAcrossFiles() {
    FakeCopies copies = new FakeCopies();
    relocate(copies, pod("nginx:1.27", "docker.io/library/nginx:1.27"), pod("index.docker.io/library/nginx:1.27",
        "redis:7"));
    assertThat(copies.asked).map(ImageReference::toString)
        .containsExactly("docker.io/library/nginx:1.27", "docker.io/library/redis:7");
  }

  @Test
  void anImageThatNamesACopyIsLeftAsItIsAndNotLookedUp() {
    FakeCopies copies = new FakeCopies();
    String already = pod("r.example/keep/docker.io/library/nginx:1.27" + D, "r.example/keep/hand-made:1");
    Relocator.Result result = relocate(copies, already);
    assertThat(result.manifests().get(0).text()).isEqualTo(already);
    assertThat(result.count(Relocator.AlreadyCopy.class)).isEqualTo(2);
    assertThat(copies.asked).isEmpty();
  }

  @Test
  void anImageWithoutACopyIsLeftAsItIsAndReported() {
    Relocator.Result result = relocate(new FakeCopies(), pod("missing:1", "nginx:1.27"));
    assertThat(result.manifests().get(0).text())
        .isEqualTo(pod("missing:1", "r.example/keep/docker.io/library/nginx:1.27" + D));
    assertThat(result.noCopy()).singleElement().satisfies(missing -> {
      assertThat(missing.source()).hasToString("docker.io/library/missing:1");
      assertThat(missing.reason()).isEqualTo("not found at r.example/keep/library/missing");
      assertThat(missing.image().where(missing.file()))
          .isEqualTo("m0.yaml:5:12 (document 1, Pod/?, spec.containers[0].image)");
    });
  }

  @Test
  void anInvalidReferenceInAnyFileFailsBeforeAnyLookup() {
    FakeCopies copies = new FakeCopies();
    assertThatThrownBy(() -> relocate(copies, pod("nginx:1.27"), pod("nginx:1.27", "\"ghcr.io/Org/app:1\"")))
        .isInstanceOf(ManifestException.class)
        .hasMessage("m1.yaml:7:12 (document 1, Pod/?, spec.containers[1].image): invalid image reference"
            + " \"ghcr.io/Org/app:1\": repository name \"Org/app\" must be lower case");
    assertThat(copies.asked).isEmpty();
  }

  @Test
  void anAnchoredImageIsRewrittenOnceForAllItsAliases() {
    String yaml = "kind: Pod\nspec:\n  initContainers: [{name: i, image: &img nginx:1.27}]\n"
        + "  containers: [{name: c, image: *img}]\n";
    Relocator.Result result = relocate(new FakeCopies(), yaml);
    assertThat(result.manifests().get(0).text())
        .isEqualTo(yaml.replace("nginx:1.27", "r.example/keep/docker.io/library/nginx:1.27" + D));
    assertThat(result.count(Relocator.Rewritten.class)).isEqualTo(2);
  }

  @Test
  void theLockHasEveryRewrittenSourceAndKeepsWhatASecondRunFindsAlreadyRewritten() {
    String copy = "r.example/keep/docker.io/library/nginx:1.27" + D;
    Relocator.Result first = relocate(new FakeCopies(), pod("nginx:1.27", "nginx:1.27", "missing:1"));
    assertThat(first.lock(Map.of())).containsExactly(Map.entry("docker.io/library/nginx:1.27", copy));

    Relocator.Result second = relocate(new FakeCopies(), first.manifests().get(0).text());
    Map<String, String> previous = Map.of("docker.io/library/nginx:1.27", copy,
        "docker.io/library/gone:1", "r.example/keep/docker.io/library/gone:1" + D);
    assertThat(second.lock(previous)).containsExactly(Map.entry("docker.io/library/nginx:1.27", copy));
  }
}
