package dev.holdfast.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRDs kept in deploy/crds are the ones the build generates from the classes of this package,
 * with the printer columns in the order the classes declare them (the generator sorts them by JSON
 * path). Run with {@code -Dholdfast.writeCrds=true} to write them after changing a class.
 */
class CrdFilesTest {
  private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");

  @ParameterizedTest
  @ValueSource(classes = {ImagePolicy.class, ImageCopy.class})
  void theKeptCrdIsTheGeneratedOne(Class<?> type) throws IOException {
    String plural = type.getAnnotation(io.fabric8.kubernetes.model.annotation.Plural.class).value();
    String name = plural + "." + ImageCopy.GROUP;
    String expected = render(type, Files.readString(GENERATED.resolve(name + "-v1.yml"), StandardCharsets.UTF_8));
    Path kept = root().resolve("deploy/crds").resolve(name + ".yaml");
    if (Boolean.getBoolean("holdfast.writeCrds")) {
      Files.writeString(kept, expected, StandardCharsets.UTF_8);
    }
    assertThat(kept).as("deploy/crds is stale: run this test with -Dholdfast.writeCrds=true").exists();
    assertThat(Files.readString(kept, StandardCharsets.UTF_8)).isEqualTo(expected);
  }

  static String render(Class<?> type, String generated) {
    CustomResourceDefinition crd = Serialization.unmarshal(generated, CustomResourceDefinition.class);
    List<String> order = Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name).toList();
    crd.getSpec().getVersions().forEach(version -> {
      if (version.getAdditionalPrinterColumns() != null) {
        version.getAdditionalPrinterColumns().sort(
            Comparator.comparingInt((CustomResourceColumnDefinition c) -> order.indexOf(c.getName())));
      }
    });
    return "# Generated from dev.holdfast.operator.api." + type.getSimpleName()
        + " by the build; CrdFilesTest keeps this copy current.\n" + Serialization.asYaml(crd);
  }

  private static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("deploy"))) {
        return p;
      }
    }
    throw new IllegalStateException("no deploy/ directory above " + Path.of("").toAbsolutePath());
  }
}
