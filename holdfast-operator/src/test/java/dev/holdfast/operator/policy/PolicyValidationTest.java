package dev.holdfast.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.ImagePolicySpec.Destination;
import dev.holdfast.operator.api.ImagePolicySpec.Naming;
import dev.holdfast.operator.api.ImagePolicySpec.Redirect;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the CRD's schema cannot check. Every problem names its field; a spec that passes here must
 * give a usable {@link Policy} (so each valid case is also built).
 */
class PolicyValidationTest {

  private static Destination destination(String registry, String repository, Naming naming) {
    return new Destination(registry, repository, naming, null, null, null, null);
  }

  private static ImagePolicySpec spec(Destination destination) {
    return ImagePolicySpec.to(destination);
  }

  private static ImagePolicySpec withSelector(LabelSelector selector) {
    return new ImagePolicySpec(Destination.of("copies.example.com", ""), selector, null, null, null, null, null,
        null, null);
  }

  private static ImagePolicySpec withPatterns(List<String> include, List<String> exclude) {
    return new ImagePolicySpec(Destination.of("copies.example.com", ""), null, null, include, exclude, null, null,
        null, null);
  }

  private static LabelSelectorRequirement requirement(String key, String operator, String... values) {
    return new LabelSelectorRequirement(key, operator, values == null ? null : Arrays.asList(values));
  }

  private static List<String> fields(ImagePolicySpec spec) {
    return PolicyValidation.problems(spec).stream().map(PolicyProblem::field).toList();
  }

  private static void assertUsable(ImagePolicySpec spec) {
    assertThat(PolicyValidation.problems(spec)).isEmpty();
    assertThat(Policy.of("p", spec, 1)).isNotNull();
  }

  // --- destination ---

  @ParameterizedTest(name = "{0} / \"{1}\" {2}")
  @CsvSource(delimiter = '|', textBlock = """
      copies.example.com      | ''           | Keep
      copies.example.com      | keep         | Keep
      copies.example.com      | keep/deeper  | Keep
      localhost:5000          | ''           | Keep
      10.0.0.7:5000           | mirror       | Keep
      '[::1]:5000'            | mirror       | Keep
      docker.io               | myorg        | Flatten
      quay.io                 | org/team     | Flatten
      """)
  void usableDestinations(String registry, String repository, Naming naming) {
    assertUsable(spec(destination(registry, repository, naming)));
  }

