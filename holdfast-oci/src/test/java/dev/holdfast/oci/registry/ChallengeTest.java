package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChallengeTest {

  private static Challenge c(String scheme, String... keyValues) {
    java.util.LinkedHashMap<String, String> params = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      params.put(keyValues[i], keyValues[i + 1]);
    }
    return new Challenge(scheme, params, null);
  }

  static Stream<Arguments> headers() {
    return Stream.of(
        // --- the shapes registries send
        Arguments.of("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\"",
            List.of(c("Bearer", "realm", "https://auth.docker.io/token", "service", "registry.docker.io"))),
        Arguments.of("Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:a/b:pull\"",
            List.of(c("Bearer", "realm", "https://ghcr.io/token", "service", "ghcr.io",
                "scope", "repository:a/b:pull"))),
        Arguments.of("Basic realm=\"Registry Realm\"", List.of(c("Basic", "realm", "Registry Realm"))),
        Arguments.of("basic realm=registry", List.of(c("basic", "realm", "registry"))),
        // --- commas inside quotes, several scopes, escapes
        Arguments.of("Bearer realm=\"r\",scope=\"repository:a:pull,push repository:b:pull\"",
            List.of(c("Bearer", "realm", "r", "scope", "repository:a:pull,push repository:b:pull"))),
        Arguments.of("Bearer realm=\"a \\\"quoted\\\" realm\\\\x\"",
            List.of(c("Bearer", "realm", "a \"quoted\" realm\\x"))),
        // --- whitespace around '=' and ',' (BWS, OWS), parameter names are case-insensitive
        Arguments.of("Bearer  realm = \"r\" ,  Service=s", List.of(c("Bearer", "realm", "r", "service", "s"))),
        // --- several challenges in one header
        Arguments.of("Basic realm=\"b\", Bearer realm=\"t\",service=\"s\"",
            List.of(c("Basic", "realm", "b"), c("Bearer", "realm", "t", "service", "s"))),
        Arguments.of("Bearer realm=\"t\", Basic realm=\"b\"",
            List.of(c("Bearer", "realm", "t"), c("Basic", "realm", "b"))),
        Arguments.of("Negotiate, Basic realm=x", List.of(c("Negotiate"), c("Basic", "realm", "x"))),
        Arguments.of(",, Basic realm=x ,,", List.of(c("Basic", "realm", "x"))),
        // --- a scheme alone, empty quoted value, first duplicate wins
        Arguments.of("Bearer", List.of(c("Bearer"))),
        Arguments.of("Bearer realm=\"\"", List.of(c("Bearer", "realm", ""))),
        Arguments.of("Bearer realm=a, realm=b", List.of(c("Bearer", "realm", "a"))),
        // --- invalid input: never throws, keeps what parsed
        Arguments.of("", List.of()),
        Arguments.of("   ", List.of()),
        Arguments.of("Bearer realm=\"unterminated", List.of(c("Bearer"))),
        Arguments.of("=oops", List.of()),
        Arguments.of("Bearer realm=\"r\" junk", List.of(c("Bearer", "realm", "r"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("headers")
  void parsesChallenges(String header, List<Challenge> expected) {
    assertThat(Challenge.parse(header)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("token68")
  void parsesToken68(String header, String scheme, String token68) {
    List<Challenge> parsed = Challenge.parse(header);
    assertThat(parsed).hasSize(1);
    assertThat(parsed.get(0).scheme()).isEqualTo(scheme);
    assertThat(parsed.get(0).token68()).isEqualTo(token68);
    assertThat(parsed.get(0).params()).isEmpty();
  }

  static Stream<Arguments> token68() {
    return Stream.of(
        Arguments.of("Negotiate abc123", "Negotiate", "abc123"),
        Arguments.of("Negotiate YWJj==", "Negotiate", "YWJj=="),
        Arguments.of("Custom a.b-c_d~e+f/g=", "Custom", "a.b-c_d~e+f/g="));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void recognisesSchemesCaseInsensitively(String header, boolean bearer, boolean basic) {
    Challenge challenge = Challenge.parse(header).get(0);
    assertThat(challenge.isBearer()).isEqualTo(bearer);
    assertThat(challenge.isBasic()).isEqualTo(basic);
    assertThat(challenge.param("REALM")).contains("r");
  }

  static Stream<Arguments> schemes() {
    return Stream.of(
        Arguments.of("Bearer realm=r", true, false),
        Arguments.of("BEARER realm=r", true, false),
        Arguments.of("basic realm=r", false, true),
        Arguments.of("Digest realm=r", false, false));
  }

  @org.junit.jupiter.api.Test
  void parsesAllHeaderValues() {
    assertThat(Challenge.parseAll(List.of("Basic realm=a", "Bearer realm=b")))
        .extracting(Challenge::scheme).containsExactly("Basic", "Bearer");
    assertThat(Challenge.parse(null)).isEmpty();
    assertThat(c("Bearer", "realm", "x").params()).isEqualTo(Map.of("realm", "x"));
  }
}
