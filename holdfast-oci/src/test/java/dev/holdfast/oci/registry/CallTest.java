package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CallTest {

  @Test
  void callsUseTheLeanTransportUnlessTheJdkClientIsAskedFor() {
    assertThat(Call.of("r.io", "get", "GET", "/v2/").direct).isTrue();
    String before = System.getProperty(Call.TRANSPORT_PROPERTY);
    System.setProperty(Call.TRANSPORT_PROPERTY, "jdk");
    try {
      assertThat(Call.of("r.io", "get", "GET", "/v2/").direct).isFalse();
      // a streamed upload can only go over the lean transport
      assertThat(Call.of("r.io", "put", "PUT", "/x").streamedBody((out, buffer) -> { }, 0).direct).isTrue();
    } finally {
      if (before == null) {
        System.clearProperty(Call.TRANSPORT_PROPERTY);
      } else {
        System.setProperty(Call.TRANSPORT_PROPERTY, before);
      }
    }
  }

  @Test
  void anInMemoryBodyIsWrittenAgainForEachAttempt() throws IOException {
    byte[] data = "0123456789".getBytes(StandardCharsets.US_ASCII);
    Call call = Call.of("r.io", "patch", "PATCH", "/x").body(data, 2, 5);
    assertThat(call.directLength).isEqualTo(5);
    assertThat(call.replayable).isTrue();
    for (int attempt = 0; attempt < 2; attempt++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      call.directBody.writeTo(out, new byte[4]);
      assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("23456");
    }
  }
}
