package dev.holdfast.cli.relocate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuotingTest {

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      // each style kept where it is valid for the value
      "PLAIN|r.example/app:1@sha256:ab|r.example/app:1@sha256:ab",
      "SINGLE|r.example/app:1@sha256:ab|'r.example/app:1@sha256:ab'",
      "DOUBLE|r.example/app:1@sha256:ab|\"r.example/app:1@sha256:ab\"",
      "OTHER|r.example/app:1@sha256:ab|r.example/app:1@sha256:ab",
      // an IPv6 registry cannot start a plain scalar (nor sit in a flow collection unquoted)
      "PLAIN|[::1]:5000/app:1|'[::1]:5000/app:1'",
      "OTHER|[::1]:5000/app:1|'[::1]:5000/app:1'",
      "DOUBLE|[::1]:5000/app:1|\"[::1]:5000/app:1\"",
      // what no reference holds, quoted safely all the same
      "PLAIN|a: b|'a: b'",
      "PLAIN|it's|'it''s'",
      "SINGLE|it's|'it''s'",
      "DOUBLE|say \"x\"|'say \"x\"'",
      "PLAIN|``|''",
  })
  void rendersInTheSameStyleWhereThatIsValid(Quoting quoting, String value, String written) {
    assertThat(quoting.render(value)).isEqualTo(written);
  }
}
