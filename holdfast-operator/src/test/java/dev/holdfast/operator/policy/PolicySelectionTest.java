package dev.holdfast.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.ImagePolicySpec.Destination;
import dev.holdfast.operator.policy.PolicySelection.Namespace;
import dev.holdfast.operator.policy.PolicySelection.Selection;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which policy covers an object: opt-outs first, then the ImagePolicies in name order, then the
 * implicit policy. A table row names the namespace, its labels ({@code k=v,k2=v2}), the object's
 * labels, and the policy expected ({@code -} for none).
 */
class PolicySelectionTest {
  private static final String OPERATOR_NAMESPACE = "holdfast-system";

  private static Policy policy(String name, LabelSelector selector, List<String> excludeNamespaces) {
    return Policy.of(name, new ImagePolicySpec(Destination.of("copies.example.com", name), selector,
        excludeNamespaces, null, null, null, null, null, null), 1);
  }

  private static Policy implicit() {
    return Policy.of(Policy.IMPLICIT, ImagePolicySpec.to(Destination.of("copies.example.com", "flags")), 0);
  }

  private static LabelSelector matchLabels(String key, String value) {
    return new LabelSelectorBuilder().addToMatchLabels(key, value).build();
  }

  private static LabelSelector expression(String key, String operator, String... values) {
    return new LabelSelectorBuilder().withMatchExpressions(new LabelSelectorRequirement(key, operator,
        List.of(values))).build();
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new HashMap<>();
    if (text != null && !text.equals("-")) {
      for (String pair : text.split(",")) {
        String[] kv = pair.split("=", 2);
        labels.put(kv[0], kv[1]);
      }
    }
    return labels;
  }

  private static String selected(List<Policy> policies, String namespace, String namespaceLabels,
      String objectLabels) {
    Selection selection = PolicySelection.select(policies, new Namespace(namespace, labels(namespaceLabels)),
        labels(objectLabels), OPERATOR_NAMESPACE);
    return selection instanceof Selection.Covered covered ? covered.policy().name() : "-";
  }

  /**
   * a-team: team=a; b-env: env In (prod, staging), never shop-legacy; c-tier: tier NotIn (batch,
   * dev); d-opted: opt-in Exists; e-no-opt: opt-in DoesNotExist, never shop-legacy; zeta: every
   * namespace. Only a-team and zeta exclude kube-system (the default). Passed in scrambled order:
   * the order must come from the names.
   */
  private static final List<Policy> POLICIES = List.of(
      policy("zeta", null, null),
      implicit(),
      policy("c-tier", expression("tier", "NotIn", "batch", "dev"), List.of()),
      policy("b-env", expression("env", "In", "prod", "staging"), List.of("shop-legacy")),
      policy("a-team", matchLabels("team", "a"), null),
      policy("e-no-opt", expression("holdfast.dev/opt-in", "DoesNotExist"), List.of("shop-legacy")),
      policy("d-opted", expression("holdfast.dev/opt-in", "Exists"), List.of()));

  // --- order and selectors ---

