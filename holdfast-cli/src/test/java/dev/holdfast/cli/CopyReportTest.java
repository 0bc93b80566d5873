package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.copy.CopyException;
import dev.holdfast.oci.copy.CopyOptions;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.copy.CopyStats;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.reference.Digest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CopyReportTest {
  private static final CopyRequest REQUEST = CopyRequest.of(ImageLocation.parse("nginx:1.27"),
      ImageLocation.parse("oci:/tmp/x:n"), CopyOptions.defaults());
  private static final Digest DIGEST = Digest.sha256(new byte[] {1});
  private static final CopyResult COPIED = new CopyResult.Copied(REQUEST, REQUEST.source(), DIGEST, DIGEST, false,
      new CopyStats(2048, 2, 1, 0, 1, 0, 2), Duration.ofMillis(1500));
  private static final CopyResult PRESENT = new CopyResult.AlreadyPresent(REQUEST, REQUEST.source(), DIGEST,
      CopyStats.NONE, Duration.ZERO);
  private static final CopyResult FAILED = new CopyResult.Failed(REQUEST, Optional.empty(),
      new CopyException("read docker://docker.io/library/nginx:1.27: no such image"), CopyStats.NONE, Duration.ZERO);

  @Test
  void exitCodesTellAllFromSomeFromNone() {
    assertThat(CopyReport.exitCode(List.of(COPIED, PRESENT))).isZero();
    assertThat(CopyReport.exitCode(List.of(FAILED, FAILED))).isEqualTo(1);
    assertThat(CopyReport.exitCode(List.of(COPIED, FAILED))).isEqualTo(3);
  }

  @Test
  void jsonHasOneEntryPerImageAndASummary() throws Exception {
    StringWriter text = new StringWriter();
    CopyReport.printJson(new PrintWriter(text), List.of(COPIED, PRESENT, FAILED));
    JsonNode json = new ObjectMapper().readTree(text.toString());
    assertThat(json.path("images")).hasSize(3);
    assertThat(json.path("images").get(0).path("status").asText()).isEqualTo("copied");
    assertThat(json.path("images").get(0).path("bytes").asLong()).isEqualTo(2048);
    assertThat(json.path("images").get(0).path("blobsHashedByDestination").asInt()).isEqualTo(2);
    assertThat(json.path("images").get(1).path("status").asText()).isEqualTo("present");
    assertThat(json.path("images").get(2).path("error").asText()).contains("no such image");
    assertThat(json.path("summary").path("exitCode").asInt()).isEqualTo(3);
    assertThat(json.path("summary").path("failed").asInt()).isEqualTo(1);
  }

  @Test
  void tableEndsWithTotals() {
    StringWriter text = new StringWriter();
    CopyReport.printTable(new PrintWriter(text), List.of(COPIED, PRESENT, FAILED));
    assertThat(text.toString()).contains("STATUS").contains("copied").contains("present").contains("failed")
        .contains("3 images: 1 copied, 1 already present, 1 failed; 2.0 KiB transferred");
  }

  @ParameterizedTest
  @CsvSource({"0, 0 B", "1023, 1023 B", "1024, 1.0 KiB", "1572864, 1.5 MiB", "1073741824, 1.0 GiB"})
  void bytesAreHumanReadable(long bytes, String text) {
    assertThat(CopyReport.bytes(bytes)).isEqualTo(text);
  }

  @Test
  void aMirrorThatServedTheImageIsNamedInTableLineAndJson() throws Exception {
    ImageLocation mirror = ImageLocation.parse("mirror.local/hub/library/nginx:1.27");
    CopyRequest request = new CopyRequest(List.of(ImageLocation.parse("down.local/hub/library/nginx:1.27"), mirror),
        ImageLocation.parse("oci:/tmp/x:n"), CopyOptions.defaults(), ImageLocation.parse("nginx:1.27"));
    CopyResult copied = new CopyResult.Copied(request, mirror, DIGEST, DIGEST, false, CopyStats.NONE, Duration.ZERO);

    StringWriter table = new StringWriter();
    CopyReport.printTable(new PrintWriter(table), List.of(copied, COPIED));
    assertThat(table.toString()).contains("docker://docker.io/library/nginx:1.27")
        .contains(DIGEST + " (from docker://mirror.local/hub/library/nginx:1.27)")
        .doesNotContain("down.local");
    assertThat(table.toString().lines().filter(l -> l.contains("(from "))).hasSize(1);
    assertThat(CopyReport.line(copied)).startsWith("copied  docker://docker.io/library/nginx:1.27 -> ")
        .endsWith("(from docker://mirror.local/hub/library/nginx:1.27)");
    StringWriter json = new StringWriter();
    CopyReport.printJson(new PrintWriter(json), List.of(copied));
    JsonNode image = new ObjectMapper().readTree(json.toString()).path("images").get(0);
    assertThat(image.path("source").asText()).isEqualTo("docker://docker.io/library/nginx:1.27");
    assertThat(image.path("servedBy").asText()).isEqualTo("docker://mirror.local/hub/library/nginx:1.27");
  }
}
