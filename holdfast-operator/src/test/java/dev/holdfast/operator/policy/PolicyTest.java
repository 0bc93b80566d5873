package dev.holdfast.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.mirror.Candidate;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.mirror.Resolution;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.ImagePolicySpec.Destination;
import dev.holdfast.operator.api.ImagePolicySpec.Naming;
import dev.holdfast.operator.api.ImagePolicySpec.Redirect;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A policy in force: construction from a spec, where copies go, what already lives there, and redirects. */
class PolicyTest {
  private static final String SHA = "sha256:" + "a".repeat(64);

  private static Destination destination(String registry, String repository, Naming naming) {
    return new Destination(registry, repository, naming, null, null, null, null);
  }

  private static Policy policy(String registry, String repository, Naming naming) {
    return Policy.of("p", ImagePolicySpec.to(destination(registry, repository, naming)), 3);
  }

  private static Policy withRedirects(Redirect... redirects) {
    return Policy.of("p", new ImagePolicySpec(Destination.of("copies.example.com", "keep"), null, null, null, null,
        null, null, null, List.of(redirects)), 1);
  }

  private static List<String> candidates(Policy policy, String image) {
    return policy.redirects().resolve(ImageReference.parse(image)).candidates().stream()
        .map(c -> c.reference().toString()).toList();
  }

  // --- construction ---

  @Test
  void ofKeepsTheNameSpecAndGeneration() {
    ImagePolicySpec spec = ImagePolicySpec.to(Destination.of("copies.example.com", "keep"));

    Policy policy = Policy.of("team-a", spec, 7);

    assertThat(policy.name()).isEqualTo("team-a");
    assertThat(policy.spec()).isSameAs(spec);
    assertThat(policy.generation()).isEqualTo(7);
    assertThat(policy.isImplicit()).isFalse();
    assertThat(policy.redirects().rules()).isEmpty();
  }

  @Test
  void theImplicitPolicyIsKnownByItsName() {
    Policy implicit = Policy.of(Policy.IMPLICIT, ImagePolicySpec.to(Destination.of("copies.example.com", "")), 0);

    assertThat(implicit.isImplicit()).isTrue();
  }

