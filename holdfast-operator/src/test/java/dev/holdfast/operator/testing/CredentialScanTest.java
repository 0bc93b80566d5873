package dev.holdfast.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The scan the load and fault tests rely on finds a credential in each form it travels in. */
class CredentialScanTest {
  private static final CredentialScan.Secret SECRET = new CredentialScan.Secret("pusher", "s3cret-Pa55word");

  @Test
  void findsThePasswordAsWrittenAndBase64EncodedAloneOrWithTheUser() {
    CredentialScan scan = CredentialScan.empty()
        .add("log", "login failed for pusher with s3cret-Pa55word")
        .add("Events", "auth cHVzaGVyOnMzY3JldC1QYTU1d29yZA== rejected") // base64 of pusher:s3cret-Pa55word
        .add("status", "token czNjcmV0LVBhNTV3b3Jk") // base64 of s3cret-Pa55word
        .add("metrics", "holdfast_images{state=\"verified\"} 3");

    assertThat(scan.findings(List.of(SECRET))).containsExactly("log: the password of pusher",
        "Events: the base64 user:password of pusher", "status: the base64 password of pusher");
  }

  @Test
  void findsNothingWhereTheUserAloneAppears() {
    assertThat(CredentialScan.empty().add("log", "pushed as pusher").findings(List.of(SECRET))).isEmpty();
  }

  @Test
  void capturesTheLogLinesAndTheMessagesOfTheExceptionsLogged() {
    try (CredentialScan.Logs logs = CredentialScan.captureLogs()) {
      LoggerFactory.getLogger("dev.holdfast.test").warn("copy of {} failed", "nginx:1.27",
          new IllegalStateException("outer", new IllegalArgumentException("inner detail")));

      assertThat(logs.text()).contains("copy of nginx:1.27 failed", "outer", "inner detail");
    }
  }
}
