package dev.holdfast.cli.relocate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManifestScannerTest {

  /** path=value as written (the exact range), quoting, line:column, for each image found. */
  private static List<String> scan(String yaml) {
    return ManifestScanner.scan(yaml, "m.yaml").stream()
        .map(s -> s.path() + "=" + yaml.substring(s.start(), s.end()) + " " + s.quoting() + " " + s.line() + ":"
            + s.column())
        .toList();
  }

  // ---- where images are

  @Test
  void everyContainerListAndImageVolumesOfAPodSpecInOrder() {
    assertThat(scan("""
        kind: Pod
        metadata: {name: p}
        spec:
          volumes: [{name: v, image: {reference: models:1}}, {name: e, emptyDir: {}}]
          ephemeralContainers: [{name: d, image: debug:1}]
          containers: [{name: c, image: app:1}]
          initContainers: [{name: i, image: init:1}]
        """)).containsExactly(
            "spec.initContainers[0].image=init:1 PLAIN 7:37",
            "spec.containers[0].image=app:1 PLAIN 6:33",
            "spec.ephemeralContainers[0].image=debug:1 PLAIN 5:42",
            "spec.volumes[0].image.reference=models:1 PLAIN 4:42");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "Pod|spec|spec.containers[0].image",
      "Deployment|spec: {template: {spec|spec.template.spec.containers[0].image",
      "StatefulSet|spec: {template: {spec|spec.template.spec.containers[0].image",
      "DaemonSet|spec: {template: {spec|spec.template.spec.containers[0].image",
      "ReplicaSet|spec: {template: {spec|spec.template.spec.containers[0].image",
      "ReplicationController|spec: {template: {spec|spec.template.spec.containers[0].image",
      "Job|spec: {template: {spec|spec.template.spec.containers[0].image",
      "CronJob|spec: {jobTemplate: {spec: {template: {spec|spec.jobTemplate.spec.template.spec.containers[0].image",
      "PodTemplate|template: {spec|template.spec.containers[0].image",
  })
  void everyWorkloadKind(String kind, String opening, String path) {
    long braces = opening.chars().filter(c -> c == '{').count();
    String yaml = "kind: " + kind + "\n" + opening + ": {containers: [{name: c, image: app:1}]}" + "}".repeat((int) braces)
        + "\n";
    List<ImageScalar> found = ManifestScanner.scan(yaml, "m.yaml");
    assertThat(found).extracting(ImageScalar::path).containsExactly(path);
    assertThat(found.get(0).object()).isEqualTo(kind + "/?");
  }

  @Test
  void otherKindsAndDocumentsThatAreNotObjectsArePassedOver() {
    assertThat(scan("""
        kind: ConfigMap
        data: {image: nginx:1.27}
        ---
        - nginx:1.27
        ---
        just a string
        ---
        ---
        kind: Rollout
        spec: {template: {spec: {containers: [{name: c, image: app:1}]}}}
        """)).isEmpty();
  }

  @Test
  void listsAndTheirItemsNestedAtAnyDepth() {
    List<ImageScalar> found = ManifestScanner.scan("""
        kind: List
        items:
          - kind: ConfigMap
          - kind: DeploymentList
            items:
              - kind: Deployment
                metadata: {name: web}
                spec: {template: {spec: {containers: [{name: c, image: app:1}]}}}
        """, "m.yaml");
    assertThat(found).singleElement().satisfies(s -> {
      assertThat(s.path()).isEqualTo("items[1].items[0].spec.template.spec.containers[0].image");
      assertThat(s.object()).isEqualTo("Deployment/web");
      assertThat(s.document()).isEqualTo(1);
    });
  }

  @Test
  void documentsAreCountedAsYamlCountsThem() {
    List<ImageScalar> found = ManifestScanner.scan("""
        # Source: chart/templates/a.yaml
        ---
        ---
        # Source: chart/templates/b.yaml
        kind: Pod
        spec: {containers: [{name: c, image: app:1}]}
        ...
        ---
        kind: Pod
        spec: {containers: [{name: c, image: app:2}]}
        """, "m.yaml");
    assertThat(found).extracting(ImageScalar::document).containsExactly(2, 3);
  }

  @Test
  void unsetAndEmptyImagesAreLeftOut() {
    assertThat(scan("""
        kind: Pod
        spec:
          containers:
            - {name: a}
            - {name: b, image: }
            - {name: c, image: ~}
            - {name: d, image: ""}
          volumes: [{name: v, image: {}}, {name: w, image: {reference: null}}]
        """)).isEmpty();
  }

  // ---- the exact range of each scalar, and how it is written

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "`image: app:1`|app:1|PLAIN",
      "`image: app:1   # comment`|app:1|PLAIN",
      "`image: 'app:1'`|'app:1'|SINGLE",
      "`image: \"app:1\"`|\"app:1\"|DOUBLE",
      "`image: &img app:1`|app:1|PLAIN",
      "`image: !!str app:1`|app:1|PLAIN",
      "`image: &a !!str 'app:1'`|'app:1'|SINGLE",
      "`image: \"ap\\x70:1\"`|\"ap\\x70:1\"|OTHER",
  })
  void theRangeIsTheScalarAlone(String field, String written, Quoting quoting) {
    String yaml = "kind: Pod\nspec:\n  containers:\n  - name: c\n    " + field + "\n  - name: d\n";
    assertThat(scan(yaml)).containsExactly("spec.containers[0].image=" + written + " " + quoting + " 5:"
        + (field.indexOf(written) + 5));
  }

  @Test
  void aBlockScalarEndsWithItsTextNotItsLineBreaks() {
    String yaml = "kind: Pod\nspec:\n  containers:\n  - name: c\n    image: >-\n      app:1\n\n    args: [x]\n";
    List<ImageScalar> found = ManifestScanner.scan(yaml, "m.yaml");
    assertThat(found).singleElement().satisfies(s -> {
      assertThat(yaml.substring(s.start(), s.end())).isEqualTo(">-\n      app:1");
      assertThat(s.value()).isEqualTo("app:1");
      assertThat(s.quoting()).isEqualTo(Quoting.OTHER);
    });
  }

  @Test
  void charactersOutsideTheBasicPlaneBeforeAnImageDoNotShiftItsRange() {
    String yaml = "# 🚀🚀 emoji\nkind: Pod # ✓ 𝄞\nspec: {containers: [{name: \"𝄞\", image: app:1}]}\n";
    List<ImageScalar> found = ManifestScanner.scan(yaml, "m.yaml");
    assertThat(found).singleElement().satisfies(s -> {
      assertThat(yaml.substring(s.start(), s.end())).isEqualTo("app:1");
      assertThat(s.line()).isEqualTo(3);
      assertThat(s.column()).isEqualTo(40); // in characters as a reader counts them: 𝄞 is one
    });
  }

  @Test
  void anImageReachedThroughAnAliasOrAMergeKeyIsItsAnchor() {
    String yaml = """
        kind: Pod
        spec:
          initContainers: [&base {name: i, image: &img app:1}]
          containers:
            - {name: c, image: *img}
            - {<<: *base, name: d}
        """;
    List<ImageScalar> found = ManifestScanner.scan(yaml, "m.yaml");
    assertThat(found).hasSize(3).allSatisfy(s -> assertThat(yaml.substring(s.start(), s.end())).isEqualTo("app:1"))
        .extracting(ImageScalar::start).containsOnly(yaml.indexOf("app:1"));
  }

  // ---- bad input

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "{name: c, image: {x: 1}}|m.yaml:3:38 (document 1, Pod/p, spec.containers[0].image): an image must be a string, not a mapping",
      "{name: c, image: [a]}|m.yaml:3:38 (document 1, Pod/p, spec.containers[0].image): an image must be a string, not a sequence",
      "{name: c, image: 42}|m.yaml:3:38 (document 1, Pod/p, spec.containers[0].image): an image must be a string, not the int 42",
      "{name: c, image: true}|m.yaml:3:38 (document 1, Pod/p, spec.containers[0].image): an image must be a string, not the bool true",
  })
  void anImageThatIsNotAStringNamesWhereItIs(String container, String message) {
    assertThatThrownBy(() -> ManifestScanner.scan("kind: Pod\nmetadata: {name: p}\nspec: {containers: [" + container
        + "]}\n", "m.yaml")).isInstanceOf(ManifestException.class).hasMessage(message);
  }

  @Test
  void yamlThatDoesNotParseNamesThePositionAndTheDocument() {
    assertThatThrownBy(() -> ManifestScanner.scan("kind: Pod\n---\nkind: Pod\n  spec: x\n", "m.yaml"))
        .isInstanceOf(ManifestException.class)
        .hasMessage("m.yaml:4:7 (document 2): not valid YAML: mapping values are not allowed here");
    assertThatThrownBy(() -> ManifestScanner.scan("kind: Pod\nspec: *nowhere\n", "m.yaml"))
        .hasMessage("m.yaml:2:7 (document 1): not valid YAML: found undefined alias nowhere");
  }

  @Test
  void aLargeRenderedChartIsNotRefusedForItsSize() {
    StringBuilder yaml = new StringBuilder();
    String document = "---\n# Source: big/templates/cm.yaml\nkind: ConfigMap\ndata: {blob: \"" + "x".repeat(100_000)
        + "\"}\n";
    while (yaml.length() < 4_000_000) {
      yaml.append(document);
    }
    yaml.append("---\nkind: Pod\nspec: {containers: [{name: c, image: app:1}]}\n");
    assertThat(ManifestScanner.scan(yaml.toString(), "big.yaml")).hasSize(1);
  }
}
