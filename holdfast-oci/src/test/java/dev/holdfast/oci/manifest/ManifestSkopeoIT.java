package dev.holdfast.oci.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.reference.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests against skopeo, the reference client: we parse what skopeo and the example OCI layout
 * (examples/upstream) wrote, and skopeo accepts what our writer writes.
 */
class ManifestSkopeoIT {
  static final Path UPSTREAM = Path.of("..", "examples", "upstream").toAbsolutePath().normalize();
  /** The multi-arch sample image of examples/upstream (see examples/upstream-src/build.py). */
  static final String HELLO = "registry.example.com/samples/hello:1.0";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static byte[] blob(Path layout, Digest digest) throws IOException {
    return Files.readAllBytes(layout.resolve("blobs").resolve(digest.algorithm()).resolve(digest.encoded()));
  }

  static String skopeo(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("skopeo %s:%n%s", String.join(" ", args), output).isZero();
    return output;
  }

  @Test
  void everyManifestOfTheExampleLayoutParsesWithTheDigestAndSizeItsParentRecords() throws IOException {
    Manifest top = Manifest.parse(Files.readAllBytes(UPSTREAM.resolve("index.json")), null);
    List<Manifest> seen = new ArrayList<>();
    walk(UPSTREAM, (ImageIndex) top, seen);
    assertThat(seen).hasSizeGreaterThanOrEqualTo(6)
        .hasAtLeastOneElementOfType(ImageIndex.class).hasAtLeastOneElementOfType(ImageManifest.class);
  }

  private static void walk(Path layout, ImageIndex index, List<Manifest> seen) throws IOException {
    for (Descriptor entry : index.manifests()) {
      Manifest child = Manifest.parse(blob(layout, entry.digest()), entry.mediaType());
      assertThat(child.digest()).isEqualTo(entry.digest());
      assertThat(child.size()).isEqualTo(entry.size());
      assertThat(child.mediaType()).isEqualTo(entry.mediaType());
      seen.add(child);
      switch (child) {
        case ImageIndex nested -> walk(layout, nested, seen);
        case ImageManifest image -> {
          assertThat(Files.size(layout.resolve("blobs/sha256").resolve(image.config().digest().encoded())))
              .isEqualTo(image.config().size());
          for (Descriptor layer : image.layers()) {
            assertThat(blob(layout, layer.digest())).hasSize((int) layer.size());
          }
        }
      }
    }
  }

  @Test
  void dockerListAndManifestsWrittenBySkopeoParse() throws Exception {
    Path out = dir.resolve("v2s2");
    skopeo("copy", "--all", "--format", "v2s2", "oci:" + UPSTREAM + ":" + HELLO, "dir:" + out);

    ImageIndex list = (ImageIndex) Manifest.parse(Files.readAllBytes(out.resolve("manifest.json")), null);
    assertThat(list.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    assertThat(list.manifests()).extracting(d -> d.platform().orElseThrow().toString())
        .containsExactlyInAnyOrder("linux/amd64", "linux/arm64");
    for (Descriptor entry : list.manifests()) {
      byte[] raw = Files.readAllBytes(out.resolve(entry.digest().encoded() + ".manifest.json"));
      ImageManifest image = (ImageManifest) Manifest.parse(raw, "application/octet-stream");
      assertThat(image.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
      assertThat(image.digest()).isEqualTo(entry.digest());
      assertThat(image.config().mediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
      assertThat(image.layers()).allSatisfy(l -> assertThat(l.mediaType()).isEqualTo(MediaTypes.DOCKER_LAYER_TAR_GZIP));
    }
  }

  @Test
  void skopeoAcceptsAPlatformFilteredIndexWrittenByUs() throws Exception {
    Path layout = dir.resolve("layout");
    copyTree(UPSTREAM, layout);
    ImageIndex top = (ImageIndex) Manifest.parse(Files.readAllBytes(layout.resolve("index.json")), null);
    Descriptor helloEntry = top.manifests().stream()
        .filter(d -> HELLO.equals(d.annotations().get("org.opencontainers.image.ref.name")))
        .findFirst().orElseThrow();
    ImageIndex hello = (ImageIndex) Manifest.parse(blob(layout, helloEntry.digest()), helloEntry.mediaType());

    ImageIndex filtered = hello.withManifests(hello.manifestsFor(Platform.parse("linux/arm64")));
    Files.write(layout.resolve("blobs/sha256").resolve(filtered.digest().encoded()), filtered.raw());
    ImageIndex newTop = top.withManifests(List.of(filtered.descriptor()
        .withAnnotations(Map.of("org.opencontainers.image.ref.name", "filtered"))));
    Files.write(layout.resolve("index.json"), newTop.raw());

    String raw = skopeo("inspect", "--raw", "oci:" + layout + ":filtered");
    assertThat(raw.strip()).isEqualTo(new String(filtered.raw(), StandardCharsets.UTF_8));

    Path out = dir.resolve("out");
    skopeo("copy", "--all", "oci:" + layout + ":filtered", "dir:" + out);
    JsonNode copied = JSON.readTree(out.resolve("manifest.json").toFile());
    assertThat(copied.get("manifests")).hasSize(1);
    Descriptor arm = filtered.manifests().get(0);
    assertThat(copied.get("manifests").get(0).get("digest").asText()).isEqualTo(arm.digest().toString());
    assertThat(out.resolve(arm.digest().encoded() + ".manifest.json")).exists();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target);
        }
      }
    }
  }
}
