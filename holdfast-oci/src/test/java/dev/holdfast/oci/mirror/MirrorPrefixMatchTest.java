package dev.holdfast.oci.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Matching and validating prefixes as strings, as containers/image does. */
class MirrorPrefixMatchTest {

  @ParameterizedTest(name = "{0} ~ {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      # --- Boundaries: end, '/', ':' or '@'
      example.com/foo                | example.com/foo   | 15
      example.com/foo/bar            | example.com/foo   | 15
      example.com/foo:tag            | example.com/foo   | 15
      example.com/foo@sha256:abc     | example.com/foo   | 15
      example.com/foobar             | example.com/foo   | -1
      example.com/fo                 | example.com/foo   | -1
      example.com                    | example.com/foo   | -1
      # --- Ports
      example.com:5000/foo           | example.com       | 11
      example.com:5000/foo           | example.com:5000  | 16
      example.com:5001/foo           | example.com:5000  | -1
      example.com/foo                | example.com:5000  | -1
      # --- Wildcards: subdomains of any depth, host part only, never the bare domain
      a.example.com/foo              | *.example.com     | 13
      a.b.c.example.com/foo          | *.example.com     | 17
      a.example.com:5000/foo         | *.example.com     | 13
      a.example.com                  | *.example.com     | 13
      example.com/foo                | *.example.com     | -1
      a.example.company/foo          | *.example.com     | -1
      docker.io/a.example.com/foo    | *.example.com     | -1
      aexample.com/foo               | *.example.com     | -1
      """)
  void matchLength(String ref, String prefix, int expected) {
    assertThat(Prefixes.matchLength(ref, prefix)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} in {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      quay.io/ns/repo       | quay.io/ns       | true
      quay.io/ns            | quay.io/ns       | true
      quay.io/nsx           | quay.io/ns       | false
      a.example.com/ns      | *.example.com    | true
      a.example.com:5000/ns | *.example.com    | true
      example.com/ns        | *.example.com    | false
      """)
  void nestedScopes(String sub, String scope, boolean expected) {
    assertThat(Prefixes.isNested(sub, scope)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} valid: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      docker.io                      | true
      quay.io/ns/repo                | true
      localhost                      | true
      localhost:5000/ns              | true
      registry:5000                  | true
      [::1]:5000/ns                  | true
      example.com/foo:tag            | true
      *.example.com                  | true
      *.a.b.example.com              | true
      *.example.com/foo              | false
      *.example.com:5000             | false
      example.*.com                  | false
      *example.com                   | false
      https://example.com            | false
      library/nats                   | false
      nats                           | false
      example.com/UPPER              | false
      example.com//double            | false
      example.com/with space         | false
      """)
  void prefixGrammar(String prefix, boolean valid) {
    assertThat(Prefixes.prefixProblem(prefix)).as(prefix).matches(p -> p.isEmpty() == valid);
  }
}
