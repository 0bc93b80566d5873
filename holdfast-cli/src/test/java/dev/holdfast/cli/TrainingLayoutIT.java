package dev.holdfast.cli;

import static dev.holdfast.cli.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.cli.Cli.Run;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images bin/lib/training.sh writes for the training run of bin/holdfast's ahead-of-time
 * cache: a valid OCI layout that skopeo reads and Holdfast syncs, the same bytes on every run.
 */
class TrainingLayoutIT {
  @RegisterExtension static final RegistryExtension target = RegistryExtension.plain();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SCRIPT = Path.of("..", "bin", "lib", "training.sh").toAbsolutePath().normalize();

  @TempDir Path work;

  @Test
  void holdfastSyncsEveryImageAndSkopeoReadsTheSameDigests() throws Exception {
    Path layout = generate(work.resolve("images"));
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    assertThat(names(index)).containsExactly("registry.example.com/training/big:1",
        "registry.example.com/training/img-1:1", "registry.example.com/training/img-2:1",
        "registry.example.com/training/img-3:1");

    Run sync = run("sync", "--from", "oci:" + layout, "--to", target.hostPort() + "/copies");
    assertThat(sync.exitCode()).as(sync.err()).isZero();
    assertThat(sync.out()).contains("4 images: 4 copied, 0 already present, 0 failed");

    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    for (JsonNode entry : index.path("manifests")) {
      String name = entry.path("annotations").path("org.opencontainers.image.ref.name").asText();
      assertThat(skopeo.digestOf(target.image("copies/" + name))).as(name)
          .isEqualTo(entry.path("digest").asText());
    }
  }

  @Test
  void configsNameTheirLayersAndTheSmallImagesShareTheirBase() throws Exception {
    Path layout = generate(work.resolve("images"));
    List<JsonNode> manifests = new ArrayList<>();
    for (JsonNode entry : JSON.readTree(layout.resolve("index.json").toFile()).path("manifests")) {
      JsonNode manifest = blob(layout, entry.path("digest").asText());
      manifests.add(manifest);
      List<String> layers = manifest.path("layers").findValuesAsText("digest");
      JsonNode config = blob(layout, manifest.path("config").path("digest").asText());
      // uncompressed layers: the diff IDs are the layers' own digests
      assertThat(config.path("rootfs").path("diff_ids")).extracting(JsonNode::asText)
          .containsExactlyElementsOf(layers);
      assertThat(manifest.path("layers").get(0).path("mediaType").asText())
          .isEqualTo("application/vnd.oci.image.layer.v1.tar");
    }
    assertThat(manifests.get(0).path("layers")).hasSize(1);
    assertThat(manifests.get(0).path("layers").get(0).path("size").asLong()).isGreaterThan(1024 * 1024);
    String base = manifests.get(1).path("layers").get(0).path("digest").asText();
    assertThat(manifests.subList(1, manifests.size())).allSatisfy(m -> {
      assertThat(m.path("layers")).hasSize(2);
      assertThat(m.path("layers").get(0).path("digest").asText()).isEqualTo(base);
    });
    assertThat(manifests.stream().map(m -> m.path("layers").get(m.path("layers").size() - 1)
        .path("digest").asText()).distinct()).hasSize(manifests.size());
  }

  @Test
  void everyRunWritesTheSameBytes() throws Exception {
    Path first = generate(work.resolve("first"));
    Path second = generate(work.resolve("second"));
    assertThat(Files.readString(second.resolve("index.json")))
        .isEqualTo(Files.readString(first.resolve("index.json")));
    // named by their digests, so equal names are equal bytes: 5 layers (the shared base, 3 of
    // the small images' own, the large one), 4 configs, 4 manifests
    assertThat(list(first.resolve("blobs/sha256"))).hasSize(13)
        .isEqualTo(list(second.resolve("blobs/sha256")));
  }

  /** Runs holdfast_training_layout DIR 3 1: three small images and a 1 MiB one. */
  private static Path generate(Path dir) throws IOException, InterruptedException {
    assertThat(SCRIPT).as("bin/lib/training.sh, from the module directory").isRegularFile();
    Process bash = new ProcessBuilder("bash", "-c",
        "set -euo pipefail; source \"$1\"; holdfast_training_layout \"$2\" 3 1", "bash",
        SCRIPT.toString(), dir.toString())
        .redirectErrorStream(true).start();
    bash.getOutputStream().close();
    String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor(2, TimeUnit.MINUTES)).as("holdfast_training_layout finished").isTrue();
    assertThat(bash.exitValue()).as(output).isZero();
    assertThat(dir.resolve("oci-layout")).content().isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
    return dir;
  }

  private static List<String> names(JsonNode index) {
    List<String> names = new ArrayList<>();
    index.path("manifests").forEach(
        m -> names.add(m.path("annotations").path("org.opencontainers.image.ref.name").asText()));
    return names;
  }

  private static JsonNode blob(Path layout, String digest) throws IOException {
    return JSON.readTree(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())).toFile());
  }

  private static List<String> list(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
