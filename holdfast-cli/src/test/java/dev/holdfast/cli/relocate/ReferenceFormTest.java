package dev.holdfast.cli.relocate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.reference.ImageReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferenceFormTest {
  private static final String A = "sha256:" + "a".repeat(64);
  private static final String B = "sha256:" + "b".repeat(64);

  private static ImageReference parse(String text) {
    return ImageReference.parse(text.replace("<A>", A).replace("<B>", B));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', value = {
      "TagAndDigest|nginx:1.27|r.example/keep/nginx:1.27@<B>|r.example/keep/nginx:1.27@<B>",
      "Digest|nginx:1.27|r.example/keep/nginx:1.27@<B>|r.example/keep/nginx@<B>",
      // pinned by digest alone: the copy's digest-sha256-... tag is not written
      "TagAndDigest|app@<A>|r.example/keep/app:digest-sha256-aaaa@<A>|r.example/keep/app@<A>",
      "Digest|app@<A>|r.example/keep/app:digest-sha256-aaaa@<A>|r.example/keep/app@<A>",
      // tag and digest: the tag stays readable in TagAndDigest
      "TagAndDigest|redis:7.2@<A>|r.example/keep/redis:7.2@<A>|r.example/keep/redis:7.2@<A>",
      "Digest|redis:7.2@<A>|r.example/keep/redis:7.2@<A>|r.example/keep/redis@<A>",
  })
  void rendersTheCopy(ReferenceForm form, String source, String copy, String written) {
    assertThat(form.render(parse(copy), parse(source))).isEqualTo(parse(written).toString());
  }
}
