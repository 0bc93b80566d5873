package dev.holdfast.oci.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.reference.ImageReference;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Resolution, table-driven: one tiny configuration per scenario (src/test/resources/mirror/), a
 * reference, and the rule, blocked flag and candidates that containers/image would give.
 */
class MirrorResolutionTest {

  private static final String D = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  private static final String NONE = null;

  private static Arguments row(String config, String reference, String rule, boolean blocked,
      String... candidates) {
    return Arguments.of(config, reference, rule, blocked, List.of(candidates));
  }

  static Stream<Arguments> scenarios() {
    return Stream.of(
        // --- Boundaries: the name ends at the prefix or continues with '/', ':' or '@'
        row("boundaries", "example.com/foo:1", "example.com/foo", false,
            "mirror.local/foo:1", "example.com/foo:1"),
        row("boundaries", "example.com/foo/bar:1", "example.com/foo", false,
            "mirror.local/foo/bar:1", "example.com/foo/bar:1"),
        row("boundaries", "example.com/foo@" + D, "example.com/foo", false,
            "mirror.local/foo@" + D, "example.com/foo@" + D),
        row("boundaries", "example.com/foobar:1", NONE, false, "example.com/foobar:1"),
        row("boundaries", "example.com/fo:1", NONE, false, "example.com/fo:1"),
        row("boundaries", "other.com/example.com/foo:1", NONE, false, "other.com/example.com/foo:1"),

        // --- Ports
        row("ports", "localhost:5000/app:1", "localhost:5000", false,
            "127.0.0.1:5001/mirror/app:1", "localhost:5000/app:1"),
        row("ports", "localhost:5001/app:1", NONE, false, "localhost:5001/app:1"),
        row("ports", "localhost/app:1", NONE, false, "localhost/app:1"),
        // A host prefix covers every port of that host (':' is a boundary); the port is kept.
        row("ports", "example.com:5000/app:1", "example.com", false,
            "mirror.local:5000/app:1", "example.com:5000/app:1"),

        // --- Wildcards: subdomains of any depth, host part only, never the bare domain
        row("wildcards", "a.example.com/app:1", "*.example.com", false,
            "mirror.local/wild/app:1", "a.example.com/app:1"),
        row("wildcards", "a.b.c.example.com/app:1", "*.example.com", false,
            "mirror.local/wild/app:1", "a.b.c.example.com/app:1"),
        row("wildcards", "example.com/app:1", NONE, false, "example.com/app:1"),
        row("wildcards", "a.example.company/app:1", NONE, false, "a.example.company/app:1"),
        row("wildcards", "docker.io/a.example.com/app:1", NONE, false, "docker.io/a.example.com/app:1"),
        row("wildcards", "x.sub.example.com/app:1", "*.sub.example.com", false,
            "mirror.local/sub/app:1", "x.sub.example.com/app:1"),
        row("wildcards", "exact.example.com/app:1", "exact.example.com", false,
            "mirror.local/exact/app:1", "exact.example.com/app:1"),
        row("wildcard-tie", "a.example.com/app:1", "*.example.com", false,
            "mirror.local/wild/app:1", "a.example.com/app:1"),

        // --- Longest prefix: exactly one rule applies, whatever the order in the file
        row("longest-prefix", "quay.io/other/x:1", "quay.io", false,
            "m1.local/quay/other/x:1", "quay.io/other/x:1"),
        row("longest-prefix", "quay.io/ns/x:1", "quay.io/ns", false,
            "m2.local/ns/x:1", "quay.io/ns/x:1"),
        row("longest-prefix", "quay.io/ns/repo:1", "quay.io/ns/repo", false,
            "m3.local/repo:1", "quay.io/ns/repo:1"),
        row("longest-prefix", "quay.io/ns/repo2:1", "quay.io/ns", false,
            "m2.local/ns/repo2:1", "quay.io/ns/repo2:1"),
        row("longest-prefix", "quay.io/ns/repo/sub:1", "quay.io/ns/repo", false,
            "m3.local/repo/sub:1", "quay.io/ns/repo/sub:1"),

        // --- prefix vs location: the source itself is rewritten
        row("location", "example.com/foo/myimage:latest", "example.com/foo", false,
            "internal-registry-for-example.com/bar/myimage:latest"),

        // --- Normalisation: rules see docker.io/library/...
        row("normalisation/redirects.yaml", "docker.io/nats:2.10.26-alpine", "docker.io", false,
            "project-a.azurecr.io/docker-mirror/library/nats:2.10.26-alpine",
            "docker.io/library/nats:2.10.26-alpine"),
        row("normalisation/redirects.yaml", "nats", "docker.io", false,
            "project-a.azurecr.io/docker-mirror/library/nats:latest", "docker.io/library/nats:latest"),
        row("normalisation/redirects.yaml", "ghcr.io/org/app@" + D, "ghcr.io", false,
            "project-a.azurecr.io/ghcr-mirror/org/app@" + D, "ghcr.io/org/app@" + D),
        row("normalisation/redirects.yaml", "docker.io/nats/extra:1", "docker.io/nats", false,
            "never.example.com/nats/extra:1", "docker.io/nats/extra:1"),

        // --- Digest-only and tag-only mirrors
        row("pull-policies", "quay.io/app:1", "quay.io", false,
            "t.local/app:1", "a.local/app:1", "quay.io/app:1"),
        row("pull-policies", "quay.io/app@" + D, "quay.io", false,
            "d.local/app@" + D, "a.local/app@" + D, "quay.io/app@" + D),
        // Tag and digest together count as a digest reference; the rewrite keeps both.
        row("pull-policies", "quay.io/app:1@" + D, "quay.io", false,
            "d.local/app:1@" + D, "a.local/app:1@" + D, "quay.io/app:1@" + D),
        row("pull-policies", "legacy.io/app:1", "legacy.io", false, "legacy.io/app:1"),
        row("pull-policies", "legacy.io/app@" + D, "legacy.io", false,
            "l.local/app@" + D, "legacy.io/app@" + D),

        // --- Blocked sources
        row("blocked", "blocked.io/app:1", "blocked.io", true),
        row("blocked", "quay.io/private/app:1", "quay.io/private", true, "m.local/private/app:1"),
        row("blocked", "quay.io/public/app:1", NONE, false, "quay.io/public/app:1"),
        row("blocked", "example.com/app:1", "example.com", false,
            "ok.local/mirror/app:1", "example.com/app:1"),

        // --- ImageDigestMirrorSet: digest-only; NeverContactSource blocks the source
        row("idms", "registry.redhat.io/ubi8/ubi-minimal@" + D, "registry.redhat.io/ubi8", true,
            "mirror.local/ubi8/ubi-minimal@" + D),
        row("idms", "registry.redhat.io/ubi8/ubi-minimal:8", "registry.redhat.io/ubi8", true),
        row("idms", "quay.io/ns/app@" + D, "quay.io/ns", false,
            "m1.local/ns/app@" + D, "m2.local/ns/app@" + D, "quay.io/ns/app@" + D),
        row("idms", "quay.io/ns/app:1", "quay.io/ns", false, "quay.io/ns/app:1"),
        // A wildcard source: the mirror replaces the whole host, the rest is kept.
        row("idms", "a.b.example.com/x/y@" + D, "*.example.com", false,
            "wild.local/example/x/y@" + D, "a.b.example.com/x/y@" + D),

        // --- ImageTagMirrorSet: tag-only
        row("itms", "quay.io/ns/app:1", "quay.io/ns", false, "t.local/ns/app:1", "quay.io/ns/app:1"),
        row("itms", "quay.io/ns/app@" + D, "quay.io/ns", false, "quay.io/ns/app@" + D),
        row("itms", "nats:2", "docker.io", true, "hub.local/library/nats:2"),
        row("itms", "nats@" + D, "docker.io", true),

        // --- ImageContentSourcePolicy: digest-only, never blocks
        row("icsp", "quay.io/ns/app@" + D, "quay.io/ns", false,
            "icsp.local/ns/app@" + D, "quay.io/ns/app@" + D),
        row("icsp", "quay.io/ns/app:1", "quay.io/ns", false, "quay.io/ns/app:1"),

        // --- kind: List, multi-document YAML, merging
        row("list", "quay.io/ns/app:1", "quay.io/ns", false, "t.local/ns/app:1", "quay.io/ns/app:1"),
        row("list", "quay.io/ns/app:1@" + D, "quay.io/ns", false,
            "d.local/ns/app:1@" + D, "quay.io/ns/app:1@" + D),
        row("multidoc", "quay.io/ns/app@" + D, "quay.io/ns", false,
            "a.local/ns/app@" + D, "b.local/ns/app@" + D, "c.local/ns/app@" + D,
            "d.local/ns/app@" + D, "e.local/ns/app@" + D, "quay.io/ns/app@" + D),
        row("merge/first.yaml, merge/second.yaml", "quay.io/ns/app@" + D, "quay.io/ns", true,
            "z.local/ns/app@" + D, "y.local/ns/app@" + D, "x.local/ns/app@" + D),
        row("merge/first.yaml, merge/second.yaml", "registry.io/only/app@" + D, NONE, false,
            "registry.io/only/app@" + D),

        // --- Several formats merged into one rule set
        row("combined/registries.conf, combined/idms.yaml", "quay.io/ns/app@" + D, "quay.io/ns", false,
            "conf.local/ns/app@" + D, "idms.local/ns/app@" + D, "quay.io/ns/app@" + D),
        row("combined/registries.conf, combined/idms.yaml", "quay.io/ns/app:1", "quay.io/ns", false,
            "conf.local/ns/app:1", "quay.io/ns/app:1"),
        row("combined/redirects.yaml", "ghcr.io/org/app:1", "ghcr.io/org", false,
            "first.local/org/app:1", "ghcr.io/org/app:1"),
        row("combined/redirects.yaml", "ghcr.io/org/app@" + D, "ghcr.io/org", false,
            "first.local/org/app@" + D, "second.local/org/app@" + D, "ghcr.io/org/app@" + D),
        row("combined/redirects.yaml", "registry.k8s.io/pause:3.9", "registry.k8s.io", true),
        row("nested", "quay.io/ns/repo@" + D, "quay.io/ns/repo", false,
            "m.local/ns/repo@" + D, "quay.io/ns/repo@" + D),
        row("nested", "quay.io/ns/other@" + D, "quay.io/ns", false,
            "m.local/ns/other@" + D, "quay.io/ns/other@" + D),

        // --- Drop-ins: lexical order, a later prefix replaces an earlier one
        row("dropins/registries.conf, dropins/registries.conf.d", "nats:1", "docker.io", false,
            "twenty.local/hub/library/nats:1", "docker.io/library/nats:1"),
        row("dropins/registries.conf, dropins/registries.conf.d", "quay.io/a/b:1", "quay.io", false,
            "base.local/quay/a/b:1", "quay.io/a/b:1"),
        row("dropins/registries.conf, dropins/registries.conf.d", "ghcr.io/a/b:1", "ghcr.io", false,
            "ten.local/ghcr/a/b:1", "ghcr.io/a/b:1"),

        // --- Empty configuration: everything resolves to itself
        row("empty", "nats:1", NONE, false, "docker.io/library/nats:1"),
        row("empty/comment.conf", "nats:1", NONE, false, "docker.io/library/nats:1"));
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @MethodSource("scenarios")
  void resolves(String config, String reference, String rule, boolean blocked, List<String> candidates) {
    MirrorRules rules = MirrorTestFiles.load(config);

    Resolution resolution = rules.resolve(ImageReference.parse(reference));

    assertThat(resolution.reference()).isEqualTo(ImageReference.parse(reference));
    assertThat(resolution.rule()).as("rule").isEqualTo(java.util.Optional.ofNullable(rule));
    assertThat(resolution.blocked()).as("blocked").isEqualTo(blocked);
    assertThat(resolution.candidates()).extracting(c -> c.reference().toString())
        .as("candidates").containsExactlyElementsOf(candidates);
    // The source, when present, is last and is the only candidate that is not a mirror.
    assertThat(resolution.candidates()).filteredOn(c -> !c.mirror())
        .hasSize(blocked ? 0 : 1);
    if (!blocked) {
      assertThat(resolution.candidates().getLast().mirror()).isFalse();
    }
  }

  // --- Per-candidate settings the copy engine needs

  @Test
  void candidatesCarryInsecureAndCaBundle() {
    MirrorRules rules = MirrorTestFiles.load("combined/redirects.yaml, combined/registries.conf");

    List<Candidate> ghcr = rules.resolve(ImageReference.parse("ghcr.io/org/app@" + D)).candidates();
    assertThat(ghcr.get(0).insecure()).isTrue();
    assertThat(ghcr.get(0).caBundle()).contains(MirrorTestFiles.path("combined/ca.pem"));
    assertThat(ghcr.get(1).insecure()).isFalse();
    assertThat(ghcr.get(1).caBundle()).isEmpty();

    List<Candidate> quay = rules.resolve(ImageReference.parse("quay.io/ns/app:1")).candidates();
    assertThat(quay).extracting(Candidate::mirror).containsExactly(true, false);
    // 'insecure' on the [[registry]] applies to the source, not to its mirrors.
    assertThat(quay).extracting(Candidate::insecure).containsExactly(false, true);
  }

  @Test
  void withoutRulesTheReferenceIsItsOwnOnlyCandidate() {
    ImageReference ref = ImageReference.parse("ghcr.io/org/app:1");
    Resolution resolution = MirrorRules.empty().resolve(ref);
    assertThat(resolution.rule()).isEmpty();
    assertThat(resolution.blocked()).isFalse();
    assertThat(resolution.candidates())
        .containsExactly(new Candidate(ref, false, false, java.util.Optional.empty()));
  }

  @Test
  void rulesBuiltInCodeResolveLikeLoadedOnes() {
    MirrorRules rules = MirrorRules.of(List.of(
        MirrorRule.of("docker.io", List.of(Mirror.of("mirror.local/hub"))),
        MirrorRule.of("docker.io", List.of(Mirror.of("later.local/hub")))));
    assertThat(rules.rules()).hasSize(1);
    assertThat(rules.resolve(ImageReference.parse("nats:1")).candidates())
        .extracting(c -> c.reference().toString())
        .containsExactly("later.local/hub/library/nats:1", "docker.io/library/nats:1");
  }

  @Test
  void rulesBuiltInCodeAreValidatedToo() {
    assertThatThrownBy(() -> MirrorRule.of("library/nats", List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("library/nats");
    assertThatThrownBy(() -> MirrorRule.of("*.example.com/x", List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("*.example.com/x");
    assertThatThrownBy(() -> Mirror.of("https://m.local"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https://m.local");
    assertThatThrownBy(() -> Mirror.of(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is empty");
  }

  // --- Invalid rewrites must not crash: they are refused with the rule and location named

  @Test
  void aRewriteThatIsNotAValidReferenceIsRefusedNamingTheRule() {
    // *.example.com keeps ":5000/app:1" after the host, which cannot follow a path.
    MirrorRules rules = MirrorTestFiles.load("wildcards");
    assertThatThrownBy(() -> rules.resolve(ImageReference.parse("a.example.com:5000/app:1")))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageContaining("*.example.com")
        .hasMessageContaining("mirror.local/wild:5000/app:1")
        .satisfies(e -> assertThat(((MirrorConfigException) e).field()).contains("location"));
  }

  @Test
  void aRewriteToANonCanonicalNameIsRefused() {
    // containers/image refuses docker.io/nats as a rewritten name: it is not canonical.
    MirrorRules rules = MirrorRules.of(List.of(MirrorRule.of("quay.io/library",
        List.of(Mirror.of("docker.io")))));
    assertThatThrownBy(() -> rules.resolve(ImageReference.parse("quay.io/library/nats:1")))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessageContaining("docker.io/nats:1")
        .hasMessageContaining("not canonical");
  }
}
