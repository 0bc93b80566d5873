package dev.holdfast.oci.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.reference.ImageReference;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageListFileTest {

  private static List<String> read(String resource) throws URISyntaxException {
    Path file = Path.of(ImageListFileTest.class.getResource("/workloads/" + resource).toURI());
    return ImageListFile.read(file).stream().map(ImageReference::toString).toList();
  }

  @Test
  void deploymentsAndCronJobsAcrossDocuments() throws Exception {
    assertThat(read("deployment-and-cronjob.yaml")).containsExactly(
        "ghcr.io/example/migrate:2.0",
        "docker.io/library/nginx:1.27",
        "docker.io/library/busybox@sha256:" + "a".repeat(64),
        "registry.example.com:5000/tools/backup:1");
  }

  @Test
  void everyWorkloadKindInAList() throws Exception {
    assertThat(read("list-of-everything.yaml")).containsExactly(
        "docker.io/library/alpine:3.20",
        "docker.io/nicolaka/netshoot:v0.13",
        "docker.io/library/postgres:16",
        "quay.io/prometheus/node-exporter:v1.8.2",
        "docker.io/library/nginx:1.27",
        "docker.io/library/python:3.12-slim");
  }

  @Test
  void imageVolumesCountToo() {
    String pod = """
        kind: Pod
        metadata: {name: p}
        spec:
          containers: [{name: c, image: "nginx:1.27"}]
          volumes:
            - {name: data, emptyDir: {}}
            - {name: models, image: {reference: "ghcr.io/example/models:v1", pullPolicy: IfNotPresent}}
        """;
    assertThat(ImageListFile.parse(pod, "pod.yaml")).map(ImageReference::toString)
        .containsExactly("docker.io/library/nginx:1.27", "ghcr.io/example/models:v1");
    assertThatThrownBy(() -> ImageListFile.parse(pod.replace("\"ghcr.io/example/models:v1\"", "[x]"), "pod.yaml"))
        .hasMessage("pod.yaml Pod/p volumes[1]: \"image.reference\" must be a non-empty string");
  }

  @Test
  void imagesKeyWithoutDuplicates() throws Exception {
    assertThat(read("images-key.yaml"))
        .containsExactly("docker.io/library/nginx:1.27", "ghcr.io/example/app:v2");
  }

  @Test
  void plainSequence() throws Exception {
    assertThat(read("plain-sequence.yaml"))
        .containsExactly("docker.io/library/nginx:latest", "localhost:5000/a/b:c");
  }

  @Test
  void badImageNamesTheWorkloadAndContainer() {
    assertThatThrownBy(() -> read("bad-image.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad-image.yaml")
        .hasMessageContaining("Deployment/broken containers[0]");
  }

  @ParameterizedTest(name = "rejects {0}")
  @ValueSource(strings = {"images: nginx", "- [nested]", "just: a map", "key: [unclosed", "- 42"})
  void rejectsWhatIsNotAnImageList(String yaml) {
    assertThatThrownBy(() -> ImageListFile.parse(yaml, "inline.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("inline.yaml");
  }

  @Test
  void brokenYamlIsOneLineWithWhere() {
    assertThatThrownBy(() -> ImageListFile.parse("- nginx\n- [unclosed\n", "list.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("list.yaml: not valid YAML at line 3, column 1: while parsing a flow sequence: expected ',' or ']',"
            + " but got <stream end>");
  }

  @Test
  void aContainerWithoutAnImageNamesTheFileTheObjectAndTheContainer() {
    String pod = """
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: c
              image: ""
        """;
    assertThatThrownBy(() -> ImageListFile.parse("- nginx\n---\n" + pod, "pods.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pods.yaml (document 2) Pod/p containers[0]: \"image\" must be a non-empty string");
  }

  @Test
  void emptyDocumentsAreFine() {
    assertThat(ImageListFile.parse("---\n---\n- nginx\n", "x")).hasSize(1);
  }
}
