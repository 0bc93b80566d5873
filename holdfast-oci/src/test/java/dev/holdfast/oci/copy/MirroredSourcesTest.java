package dev.holdfast.oci.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.mirror.Mirror;
import dev.holdfast.oci.mirror.MirrorRule;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.mirror.PullPolicy;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.tls.TrustConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Requests and refusals built from mirror rules, without any network. */
class MirroredSourcesTest {
  private static final String DIGEST = "sha256:" + "a".repeat(64);

  private static MirrorRule rule(String prefix, boolean blocked, Mirror... mirrors) {
    return new MirrorRule(prefix, Optional.of(prefix), false, blocked, List.of(mirrors), "test.conf: " + prefix);
  }

  private static Mirror mirror(String location, PullPolicy policy) {
    return new Mirror(location, policy, false, Optional.empty());
  }

  private static final MirroredSources SOURCES = MirroredSources.of(MirrorRules.of(List.of(
      rule("docker.io", false, mirror("hub.local/d", PullPolicy.DIGEST_ONLY), mirror("hub.local/a", PullPolicy.ALL)),
      rule("quay.io", true, mirror("quay.local/d", PullPolicy.DIGEST_ONLY)),
      rule("gcr.io", true),
      rule("ghcr.io", true, mirror("blocked.local/ghcr", PullPolicy.ALL)),
      rule("blocked.local", true))));

  @Test
  void aRequestReadsTheCandidatesInOrderAndIsNamedAfterTheNormalisedReference() {
    CopyRequest request = SOURCES.request(ImageReference.parse("nginx:1.27"),
        ImageLocation.parse("oci:/tmp/copies:nginx"), CopyOptions.defaults());

    assertThat(request.source()).hasToString("docker://docker.io/library/nginx:1.27");
    assertThat(request.sources()).extracting(Object::toString).containsExactly(
        "docker://hub.local/a/library/nginx:1.27", "docker://docker.io/library/nginx:1.27");
  }

  @Test
  void aDigestReferenceUsesTheDigestOnlyMirrorFirst() {
    CopyRequest request = SOURCES.request(ImageReference.parse("nginx@" + DIGEST),
        ImageLocation.parse("oci:/tmp/copies"), CopyOptions.defaults());

    assertThat(request.sources()).extracting(Object::toString).containsExactly(
        "docker://hub.local/d/library/nginx@" + DIGEST, "docker://hub.local/a/library/nginx@" + DIGEST,
        "docker://docker.io/library/nginx@" + DIGEST);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      quay.io/ns/app:1     | mirror rule quay.io (test.conf: quay.io) blocks the source | quay.local/d is digest-only, and this is a tag reference | pull it by digest
      gcr.io/ns/app:1      | mirror rule gcr.io (test.conf: gcr.io) blocks the source   | and has no mirrors                                        | cannot pull gcr.io/ns/app:1
      ghcr.io/o/app:1      | mirror rule ghcr.io (test.conf: ghcr.io) blocks the source | blocked.local/ghcr is blocked by another rule             | cannot pull ghcr.io/o/app:1
      """)
  void aBlockedSourceWithoutAUsableMirrorIsRefusedNamingTheRuleAndWhy(String reference, String rule, String why,
      String more) {
    assertThatThrownBy(() -> SOURCES.resolve(ImageReference.parse(reference)))
        .isInstanceOf(CopyException.SourceBlocked.class)
        .hasMessageContaining(rule).hasMessageContaining(why).hasMessageContaining(more);
  }

  @Test
  void aBlockedSourceWithADigestOnlyMirrorServesItsDigest() {
    assertThat(SOURCES.resolve(ImageReference.parse("quay.io/ns/app@" + DIGEST)).candidates())
        .singleElement().satisfies(c -> assertThat(c.reference()).hasToString("quay.local/d/ns/app@" + DIGEST));
  }

  @Test
  void trustMarksInsecureMirrorsAndRefusesAMissingBundleNamingTheMirror() {
    MirroredSources insecure = MirroredSources.of(MirrorRules.of(List.of(rule("docker.io", false,
        new Mirror("plain.local:5000/hub", PullPolicy.ALL, true, Optional.empty())))));
    TrustConfig.Builder trust = TrustConfig.builder();
    assertThat(insecure.addTrust(trust, List.of(ImageReference.parse("nginx")))).isEmpty();
    assertThat(trust.build().isInsecure("plain.local:5000")).isTrue();
    assertThat(trust.build().isInsecure("docker.io")).isFalse();

    Path missing = Path.of("/nonexistent/holdfast-ca.pem");
    MirroredSources withCa = MirroredSources.of(MirrorRules.of(List.of(rule("docker.io", false,
        new Mirror("ca.local:5000/hub", PullPolicy.ALL, false, Optional.of(missing))))));
    assertThatThrownBy(() -> withCa.addTrust(TrustConfig.builder(), List.of(ImageReference.parse("nginx"))))
        .hasMessageContaining("CA bundle of mirror ca.local:5000").hasMessageContaining(missing.toString());
  }
}
