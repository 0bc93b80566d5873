package dev.holdfast.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.reference.ImageReference;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Include and exclude globs over normalised references. */
class ImagePatternsTest {
  private static final String SHA = "sha256:" + "b".repeat(64);

  private static boolean selects(List<String> include, List<String> exclude, String image) {
    return ImagePatterns.of(include, exclude).selects(ImageReference.parse(image.replace("SHA", SHA)));
  }

  // --- one include pattern ---

  @ParameterizedTest(name = "{0} selects {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      docker.io/library/*              | nginx:1.27                         | true
      docker.io/library/*              | nginx@SHA                          | true
      docker.io/library/*              | bitnami/redis:7                    | false
      docker.io/library/*              | ghcr.io/library/nginx:1            | false
      docker.io/*                      | bitnami/redis:7                    | true
      ghcr.io/acme/app                 | ghcr.io/acme/app:2                 | true
      ghcr.io/acme/app                 | ghcr.io/acme/app@SHA               | true
      ghcr.io/acme/app                 | ghcr.io/acme/app-worker:2          | false
      ghcr.io/acme/app                 | ghcr.io/acme/app/sub:2             | false
      ghcr.io/acme/app:2               | ghcr.io/acme/app:2                 | true
      ghcr.io/acme/app:2               | ghcr.io/acme/app:20                | false
      ghcr.io/acme/app:?               | ghcr.io/acme/app:3                 | true
      ghcr.io/acme/app:?               | ghcr.io/acme/app:30                | false
      *:latest                         | nginx                              | true
      *:latest                         | nginx:1.27                         | false
      *                                | registry.local:5000/a/b/c:1        | true
      *.example.com/*                  | registry.example.com/team/app:1    | true
      *.example.com/*                  | registry.example.org/team/app:1    | false
      nginx                            | nginx:1.27                         | false
      docker.io/library/nginx          | nginx:1.27                         | true
      """)
  void includeOne(String pattern, String image, boolean selected) {
    assertThat(selects(List.of(pattern), List.of(), image)).isEqualTo(selected);
  }

  @ParameterizedTest(name = "regex characters are literal: {0} / {1}")
  @CsvSource(delimiter = '|', textBlock = """
      ghcr.io/acme/app.v2:1            | ghcr.io/acme/app.v2:1       | true
      ghcr.io/acme/app.v2:1            | ghcr.io/acme/appxv2:1       | false
      ghcr.io/acme/[a-z]*              | ghcr.io/acme/app:1          | false
      ghcr.io/acme/app+:1              | ghcr.io/acme/appp:1         | false
      ghcr.io/acme/ap{2}:1             | ghcr.io/acme/app:1          | false
      ^ghcr.io/acme/app:1$             | ghcr.io/acme/app:1          | false
      ghcr.io/acme/app\\E.*            | ghcr.io/acme/app:1          | false
      """)
  void regexCharactersAreLiteral(String pattern, String image, boolean selected) {
    assertThat(selects(List.of(pattern), List.of(), image)).isEqualTo(selected);
  }

  // --- include and exclude together ---

  @Test
  void noIncludePatternsIncludeEverything() {
    assertThat(selects(List.of(), List.of(), "nginx:1.27")).isTrue();
    assertThat(selects(List.of(), List.of(), "registry.local:5000/x:1")).isTrue();
  }

  @Test
  void anyIncludePatternIsEnough() {
    List<String> include = List.of("ghcr.io/acme/*", "docker.io/library/*");

    assertThat(selects(include, List.of(), "nginx:1.27")).isTrue();
    assertThat(selects(include, List.of(), "ghcr.io/acme/app:1")).isTrue();
    assertThat(selects(include, List.of(), "quay.io/acme/app:1")).isFalse();
  }

  @ParameterizedTest(name = "exclude {0}: {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      *:latest                 | nginx                      | false
      *:latest                 | nginx:1.27                 | true
      docker.io/library/nginx  | nginx:1.27                 | false
      docker.io/library/nginx  | nginx:1.27@SHA             | false
      docker.io/library/nginx  | redis:7                    | true
      *                        | nginx:1.27                 | false
      """)
  void excludeWinsOverInclude(String exclude, String image, boolean selected) {
    assertThat(selects(List.of("docker.io/*"), List.of(exclude), image)).isEqualTo(selected);
    assertThat(selects(List.of(), List.of(exclude), image)).isEqualTo(selected);
  }

  // --- edge cases that must not crash ---

  @Test
  void anEmptyPatternMatchesNoImage() {
    assertThat(selects(List.of(""), List.of(), "nginx:1.27")).isFalse();
    assertThat(selects(List.of(), List.of(""), "nginx:1.27")).isTrue();
  }

  @Test
  void theReferenceIsMatchedNormalisedNotAsWritten() {
    // "nginx" as written would match "nginx"; normalised it is docker.io/library/nginx:latest.
    assertThat(selects(List.of("nginx*"), List.of(), "nginx")).isFalse();
    assertThat(selects(List.of("docker.io/library/nginx:latest"), List.of(), "nginx")).isTrue();
    assertThat(selects(List.of("docker.io/library/nginx:latest"), List.of(), "index.docker.io/library/nginx"))
        .isTrue();
  }
}
