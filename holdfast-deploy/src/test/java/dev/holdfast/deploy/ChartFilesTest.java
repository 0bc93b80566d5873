package dev.holdfast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The chart and the kustomize base carry copies of deploy/crds (Helm cannot read files outside its
 * chart, kustomize outside its directory), and name the operator's version. Run with {@code
 * -Dholdfast.writeCrds=true} (make crds) to copy the CRDs after they changed.
 */
class ChartFilesTest {
  private static final Path ROOT = Path.of(System.getProperty("holdfast.root", "..")).toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("holdfast.version");

  @ParameterizedTest
  @CsvSource({
      "charts/holdfast/files/crds, imagepolicies.holdfast.dev.yaml",
      "charts/holdfast/files/crds, imagecopies.holdfast.dev.yaml",
      "deploy/kustomize/base/crds, imagepolicies.holdfast.dev.yaml",
      "deploy/kustomize/base/crds, imagecopies.holdfast.dev.yaml"})
  void theCopiesOfTheCrdsAreCurrent(String directory, String file) throws IOException {
    Path kept = ROOT.resolve("deploy/crds").resolve(file);
    Path copy = ROOT.resolve(directory).resolve(file);
    if (Boolean.getBoolean("holdfast.writeCrds")) {
      Files.copy(kept, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(copy).as("%s is stale: make crds", copy).hasSameTextualContentAs(kept);
  }

  @Test
  void theChartAndTheKustomizeBaseNameTheProjectsVersion() throws IOException {
    assertThat(Files.readAllLines(ROOT.resolve("charts/holdfast/Chart.yaml")))
        .contains("appVersion: \"" + VERSION + "\"");
    assertThat(Files.readAllLines(ROOT.resolve("deploy/kustomize/base/kustomization.yaml")))
        .contains("    newTag: " + VERSION);
  }
}
