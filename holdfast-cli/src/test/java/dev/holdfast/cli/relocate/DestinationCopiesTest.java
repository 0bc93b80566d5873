package dev.holdfast.cli.relocate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.OciException;
import dev.holdfast.oci.copy.DestinationNaming;
import dev.holdfast.oci.copy.DestinationNaming.Scheme;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DestinationCopiesTest {
  private static final Digest D = Digest.parse("sha256:" + "d".repeat(64));
  private static final Digest A = Digest.parse("sha256:" + "a".repeat(64));

  private final List<String> asked = new ArrayList<>();

  private DestinationCopies copies(String target, Scheme scheme) {
    return DestinationCopies.of(DestinationNaming.of(target, scheme, "_"), image -> {
      asked.add(image.toString());
      return image.repository().contains("absent") ? Optional.empty() : Optional.of(image.digest().orElse(D));
    });
  }

  // ---- which images already name a copy

  @ParameterizedTest(name = "{0} under {1}: {3}")
  @CsvSource(delimiter = '|', value = {
      "r.example/keep|KEEP|r.example/keep/docker.io/library/nginx:1.27|true",
      "r.example/keep|KEEP|r.example/keep:1|true",
      "r.example/keep|KEEP|r.example/keeper/app:1|false",
      "r.example/keep|KEEP|r.example/other/app:1|false",
      "r.example/keep|KEEP|R.EXAMPLE/keep/app:1|true",
      "r.example|KEEP|r.example/anything/at/all:1|true",
      "r.example/keep|KEEP|other.example/keep/app:1|false",
      "docker.io/myorg|FLATTEN|myorg/docker.io_library_nginx:1.27|true",
      "index.docker.io/myorg|FLATTEN|myorg/docker.io_library_nginx:1.27|true",
      "docker.io/myorg|FLATTEN|nginx:1.27|false",
  })
  void anImageUnderTheDestinationIsACopy(String target, Scheme scheme, String image, boolean copy) {
    assertThat(copies(target, scheme).isCopy(ImageReference.parse(image))).isEqualTo(copy);
  }

  // ---- asking the registry

  @Test
  void aTaggedSourceIsAskedForByItsTagAndPinnedToTheDigestTheRegistryGives() {
    Copies.Lookup lookup = copies("r.example/keep", Scheme.KEEP).find(ImageReference.parse("nginx:1.27"));
    assertThat(asked).containsExactly("r.example/keep/docker.io/library/nginx:1.27");
    assertThat(lookup).isEqualTo(new Copies.Found(
        ImageReference.parse("r.example/keep/docker.io/library/nginx:1.27@" + D)));
  }

  @Test
  void aSourcePinnedByDigestIsAskedForByThatDigest() {
    Copies.Lookup lookup = copies("docker.io/myorg", Scheme.FLATTEN).find(ImageReference.parse("ghcr.io/org/tool@" + A));
    assertThat(asked).containsExactly("docker.io/myorg/ghcr.io_org_tool:digest-sha256-" + "a".repeat(64) + "@" + A);
    assertThat(lookup).isInstanceOf(Copies.Found.class);
    assertThat(((Copies.Found) lookup).copy().digest()).contains(A);
  }

  @Test
  void anAbsentCopyIsMissingAndSaysWhereItWasLookedFor() {
    assertThat(copies("r.example/keep", Scheme.KEEP).find(ImageReference.parse("absent:1")))
        .isEqualTo(new Copies.Missing("not found at r.example/keep/docker.io/library/absent:1"));
  }

  @Test
  void aRegistryThatCannotAnswerMakesTheCopyMissingWithItsReason() {
    DestinationCopies failing = DestinationCopies.of(DestinationNaming.of("r.example/keep", Scheme.KEEP, "_"), image -> {
      throw new OciException("check manifest " + image + " failed: unauthorized (HTTP 401) [registry r.example]") {};
    });
    assertThat(failing.find(ImageReference.parse("nginx:1.27"))).isEqualTo(new Copies.Missing(
        "check manifest r.example/keep/docker.io/library/nginx:1.27 failed: unauthorized (HTTP 401) [registry r.example]"));
  }

  @Test
  void aSourceWhoseCopyCannotBeNamedIsMissing() {
    Copies.Lookup lookup = copies("r.example/" + "k".repeat(200), Scheme.KEEP)
        .find(ImageReference.parse("ghcr.io/" + "o".repeat(60) + "/app:1"));
    assertThat(lookup).isInstanceOf(Copies.Missing.class);
    assertThat(((Copies.Missing) lookup).reason()).startsWith("cannot name the copy of ghcr.io/");
    assertThat(asked).isEmpty();
  }

  @Test
  void aLayoutIsNoPlaceManifestsCanName() {
    assertThatThrownBy(() -> copies("oci:/backup", Scheme.KEEP))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the copies in OCI layout /backup cannot be named in manifests");
  }
}
