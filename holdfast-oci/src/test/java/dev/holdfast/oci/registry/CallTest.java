package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CallTest {

  @Test
  void anInMemoryBodyIsWrittenAgainForEachAttempt() throws IOException {
    byte[] data = "0123456789".getBytes(StandardCharsets.US_ASCII);
    Call call = Call.of("r.io", "patch", "PATCH", "/x").body(data, 2, 5);
    assertThat(call.bodyLength).isEqualTo(5);
    assertThat(call.replayable).isTrue();
    for (int attempt = 0; attempt < 2; attempt++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      call.body.writeTo(out, new byte[4]);
      assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("23456");
    }
  }
}
