package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LinkHeaderTest {

  static Stream<Arguments> links() {
    return Stream.of(
        // --- what distribution sends
        Arguments.of(List.of("</v2/app/tags/list?last=b&n=2>; rel=\"next\""),
            Optional.of("/v2/app/tags/list?last=b&n=2")),
        // --- unquoted, upper case, extra params, absolute target
        Arguments.of(List.of("<https://r.example/v2/x/tags/list?n=1&last=a>; REL=next; type=\"json\""),
            Optional.of("https://r.example/v2/x/tags/list?n=1&last=a")),
        // --- several links in one header and across headers; next is not first
        Arguments.of(List.of("</first>; rel=\"first\", </second>; rel=\"next\""), Optional.of("/second")),
        Arguments.of(List.of("</prev>; rel=prev", "</n>; rel=next"), Optional.of("/n")),
        // --- several relation types in one rel
        Arguments.of(List.of("</both>; rel=\"prev next\""), Optional.of("/both")),
        // --- a ';' or ',' inside a quoted parameter does not split
        Arguments.of(List.of("</a>; title=\"x; rel=next, y\"; rel=\"last\", </b>; rel=\"next\""),
            Optional.of("/b")),
        // --- none
        Arguments.of(List.of(), Optional.empty()),
        Arguments.of(List.of("</a>; rel=\"last\""), Optional.empty()),
        Arguments.of(List.of("</a>; rel=\"nextpage\""), Optional.empty()),
        // --- malformed: no crash
        Arguments.of(List.of("<unterminated; rel=next"), Optional.empty()),
        Arguments.of(List.of("garbage"), Optional.empty()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("links")
  void findsTheNextLink(List<String> headers, Optional<String> expected) {
    assertThat(LinkHeader.next(headers)).isEqualTo(expected);
  }
}
