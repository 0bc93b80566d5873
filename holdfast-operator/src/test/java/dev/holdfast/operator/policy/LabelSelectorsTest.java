package dev.holdfast.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Kubernetes label selector semantics. Labels in the tables are written {@code k=v,k2=v2}; {@code -}
 * is no labels at all (a null map).
 */
class LabelSelectorsTest {

  private static Map<String, String> labels(String text) {
    if (text == null || text.equals("-")) {
      return null;
    }
    Map<String, String> labels = new HashMap<>();
    for (String pair : text.split(",")) {
      if (!pair.isBlank()) {
        String[] kv = pair.split("=", 2);
        labels.put(kv[0].strip(), kv.length > 1 ? kv[1].strip() : "");
      }
    }
    return labels;
  }

  private static LabelSelectorRequirement requirement(String key, String operator, String values) {
    return new LabelSelectorRequirement(key, operator,
        values == null ? null : values.isEmpty() ? List.of() : Arrays.asList(values.split(" ")));
  }

  // --- no selector, empty selector ---

  @ParameterizedTest(name = "labels {0}")
  @CsvSource(value = {"-", "''", "team=a", "holdfast.dev/skip=true"})
  void nullAndEmptySelectorsSelectEverything(String labels) {
    assertThat(LabelSelectors.matches(null, labels(labels))).isTrue();
    assertThat(LabelSelectors.matches(new LabelSelector(), labels(labels))).isTrue();
    assertThat(LabelSelectors.matches(new LabelSelector(List.of(), Map.of()), labels(labels))).isTrue();
  }

  // --- matchLabels ---

  @ParameterizedTest(name = "{0} against {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      team=a          | team=a                | true
      team=a          | team=a,env=prod       | true
      team=a,env=prod | team=a,env=prod,x=y   | true
      team=a,env=prod | team=a                | false
      team=a          | team=b                | false
      team=a          | Team=a                | false
      team=a          | team=A                | false
      team=a          | ''                    | false
      team=a          | -                     | false
      team=           | team=                 | true
      team=           | -                     | false
      """)
  void matchLabels(String selector, String labels, boolean matches) {
    LabelSelector labelSelector = new LabelSelectorBuilder().withMatchLabels(labels(selector)).build();

    assertThat(LabelSelectors.matches(labelSelector, labels(labels))).isEqualTo(matches);
  }

  // --- matchExpressions ---

  @ParameterizedTest(name = "{0} {1} [{2}] against {3}: {4}")
  @CsvSource(delimiter = '|', textBlock = """
      env | In           | prod staging | env=prod        | true
      env | In           | prod staging | env=staging     | true
      env | In           | prod staging | env=dev         | false
      env | In           | prod         | ''              | false
      env | In           | prod         | -               | false
      env | In           | ''           | env=prod        | false
      env | NotIn        | prod staging | env=dev         | true
      env | NotIn        | prod staging | env=prod        | false
      env | NotIn        | prod         | other=x         | true
      env | NotIn        | prod         | -               | true
      env | Exists       | ''           | env=            | true
      env | Exists       | ''           | env=prod        | true
      env | Exists       | ''           | other=prod      | false
      env | Exists       | ''           | -               | false
      env | DoesNotExist | ''           | other=x         | true
      env | DoesNotExist | ''           | -               | true
      env | DoesNotExist | ''           | env=            | false
      env | DoesNotExist | ''           | env=prod        | false
      """)
  void matchExpressions(String key, String operator, String values, String labels, boolean matches) {
    LabelSelector selector = new LabelSelectorBuilder().withMatchExpressions(requirement(key, operator, values))
        .build();

    assertThat(LabelSelectors.matches(selector, labels(labels))).isEqualTo(matches);
  }

  @Test
  void everyLabelAndEveryExpressionMustHold() {
    LabelSelector selector = new LabelSelectorBuilder().addToMatchLabels("team", "a")
        .withMatchExpressions(requirement("env", "In", "prod staging"), requirement("legacy", "DoesNotExist", null))
        .build();

    assertThat(LabelSelectors.matches(selector, labels("team=a,env=prod"))).isTrue();
    assertThat(LabelSelectors.matches(selector, labels("team=b,env=prod"))).as("label fails").isFalse();
    assertThat(LabelSelectors.matches(selector, labels("team=a,env=dev"))).as("In fails").isFalse();
    assertThat(LabelSelectors.matches(selector, labels("team=a,env=prod,legacy=1"))).as("DoesNotExist fails")
        .isFalse();
  }

  // --- invalid but must not crash: such a selector selects nothing ---

  @ParameterizedTest(name = "operator \"{0}\"")
  @CsvSource(value = {"in", "Equals", "''", "null"}, nullValues = "null")
  void anUnknownOperatorSelectsNothing(String operator) {
    LabelSelector selector = new LabelSelectorBuilder().withMatchExpressions(requirement("env", operator, "prod"))
        .build();

    assertThat(LabelSelectors.matches(selector, labels("env=prod"))).isFalse();
    assertThat(LabelSelectors.matches(selector, Map.of("env", "prod"))).isFalse();
  }

  @ParameterizedTest(name = "{0} without key")
  @CsvSource({"Exists", "In", "DoesNotExist", "NotIn"})
  void anExpressionWithoutKeySelectsNothing(String operator) {
    // Namespace labels are held in an immutable map, where looking up a null key throws.
    LabelSelector selector = new LabelSelectorBuilder().withMatchExpressions(requirement(null, operator, "x"))
        .build();

    assertThat(LabelSelectors.matches(selector, Map.of("env", "prod"))).isFalse();
    assertThat(LabelSelectors.matches(selector, null)).isFalse();
  }

  @Test
  void aMatchLabelWithoutValueOrKeySelectsNothing() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("env", null);
    Map<String, String> nullKey = new HashMap<>();
    nullKey.put(null, "prod");

    assertThat(LabelSelectors.matches(new LabelSelectorBuilder().withMatchLabels(nullValue).build(),
        Map.of("other", "x"))).isFalse();
    assertThat(LabelSelectors.matches(new LabelSelectorBuilder().withMatchLabels(nullKey).build(),
        Map.of("env", "prod"))).isFalse();
  }
}
