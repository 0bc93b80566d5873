package dev.holdfast.operator.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The original-images annotation: written in a stable form, read back leniently. */
class OriginalImagesTest {

  private static Map<String, String> annotated(String value) {
    Map<String, String> annotations = new HashMap<>();
    annotations.put("other", "kept");
    annotations.put(OriginalImages.ANNOTATION, value);
    return annotations;
  }

  // --- round trip ---

  @Test
  void whatIsWrittenReadsBack() {
    Map<String, String> originals = Map.of("containers/web", "nginx:1.27",
        "initContainers/migrate", "ghcr.io/acme/migrate@sha256:" + "e".repeat(64),
        "volumes/models", "weird \"quoted\" \\ value");

    assertThat(OriginalImages.read(annotated(OriginalImages.write(originals)))).isEqualTo(originals);
  }

  @Test
  void theWrittenFormIsCompactJsonWithSortedKeys() throws Exception {
    Map<String, String> first = new LinkedHashMap<>();
    first.put("containers/web", "nginx:1.27");
    first.put("containers/cache", "redis:7");
    Map<String, String> second = new LinkedHashMap<>();
    second.put("containers/cache", "redis:7");
    second.put("containers/web", "nginx:1.27");

    String written = OriginalImages.write(first);

    assertThat(written).isEqualTo("{\"containers/cache\":\"redis:7\",\"containers/web\":\"nginx:1.27\"}");
    assertThat(OriginalImages.write(second)).isEqualTo(written);
    assertThat(new ObjectMapper().readTree(written).size()).isEqualTo(2);
  }

  @Test
  void nothingRecordedIsAnEmptyObject() {
    assertThat(OriginalImages.write(Map.of())).isEqualTo("{}");
    assertThat(OriginalImages.read(annotated("{}"))).isEmpty();
  }

  // --- absent and malformed: empty, never a crash ---

  @Test
  void noAnnotationsMeanNoOriginals() {
    assertThat(OriginalImages.read(null)).isEmpty();
    assertThat(OriginalImages.read(Map.of())).isEmpty();
    assertThat(OriginalImages.read(Map.of("other", "{\"containers/web\":\"nginx\"}"))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"", "   ", "not json", "{", "[\"nginx\"]", "\"nginx\"", "42", "null",
      "{\"containers/web\":{\"image\":\"nginx\"}}", "{\"containers/web\":[\"nginx\"]}"})
  void aMalformedAnnotationReadsAsNoOriginals(String value) {
    assertThat(OriginalImages.read(annotated(value))).isEmpty();
  }

  @Test
  void aNullAnnotationValueReadsAsNoOriginals() {
    assertThat(OriginalImages.read(annotated(null))).isEmpty();
  }

  @Test
  void entriesWithoutAnImageAreDroppedAndTheRestKept() {
    // Anyone who may edit the workload may edit the annotation.
    Map<String, String> read = OriginalImages.read(
        annotated("{\"containers/web\":null,\"containers/cache\":\"redis:7\"}"));

    assertThat(read).isEqualTo(Map.of("containers/cache", "redis:7"));
  }

  @Test
  void theResultIsImmutable() {
    Map<String, String> read = OriginalImages.read(annotated("{\"containers/web\":\"nginx\"}"));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> read.put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
