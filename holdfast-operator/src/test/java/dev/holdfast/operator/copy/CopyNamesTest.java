package dev.holdfast.operator.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.reference.ImageReference;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ImageCopy names: valid object names (DNS-1123 subdomains) of at most 63 characters, readable,
 * stable, and distinct for different policies and sources.
 */
class CopyNamesTest {
  /** A DNS-1123 subdomain: dot-separated labels of a-z, 0-9 and '-', each starting and ending alphanumeric. */
  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern HASH_SUFFIX = Pattern.compile(".*-[0-9a-f]{10}");

  private static String name(String policy, String source) {
    return CopyNames.nameFor(policy, ImageReference.parse(source));
  }

  private static void assertValid(String name) {
    assertThat(name).hasSizeLessThanOrEqualTo(63).matches(DNS_1123_SUBDOMAIN).matches(HASH_SUFFIX);
  }

  // --- readable part ---

  @ParameterizedTest(name = "{0} -> {1}-<hash>")
  @CsvSource(delimiter = '|', textBlock = """
      nginx:1.27                                  | nginx-1.27
      nginx                                       | nginx-latest
      ghcr.io/acme/team/app:v2.1.0                | app-v2.1.0
      registry.local:5000/app:1                   | app-1
      nginx:V1_Beta                               | nginx-v1-beta
      nginx:1.27-alpine3.20                       | nginx-1.27-alpine3.20
      my_app__x:__tag                             | my-app-x-tag
      nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | nginx-0123456789ab
      nginx:1.27@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | nginx-1.27
      """)
  void theReadablePartIsTheLastComponentAndTheVersion(String source, String readable) {
    String name = name("p", source);

    assertValid(name);
    assertThat(name.substring(0, name.length() - 11)).isEqualTo(readable);
  }

  // --- always a valid name ---

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "nginx:1..2",
      "nginx:1.-rc",
      "nginx:1-.rc",
      "nginx:v1._x",
      "nginx:a.__.b",
      "nginx:___",
      "nginx:_.-_",
      "nginx:1.",
      "nginx:1-",
      "nginx:1_",
      "nginx:UPPER.CASE",
      "a.b:c.d",
      "x__y:_",
      "0:0",
  })
  void unusualTagsStillGiveValidNames(String source) {
    assertValid(name("p", source));
  }

  @Test
  void longNamesAreCutAndStillValid() {
    String longRepo = "ghcr.io/acme/" + "a".repeat(120);
    String longTag = "v" + "1.".repeat(60) + "0";

    for (String source : List.of(longRepo + ":1", "nginx:" + longTag, longRepo + ":" + longTag,
        "ghcr.io/acme/" + "ab-".repeat(40) + "c:" + "x-".repeat(60) + "y",
        "ghcr.io/acme/" + "ab.".repeat(40) + "c:" + "x.".repeat(60) + "y")) {
      String name = name("p", source);
      assertValid(name);
      assertThat(name).hasSize(63);
    }
  }

  // --- stable and distinct ---

  @Test
  void theNameIsStable() {
    assertThat(name("team-a", "nginx:1.27")).isEqualTo(name("team-a", "docker.io/library/nginx:1.27"))
        .isEqualTo(name("team-a", "index.docker.io/library/nginx:1.27"));
  }

  @Test
  void differentPoliciesOrSourcesGiveDifferentNames() {
    List<String> sources = List.of("nginx:1.27", "nginx:1.28", "ghcr.io/acme/nginx:1.27",
        "registry.local:5000/nginx:1.27", "nginx:1.27@sha256:" + "a".repeat(64), "nginx@sha256:" + "a".repeat(64),
        "nginx@sha256:" + "b".repeat(64), "nginx:V1", "nginx:v1", "nginx:v1_x", "nginx:v1-x", "nginx:v1.x");
    Set<String> names = new HashSet<>();

    for (String policy : List.of("team-a", "team-b", "holdfast-flags")) {
      for (String source : sources) {
        assertThat(names.add(name(policy, source))).as("%s %s", policy, source).isTrue();
      }
    }
    assertThat(names).hasSize(3 * sources.size());
  }

  @Test
  void sourcesWhoseReadablePartsCollideAreStillDistinct() {
    String a = name("p", "nginx:v1_x");
    String b = name("p", "nginx:v1-x");

    assertThat(a.substring(0, a.length() - 10)).isEqualTo(b.substring(0, b.length() - 10));
    assertThat(a).isNotEqualTo(b);
  }
}