  @ParameterizedTest(name = "registry \"{0}\"")
  @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
      null
      ''
      '   '
      """)
  void theRegistryIsRequired(String registry) {
    assertThat(PolicyValidation.problems(spec(destination(registry, "keep", Naming.Keep))))
        .containsExactly(new PolicyProblem("spec.destination.registry", "is required"));
  }

  @Test
  void theDestinationIsRequired() {
    assertThat(fields(spec(null))).containsExactly("spec.destination.registry");
  }

  @ParameterizedTest(name = "\"{0}\" / \"{1}\" -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      copies example.com           | ''            | spec.destination
      copies.example.com:99999     | ''            | spec.destination
      copies.example.com           | Upper         | spec.destination
      copies.example.com           | a//b          | spec.destination
      copies.example.com           | /keep         | spec.destination
      docker.io                    | ''            | spec.destination.repository
      """)
  void unusableDestinationsNameTheField(String registry, String repository, String field) {
    Naming naming = field.endsWith("repository") ? Naming.Flatten : Naming.Keep;

    List<PolicyProblem> problems = PolicyValidation.problems(spec(destination(registry, repository, naming)));

    assertThat(problems).extracting(PolicyProblem::field).containsExactly(field);
    assertThat(problems.get(0).message()).isNotBlank();
  }

  @ParameterizedTest(name = "registry \"{0}\", repository \"{1}\"")
  @CsvSource(delimiter = '|', textBlock = """
      docker://copies.example.com | keep       | spec.destination.registry
      https://copies.example.com  | ''         | spec.destination.registry
      oci:copies                  | ''         | spec.destination.registry
      copies.example.com/keep     | ''         | spec.destination.registry
      copies.example.com/         | keep       | spec.destination.registry
      oci:/var/lib/copies         | ''         | spec.destination.registry
      copies.example.com          | keep/      | spec.destination.repository
      """)
  void aDestinationThatIsNotABareRegistryAndRepositoryIsRefused(String registry, String repository, String field) {
    // The destination's registry is compared with the images' registry (and written into the pull
    // secrets) as it is spelt: a scheme, a path or a trailing slash there would hide every copy from
    // isUnderDestination, so copies would be copied again; an OCI layout is no registry at all.
    ImagePolicySpec spec = spec(destination(registry, repository, Naming.Keep));

    assertThat(fields(spec)).containsExactly(field);
  }

  // --- image patterns ---

  @Test
  void patternsThatAreEmptyOrHoldWhiteSpaceNameTheirIndex() {
    List<String> include = new ArrayList<>(Arrays.asList("docker.io/library/*", "", "ghcr.io/ org/*"));
    List<String> exclude = List.of("  ", "*:latest");

    List<PolicyProblem> problems = PolicyValidation.problems(withPatterns(include, exclude));

    assertThat(problems).extracting(PolicyProblem::field)
        .containsExactly("spec.includeImages[1]", "spec.includeImages[2]", "spec.excludeImages[0]");
    assertThat(problems.get(1).message()).contains("ghcr.io/ org/*").contains("white space");
  }

  @Test
  void usualPatternsAreUsable() {
    assertUsable(withPatterns(List.of("docker.io/library/*", "ghcr.io/acme/app", "*"),
        List.of("*:latest", "quay.io/?oo/*", "[weird]")));
  }

  // --- namespace selector ---

  @Test
  void wellFormedSelectorsAreUsable() {
    assertUsable(withSelector(null));
    assertUsable(withSelector(new LabelSelector()));
    assertUsable(withSelector(new LabelSelectorBuilder().addToMatchLabels("team", "a")
        .withMatchExpressions(requirement("env", "In", "prod", "staging"), requirement("tier", "NotIn", "x"),
            requirement("holdfast", "Exists"), requirement("legacy", "DoesNotExist"))
        .build()));
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
      env | In           | null   | .values
      env | NotIn        | ''     | .values
      env | Exists       | prod   | .values
      env | DoesNotExist | prod   | .values
      env | in           | prod   | .operator
      env | Equals       | prod   | .operator
      env | null         | null   | .operator
      env | ''           | null   | .operator
      """)
  void malformedExpressionsNameTheirField(String key, String operator, String value, String suffix) {
    String[] values = value == null ? null : value.isEmpty() ? new String[0] : new String[] {value};
    LabelSelector selector = new LabelSelectorBuilder()
        .withMatchExpressions(requirement("ok", "Exists"), requirement(key, operator, values)).build();

    assertThat(fields(withSelector(selector)))
        .containsExactly("spec.namespaceSelector.matchExpressions[1]" + suffix);
  }

  @ParameterizedTest(name = "key \"{0}\"")
  @CsvSource(value = {"null", "''", "'  '"}, nullValues = "null")
  void anExpressionWithoutAKeyIsRefused(String key) {
    // The CRD's schema does not require the key; a selector without one cannot select anything.
    LabelSelector selector = new LabelSelectorBuilder().withMatchExpressions(requirement(key, "Exists")).build();

    assertThat(fields(withSelector(selector))).containsExactly("spec.namespaceSelector.matchExpressions[0].key");
  }

  // --- redirects ---

  @Test
  void wellFormedRedirectsAreUsable() {
    assertUsable(new ImagePolicySpec(Destination.of("copies.example.com", ""), null, null, null, null, null, null,
        null, List.of(new Redirect("docker.io/", "project-a.azurecr.io/docker-mirror/"),
            new Redirect("ghcr.io/org", "mirror.example.com:5000/gh"), new Redirect("*.example.net", "m.example.com"))));
  }

  @Test
  void everyMalformedRedirectIsReportedWithItsIndexAndWithoutTheLoadersLocation() {
    ImagePolicySpec spec = new ImagePolicySpec(Destination.of("copies.example.com", ""), null, null, null, null,
        null, null, null, List.of(new Redirect("docker.io", "ok.example.com/hub"), new Redirect("", "x.example.com"),
            new Redirect("docker.io", "not a host"), new Redirect("ghcr.io", null)));

    List<PolicyProblem> problems = PolicyValidation.problems(spec);

    assertThat(problems).extracting(PolicyProblem::field)
        .containsExactly("spec.redirects[1]", "spec.redirects[2]", "spec.redirects[3]");
    assertThat(problems).allSatisfy(p -> assertThat(p.message()).isNotBlank().doesNotContain("redirects["));
  }

  // --- many problems at once, and a missing spec ---

  @Test
  void everyProblemIsReportedNotOnlyTheFirst() {
    ImagePolicySpec spec = new ImagePolicySpec(Destination.of(" ", ""),
        new LabelSelectorBuilder().withMatchExpressions(requirement("k", "Has")).build(), null, List.of(""),
        List.of("a b"), null, null, null, List.of(new Redirect("", "")));

    assertThat(fields(spec)).containsExactly("spec.destination.registry", "spec.includeImages[0]",
        "spec.excludeImages[0]", "spec.namespaceSelector.matchExpressions[0].operator", "spec.redirects[0]");
  }

  @Test
  void aPolicyWithoutSpecIsInvalidNotACrash() {
    // The CRD does not require spec; an ImagePolicy without one must be reported, not break every reconcile.
    assertThat(fields(null)).containsExactly("spec");
  }

  @Test
  void aPolicyNameLongerThanALabelValueCanHoldIsNamedAsTheProblem() {
    ImagePolicySpec spec = ImagePolicySpec.to(ImagePolicySpec.Destination.of("r.example.com", ""));
    assertThat(PolicyValidation.problems("a".repeat(PolicyValidation.MAX_NAME), spec)).isEmpty();
    assertThat(PolicyValidation.problems("a".repeat(PolicyValidation.MAX_NAME + 1), spec))
        .singleElement().satisfies(p -> {
          assertThat(p.field()).isEqualTo("metadata.name");
          assertThat(p.message()).contains("at most " + PolicyValidation.MAX_NAME);
        });
  }
}
