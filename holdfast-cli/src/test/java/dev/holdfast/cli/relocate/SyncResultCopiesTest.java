package dev.holdfast.cli.relocate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.reference.ImageReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyncResultCopiesTest {
  private static final String A = "sha256:" + "a".repeat(64);
  private static final String B = "sha256:" + "b".repeat(64);
  private static final String C = "sha256:" + "c".repeat(64);

  private static ImageReference parse(String text) {
    return ImageReference.parse(text.replace("<A>", A).replace("<B>", B).replace("<C>", C)
        .replace("<a>", "a".repeat(64)));
  }

  private static final SyncResultCopies RESULT = SyncResultCopies.parse("""
      {"images": [
        {"status": "copied", "source": "docker://docker.io/library/nginx:1.27",
         "destination": "docker://r.example/keep/docker.io/library/nginx:1.27", "digest": "%1$s"},
        {"status": "present", "source": "docker://ghcr.io/org/tool@%2$s",
         "destination": "docker://r.example/keep/ghcr.io/org/tool:digest-sha256-%4$s@%2$s", "digest": "%2$s"},
        {"status": "copied", "source": "docker://docker.io/library/multi:1",
         "destination": "docker://r.example/keep/docker.io/library/multi:1", "digest": "%3$s",
         "sourceDigest": "%1$s", "platformFilterChangedDigest": true},
        {"status": "copied", "source": "oci:/media/usb:quay.io/org/far:2",
         "destination": "docker://r.example/keep/quay.io/org/far:2", "digest": "%1$s"},
        {"status": "copied", "source": "docker://docker.io/library/carried:1",
         "destination": "oci:/media/usb:docker.io/library/carried:1", "digest": "%1$s"},
        {"status": "failed", "source": "docker://docker.io/library/gone:1",
         "destination": "docker://r.example/keep/docker.io/library/gone:1", "error": "manifest unknown"},
        {"status": "failed", "source": "docker://docker.io/library/flaky:1",
         "destination": "docker://r.example/keep/docker.io/library/flaky:1", "error": "timeout"},
        {"status": "copied", "source": "docker://docker.io/library/flaky:1",
         "destination": "docker://r.example/keep/docker.io/library/flaky:1", "digest": "%1$s"}
      ], "summary": {}}
      """.formatted(A, B, C, "a".repeat(64)), "sync.json");

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "nginx:1.27|r.example/keep/docker.io/library/nginx:1.27@<A>",
      // the copy's own digest, not the source's
      "ghcr.io/org/tool@<B>|r.example/keep/ghcr.io/org/tool:digest-sha256-<a>@<B>",
      "multi:1|r.example/keep/docker.io/library/multi:1@<C>",
      // the far side of an air gap: the layout entry's name is the original reference
      "quay.io/org/far:2|r.example/keep/quay.io/org/far:2@<A>",
      // a retry that succeeded wins over the failure before it
      "flaky:1|r.example/keep/docker.io/library/flaky:1@<A>",
  })
  void aCopiedOrPresentEntryIsTheCopyPinnedToItsDigest(String source, String copy) {
    assertThat(RESULT.find(parse(source))).isEqualTo(new Copies.Found(parse(copy)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "gone:1|sync failed to copy it (sync.json): manifest unknown",
      "carried:1|sync copied it into oci:/media/usb:docker.io/library/carried:1, which manifests cannot name (sync.json)",
      "nginx:1.26|not in sync.json",
      "nginx:1.27@<A>|not in sync.json",
  })
  void otherwiseTheCopyIsMissingAndSaysWhy(String source, String reason) {
    assertThat(RESULT.find(parse(source))).isEqualTo(new Copies.Missing(reason));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "r.example/keep/docker.io/library/nginx:1.27@<A>|true",
      "r.example/keep/docker.io/library/nginx:9|true",
      "r.example/keep/docker.io/library/gone:1|true",
      "r.example/keep/docker.io/library/other:1|false",
      "docker.io/library/nginx:1.27|false",
  })
  void anImageNamedLikeADestinationIsACopy(String image, boolean copy) {
    assertThat(RESULT.isCopy(parse(image))).isEqualTo(copy);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`{\"images\": [}`|sync.json: not JSON: ",
      "`[1, 2]`|sync.json: not a holdfast sync --output json result",
      "`{\"images\": [{\"status\": \"copied\"}]}`|sync.json: images[0]: \"source\" is missing or not a string",
      "`{\"images\": [{\"status\": \"copied\", \"source\": \"http://x/y\", \"destination\": \"r.example/y\"}]}`"
          + "|sync.json: images[0]: \"source\": invalid image location",
      "`{\"images\": [{\"status\": \"done\", \"source\": \"x\", \"destination\": \"r.example/y\"}]}`"
          + "|sync.json: images[0]: unknown status \"done\"",
      "`{\"images\": [{\"status\": \"copied\", \"source\": \"x\", \"destination\": \"r.example/y\", \"digest\": \"md5\"}]}`"
          + "|sync.json: images[0]: \"digest\": ",
  })
  void whatIsNotASyncResultIsRefusedNamingTheEntry(String json, String message) {
    assertThatThrownBy(() -> SyncResultCopies.parse(json, "sync.json"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
  }
}