  @Test
  void anInvalidSpecIsRefusedNamingThePolicyAndEveryField() {
    ImagePolicySpec spec = new ImagePolicySpec(Destination.of("", ""), null, null, List.of(" "), null, null, null,
        null, null);

    assertThatThrownBy(() -> Policy.of("broken", spec, 1))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> {
          assertThat(e.problems()).extracting(PolicyProblem::field)
              .containsExactly("spec.destination.registry", "spec.includeImages[0]");
          assertThat(e.getMessage()).contains("ImagePolicy broken").contains("spec.destination.registry")
              .contains("spec.includeImages[0]");
        });
  }

  @Test
  void theConstructorRequiresNameAndSpec() {
    ImagePolicySpec spec = ImagePolicySpec.to(Destination.of("copies.example.com", ""));
    assertThatNullPointerException().isThrownBy(() -> new Policy(null, spec, 0, null, MirrorRules.empty()))
        .withMessageContaining("name");
    assertThatNullPointerException().isThrownBy(() -> new Policy("p", null, 0, null, MirrorRules.empty()))
        .withMessageContaining("spec");
  }

  // --- destinationFor ---

  @ParameterizedTest(name = "{0}/{1} {2}: {3} -> {4}")
  @CsvSource(delimiter = '|', textBlock = """
      copies.example.com | keep      | Keep    | nginx:1.27                         | copies.example.com/keep/docker.io/library/nginx:1.27
      copies.example.com | keep/deep | Keep    | ghcr.io/acme/app:2                 | copies.example.com/keep/deep/ghcr.io/acme/app:2
      copies.example.com |           | Keep    | nginx:1.27                         | copies.example.com/docker.io/library/nginx:1.27
      localhost:5000     | c         | Keep    | registry.local:5000/team/app:1     | localhost:5000/c/registry.local_5000/team/app:1
      copies.example.com | keep      | Keep    | nginx:1.27@SHA                     | copies.example.com/keep/docker.io/library/nginx:1.27@SHA
      copies.example.com | keep      | Keep    | nginx@SHA                          | copies.example.com/keep/docker.io/library/nginx:digest-sha256-HEX@SHA
      docker.io          | myorg     | Flatten | nginx:1.27                         | docker.io/myorg/docker.io_library_nginx:1.27
      quay.io            | org       | Flatten | ghcr.io/my_org/app:1               | quay.io/org/ghcr.io_my__u__org_app:1
      """)
  void whereTheCopyGoes(String registry, String repository, Naming naming, String source, String expected) {
    Policy policy = policy(registry, repository, naming);
    String hex = SHA.substring("sha256:".length());

    ImageReference destination = policy.destinationFor(ImageReference.parse(source.replace("SHA", SHA)));

    assertThat(destination.toString()).isEqualTo(expected.replace("SHA", SHA).replace("HEX", hex));
    assertThat(policy.isUnderDestination(destination)).as("a copy lives under the destination").isTrue();
  }

  @Test
  void differentSourcesNeverShareADestination() {
    Policy keep = policy("copies.example.com", "keep", Naming.Keep);
    Policy flatten = policy("docker.io", "myorg", Naming.Flatten);
    List<String> sources = List.of("nginx:1.27", "library/nginx:1.27", "docker.io/library/nginx:1.28",
        "ghcr.io/library/nginx:1.27", "ghcr.io/library_nginx:1.27", "ghcr.io/library/nginx_x:1.27");

    for (Policy policy : List.of(keep, flatten)) {
      List<ImageReference> destinations = sources.stream().map(ImageReference::parse).distinct()
          .map(policy::destinationFor).toList();
      assertThat(destinations).as("%s", policy.naming()).doesNotHaveDuplicates().hasSize(5);
    }
  }

  @Test
  void aSourceWhoseCopyNameWouldBeTooLongIsRefusedNamingTheSource() {
    // 255 characters is the limit of a repository name; the prefix and the source's registry add to it.
    Policy policy = policy("copies.example.com", "keep", Naming.Keep);
    String source = "ghcr.io/acme/" + "a".repeat(220) + ":1";

    assertThatThrownBy(() -> policy.destinationFor(ImageReference.parse(source)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a".repeat(220));
  }

  // --- isUnderDestination ---

  @ParameterizedTest(name = "{0}/{1}: {2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      copies.example.com | keep | copies.example.com/keep/docker.io/library/nginx:1.27 | true
      copies.example.com | keep | copies.example.com/keep:1                            | true
      copies.example.com | keep | COPIES.example.com/keep/x:1                          | true
      copies.example.com | keep | copies.example.com/keeper/x:1                        | false
      copies.example.com | keep | copies.example.com/other/keep/x:1                    | false
      copies.example.com | keep | copies.example.com:443/keep/x:1                      | false
      copies.example.com | keep | other.example.com/keep/x:1                           | false
      copies.example.com | keep | nginx:1.27                                           | false
      copies.example.com |      | copies.example.com/anything/at/all:1                 | true
      copies.example.com | a/b  | copies.example.com/a/b/c:1                           | true
      copies.example.com | a/b  | copies.example.com/a/bc:1                            | false
      copies.example.com | a/b  | copies.example.com/a/x:1                             | false
      docker.io          | myorg| myorg/app:1                                          | true
      docker.io          | myorg| nginx:1.27                                           | false
      """)
  void whatLivesUnderTheDestination(String registry, String repository, String image, boolean under) {
    Policy policy = policy(registry, repository == null ? "" : repository, Naming.Keep);

    assertThat(policy.isUnderDestination(ImageReference.parse(image))).isEqualTo(under);
  }

  @Test
  void aDestinationSpeltIndexDockerIoStillRecognisesItsCopies() {
    // Image references normalise index.docker.io to docker.io; the destination must be compared the same
    // way, or every copy would be taken for a new source and copied again, without end.
    Policy policy = policy("index.docker.io", "myorg", Naming.Flatten);
    ImageReference copy = ImageReference.parse(policy.destinationFor(ImageReference.parse("nginx:1.27")).toString());

    assertThat(policy.isUnderDestination(copy)).isTrue();
    assertThat(policy.isUnderDestination(ImageReference.parse("index.docker.io/myorg/app:1"))).isTrue();
    assertThat(policy.isUnderDestination(ImageReference.parse("nginx:1.27"))).isFalse();
  }

  // --- redirects ---

  @Test
  void aRedirectOfDockerHubServesFromTheMirrorFirstThenTheSource() {
    Policy policy = withRedirects(new Redirect("docker.io/", "project-a.azurecr.io/docker-mirror/"));

    Resolution resolution = policy.redirects().resolve(ImageReference.parse("docker.io/nats:2.10.26-alpine"));

    assertThat(resolution.candidates()).extracting(c -> c.reference().toString()).containsExactly(
        "project-a.azurecr.io/docker-mirror/library/nats:2.10.26-alpine",
        "docker.io/library/nats:2.10.26-alpine");
    assertThat(resolution.candidates()).extracting(Candidate::mirror).containsExactly(true, false);
    assertThat(resolution.blocked()).isFalse();
  }

  @ParameterizedTest(name = "{0} -> {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      docker.io        | mirror.example.com/hub  | nginx                     | mirror.example.com/hub/library/nginx:latest
      docker.io        | mirror.example.com/hub  | bitnami/redis:7@SHA       | mirror.example.com/hub/bitnami/redis:7@SHA
      ghcr.io/org      | mirror.example.com/gh   | ghcr.io/org/app:1         | mirror.example.com/gh/app:1
      ghcr.io/org/     | mirror.example.com/gh/  | ghcr.io/org/team/app:1    | mirror.example.com/gh/team/app:1
      ghcr.io/org      | mirror.example.com/gh   | ghcr.io/organisation/app:1| ghcr.io/organisation/app:1
      quay.io          | mirror.example.com/quay | ghcr.io/org/app:1         | ghcr.io/org/app:1
      """)
  void theFirstCandidateOfARedirect(String src, String to, String image, String first) {
    Policy policy = withRedirects(new Redirect(src, to));

    assertThat(candidates(policy, image.replace("SHA", SHA))).first().isEqualTo(first.replace("SHA", SHA));
  }

  @Test
  void theLongestMatchingRedirectWinsAndRedirectsOfOneSourceKeepTheirOrder() {
    Policy policy = withRedirects(
        new Redirect("docker.io", "hub-a.example.com/all"),
        new Redirect("docker.io/bitnami", "hub-b.example.com/bitnami"),
        new Redirect("docker.io", "hub-c.example.com/all"));

    assertThat(candidates(policy, "bitnami/redis:7")).containsExactly(
        "hub-b.example.com/bitnami/redis:7", "docker.io/bitnami/redis:7");
    assertThat(candidates(policy, "nginx:1.27")).containsExactly(
        "hub-a.example.com/all/library/nginx:1.27", "hub-c.example.com/all/library/nginx:1.27",
        "docker.io/library/nginx:1.27");
  }

  @Test
  void withoutRedirectsASourceResolvesToItself() {
    Policy policy = policy("copies.example.com", "keep", Naming.Keep);

    assertThat(candidates(policy, "nginx:1.27")).containsExactly("docker.io/library/nginx:1.27");
  }

  @ParameterizedTest(name = "src \"{0}\" to \"{1}\"")
  @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
      null                 | mirror.example.com
      docker.io            | null
      ''                   | mirror.example.com
      docker.io            | https://mirror.example.com
      it's.example.com     | mirror.example.com
      docker.io            | mirror.example.com/it's
      docker.io            | '  '
      """)
  void aRedirectThatCannotBeReadMakesThePolicyInvalidNotBroken(String src, String to) {
    assertThatThrownBy(() -> withRedirects(new Redirect(src, to)))
        .isInstanceOfSatisfying(InvalidPolicyException.class,
            e -> assertThat(e.problems()).extracting(PolicyProblem::field).containsExactly("spec.redirects[0]"));
  }
}
