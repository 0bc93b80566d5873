package dev.holdfast.oci.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.reference.ImageReference;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageLocationTest {

  @Test
  void equalWhenTheyNameTheSameImage() {
    ImageLocation registry = ImageLocation.parse("docker://registry.example.com/app:1.0");
    assertThat(registry).isEqualTo(ImageLocation.parse("registry.example.com/app:1.0"))
        .hasSameHashCodeAs(ImageLocation.parse("registry.example.com/app:1.0"));
    assertThat(registry).isNotEqualTo(ImageLocation.parse("registry.example.com/app:1.1"));

    ImageLocation layout = ImageLocation.parse("oci:/tmp/layout:app");
    assertThat(layout).isEqualTo(ImageLocation.Layout.of(Path.of("/tmp/layout"), "app"))
        .hasSameHashCodeAs(ImageLocation.Layout.of(Path.of("/tmp/layout"), "app"));
    assertThat(layout).isNotEqualTo(ImageLocation.parse("oci:/tmp/layout"))
        .isNotEqualTo(ImageLocation.parse("oci:/tmp/other:app"))
        .isNotEqualTo(registry);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      # input                               | directory       | name
      oci:/tmp/layout                       | /tmp/layout     | ''
      oci:/tmp/layout:latest                | /tmp/layout     | latest
      oci:relative/dir:v1.2                 | relative/dir    | v1.2
      oci:/b:docker.io/library/nginx:1.27   | /b              | docker.io/library/nginx:1.27
      oci:/b:app@sha256:abc                 | /b              | app@sha256:abc
      """)
  void layouts(String input, String directory, String name) {
    ImageLocation location = ImageLocation.parse(input);
    assertThat(location).isEqualTo(new ImageLocation.Layout(Path.of(directory),
        name.isEmpty() ? Optional.empty() : Optional.of(name)));
    assertThat(ImageLocation.parse(location.toString())).isEqualTo(location);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      nginx                              | docker.io/library/nginx:latest
      docker://nginx:1.27                | docker.io/library/nginx:1.27
      docker://localhost:5000/a/b:t      | localhost:5000/a/b:t
      ghcr.io/org/app:v1                 | ghcr.io/org/app:v1
      """)
  void registries(String input, String reference) {
    ImageLocation location = ImageLocation.parse(input);
    assertThat(location).isEqualTo(new ImageLocation.Registry(ImageReference.parse(reference)));
    assertThat(ImageLocation.parse(location.toString())).isEqualTo(location);
  }

  @ParameterizedTest(name = "rejects \"{0}\"")
  @ValueSource(strings = {"", " ", "oci:", "oci::tag", "oci:/dir:bad..name", "oci:/dir:-x", "docker:nginx",
      "dir:/tmp/x", "oci-archive:/tmp/x.tar", "docker://x/UPPER", "docker://"})
  void rejects(String input) {
    assertThatThrownBy(() -> ImageLocation.parse(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(input.isBlank() ? "empty" : input);
  }
}