  @ParameterizedTest(name = "{0} [{1}] -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      shop            | team=a,env=prod                     | -   | a-team
      shop            | env=prod                            | -   | b-env
      shop            | env=staging,tier=batch              | -   | b-env
      shop-legacy     | env=prod,tier=web                   | -   | c-tier
      shop            | env=dev,tier=web                    | -   | c-tier
      shop            | -                                   | -   | c-tier
      shop            | tier=dev,holdfast.dev/opt-in=yes    | -   | d-opted
      shop            | tier=dev,holdfast.dev/opt-in=       | -   | d-opted
      shop            | tier=dev                            | -   | e-no-opt
      shop-legacy     | tier=batch                          | -   | zeta
      kube-system     | team=a,tier=dev                     | -   | e-no-opt
      kube-system     | tier=batch,holdfast.dev/opt-in=1    | -   | d-opted
      """)
  void theFirstPolicyByNameWhoseSelectorMatchesCovers(String namespace, String namespaceLabels,
      String objectLabels, String expected) {
    assertThat(selected(POLICIES, namespace, namespaceLabels, objectLabels)).isEqualTo(expected);
  }

  @Test
  void theInputOrderDoesNotMatter() {
    List<Policy> reversed = new ArrayList<>(POLICIES);
    Collections.reverse(reversed);
    List<Policy> shuffled = new ArrayList<>(POLICIES);
    Collections.shuffle(shuffled, new java.util.Random(42));

    for (List<Policy> order : List.of(POLICIES, reversed, shuffled)) {
      assertThat(selected(order, "shop", "env=prod", "-")).isEqualTo("b-env");
      assertThat(selected(order, "shop", "team=a,env=prod", "-")).isEqualTo("a-team");
      assertThat(selected(order, "shop-legacy", "tier=batch", "-")).isEqualTo("zeta");
    }
  }

  @Test
  void theImplicitPolicyComesLastEvenThoughItsNameSortsFirst() {
    // "holdfast-flags" sorts before "zeta"; the ImagePolicies still come first.
    List<Policy> policies = List.of(implicit(), policy("zeta", null, null));

    assertThat(selected(policies, "shop", "-", "-")).isEqualTo("zeta");
    assertThat(selected(List.of(implicit(), policy("aardvark", matchLabels("x", "y"), null)), "shop", "-", "-"))
        .isEqualTo(Policy.IMPLICIT);
  }

  @Test
  void theImplicitPolicyCoversWhatNoImagePolicyDoes() {
    List<Policy> policies = List.of(policy("alpha", matchLabels("team", "a"), null), implicit());

    assertThat(selected(policies, "shop", "team=b", "-")).isEqualTo(Policy.IMPLICIT);
  }

  @Test
  void theImplicitPolicyExcludesKubeSystemByDefaultToo() {
    assertThat(selected(List.of(implicit()), "kube-system", "-", "-")).isEqualTo("-");
  }

  @Test
  void anEmptyExcludeListCoversKubeSystem() {
    assertThat(selected(List.of(policy("all", null, List.of())), "kube-system", "-", "-")).isEqualTo("all");
  }

  @Test
  void excludeNamespacesIsAnExactNameMatch() {
    List<Policy> policies = List.of(policy("p", null, List.of("shop")));

    assertThat(selected(policies, "shop", "-", "-")).isEqualTo("-");
    assertThat(selected(policies, "shop-2", "-", "-")).isEqualTo("p");
    assertThat(selected(policies, "Shop", "-", "-")).isEqualTo("p");
  }

  @Test
  void theSelectorIsMatchedAgainstTheNamespacesLabelsNotTheObjects() {
    List<Policy> policies = List.of(policy("alpha", matchLabels("team", "a"), null));

    assertThat(selected(policies, "shop", "-", "team=a")).isEqualTo("-");
    assertThat(selected(policies, "shop", "team=a", "-")).isEqualTo("alpha");
  }

  // --- never covered ---

  @Test
  void theOperatorsOwnNamespaceIsNeverCovered() {
    Selection selection = PolicySelection.select(POLICIES, new Namespace(OPERATOR_NAMESPACE, Map.of()), Map.of(),
        OPERATOR_NAMESPACE);

    assertThat(selection).isInstanceOfSatisfying(Selection.NotCovered.class,
        s -> assertThat(s.reason()).contains(OPERATOR_NAMESPACE));
  }

  @ParameterizedTest(name = "namespace [{0}] object [{1}] -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      holdfast.dev/skip=true   | -                        | -
      holdfast.dev/skip=TRUE   | -                        | -
      holdfast.dev/skip=True   | -                        | -
      -                        | holdfast.dev/skip=true   | -
      team=a                   | holdfast.dev/skip=true   | -
      holdfast.dev/skip=false  | -                        | zeta
      holdfast.dev/skip=yes    | -                        | zeta
      holdfast.dev/skip=       | -                        | zeta
      -                        | holdfast.dev/skip=false  | zeta
      holdfast.dev/skip-x=true | skip=true                | zeta
      """)
  void theOptOutLabel(String namespaceLabels, String objectLabels, String expected) {
    List<Policy> policies = List.of(policy("zeta", null, null));

    assertThat(selected(policies, "shop", namespaceLabels, objectLabels)).isEqualTo(expected);
  }

  @Test
  void anOptedOutNamespaceIsReportedAsSuch() {
    Selection selection = PolicySelection.select(POLICIES,
        new Namespace("shop", Map.of(PolicySelection.SKIP_LABEL, "true")), Map.of(), OPERATOR_NAMESPACE);

    assertThat(selection).isInstanceOfSatisfying(Selection.NotCovered.class,
        s -> assertThat(s.reason()).contains("namespace shop").contains(PolicySelection.SKIP_LABEL));
  }

  @Test
  void withoutPoliciesNothingIsCovered() {
    Selection selection = PolicySelection.select(List.of(), new Namespace("shop", null), null, OPERATOR_NAMESPACE);

    assertThat(selection).isInstanceOfSatisfying(Selection.NotCovered.class,
        s -> assertThat(s.reason()).contains("shop"));
  }

  // --- absent labels, and the Namespace value ---

  @Test
  void absentLabelsAreNoLabels() {
    Selection selection = PolicySelection.select(List.of(policy("zeta", null, null)), new Namespace("shop", null),
        null, OPERATOR_NAMESPACE);

    assertThat(selection).isInstanceOfSatisfying(Selection.Covered.class,
        s -> assertThat(s.policy().name()).isEqualTo("zeta"));
    assertThat(PolicySelection.optedOut(null)).isFalse();
    assertThat(PolicySelection.optedOut(Map.of())).isFalse();
  }

  @Test
  void theNamespaceKeepsACopyOfItsLabels() {
    Map<String, String> labels = new HashMap<>(Map.of("team", "a"));
    Namespace namespace = new Namespace("shop", labels);
    labels.put(PolicySelection.SKIP_LABEL, "true");

    assertThat(namespace.labels()).containsOnlyKeys("team");
    assertThat(new Namespace("shop", null).labels()).isEmpty();
  }
}
