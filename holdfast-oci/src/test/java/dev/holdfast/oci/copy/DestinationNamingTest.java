package dev.holdfast.oci.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.copy.DestinationNaming.Scheme;
import dev.holdfast.oci.reference.ImageReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DestinationNamingTest {
  private static final String HEX = "a".repeat(64);

  @ParameterizedTest(name = "keep {0} + {1} = {2}")
  @CsvSource(delimiter = '|', textBlock = """
      # target                   | source                                  | destination
      backup.example.com/keep    | nginx:1.27                              | backup.example.com/keep/docker.io/library/nginx:1.27
      backup.example.com         | ghcr.io/org/app:v1                      | backup.example.com/ghcr.io/org/app:v1
      localhost:5000/m           | localhost:5001/a/b:t                    | localhost:5000/m/localhost_5001/a/b:t
      localhost:5000/m           | [::1]:5001/a:t                          | localhost:5000/m/ip6_0_0_0_0_0_0_0_1__5001/a:t
      localhost:5000/m           | [::1]/a:t                               | localhost:5000/m/ip6_0_0_0_0_0_0_0_1/a:t
      r.example/m                | Quay.IO/org/app:t                       | r.example/m/quay.io/org/app:t
      r.example/m                | nginx:1.27@sha256:AAA                   | r.example/m/docker.io/library/nginx:1.27@sha256:AAA
      r.example/m                | nginx@sha256:AAA                        | r.example/m/docker.io/library/nginx:digest-sha256-AAA@sha256:AAA
      """)
  void keep(String target, String source, String destination) {
    DestinationNaming naming = DestinationNaming.of(target, Scheme.KEEP, null);
    assertThat(naming.destinationFor(ImageReference.parse(source.replace("AAA", HEX))))
        .hasToString("docker://" + destination.replace("AAA", HEX));
  }

  @ParameterizedTest(name = "flatten {0} sep {1} + {2} = {3}")
  @CsvSource(delimiter = '|', textBlock = """
      # target                   | sep | source                       | destination
      docker.io/myorg            | _   | nginx:1.27                   | docker.io/myorg/docker.io_library_nginx:1.27
      quay.io/org                | _   | ghcr.io/my_org/app:v1        | quay.io/org/ghcr.io_my__u__org_app:v1
      quay.io/org                | _   | ghcr.io/my__org/app:v1       | quay.io/org/ghcr.io_my__uu__org_app:v1
      quay.io/org                | _   | ghcr.io/my-org/app:v1        | quay.io/org/ghcr.io_my-org_app:v1
      quay.io/org                | -   | ghcr.io/my-org/app:v1        | quay.io/org/ghcr.io-my__h1__org-app:v1
      quay.io/org                | -   | ghcr.io/my--org/app:v1       | quay.io/org/ghcr.io-my--org-app:v1
      quay.io/org                | .   | ghcr.io/org/app:v1           | quay.io/org/ghcr__d__io.org.app:v1
      quay.io/org                | _   | localhost:5000/app:v1        | quay.io/org/localhost__u__5000_app:v1
      quay.io/org                | _   | app@sha256:AAA               | quay.io/org/docker.io_library_app:digest-sha256-AAA@sha256:AAA
      """)
  void flatten(String target, String separator, String source, String destination) {
    DestinationNaming naming = DestinationNaming.of(target, Scheme.FLATTEN, separator);
    assertThat(naming.destinationFor(ImageReference.parse(source.replace("AAA", HEX))))
        .hasToString("docker://" + destination.replace("AAA", HEX));
  }

  // The pairs that a plain join would merge must stay apart.
  @ParameterizedTest(name = "flatten {0}: {1} != {2}")
  @CsvSource(delimiter = '|', textBlock = """
      _   | r.io/a/b_c:t       | r.io/a_b/c:t
      _   | r.io/a/b__c:t      | r.io/a__b/c:t
      _   | r.io/a_b/c:t       | r.io/a__b/c:t
      _   | localhost:5000/a:t | localhost/5000/a:t
      -   | r.io/a/b-c:t       | r.io/a-b/c:t
      .   | r.io/a/b.c:t       | r.io/a.b/c:t
      .   | r.io/a.b:t         | r.io/a/b:t
      -   | r-x.io/a:t         | r.io/x/a:t
      """)
  void flattenKeepsLookalikesApart(String separator, String first, String second) {
    DestinationNaming naming = DestinationNaming.of("quay.io/org", Scheme.FLATTEN, separator);
    assertThat(naming.destinationFor(ImageReference.parse(first)))
        .isNotEqualTo(naming.destinationFor(ImageReference.parse(second)));
  }

  @Test
  void noTwoRandomSourcesCollide() {
    // Random names over an alphabet rich in separators, where collisions would show up.
    Random random = new Random(42);
    String[] pieces = {"a", "b", "1", "_", "__", ".", "-", "--", "u", "d", "h1"};
    List<DestinationNaming> namings = List.of(
        DestinationNaming.of("r.example/p", Scheme.KEEP, null),
        DestinationNaming.of("r.example/ns", Scheme.FLATTEN, "_"),
        DestinationNaming.of("r.example/ns", Scheme.FLATTEN, "-"),
        DestinationNaming.of("r.example/ns", Scheme.FLATTEN, "."),
        DestinationNaming.of("r.example/ns", Scheme.FLATTEN, "--"));
    List<ImageReference> sources = new ArrayList<>();
    String[] hosts = {"docker.io", "a.b", "a-b", "localhost:5000", "localhost", "[::1]:5000", "a.b:1"};
    while (sources.size() < 4000) {
      StringBuilder path = new StringBuilder();
      int components = 1 + random.nextInt(3);
      for (int c = 0; c < components; c++) {
        path.append(c == 0 ? "" : "/").append("a");
        int length = random.nextInt(4);
        for (int i = 0; i < length; i++) {
          path.append(pieces[random.nextInt(pieces.length)]);
        }
        path.append("b");
      }
      try {
        sources.add(ImageReference.parse(hosts[random.nextInt(hosts.length)] + "/" + path + ":t"));
      } catch (IllegalArgumentException invalidCombination) {
        // e.g. "a_-b" is not a valid path component; skip it
      }
    }
    for (DestinationNaming naming : namings) {
      Map<String, ImageReference> seen = new HashMap<>();
      for (ImageReference source : sources) {
        String destination = naming.destinationFor(source).toString();
        ImageReference previous = seen.putIfAbsent(destination, source);
        assertThat(previous == null || previous.equals(source))
            .as("%s maps %s and %s both to %s", naming, previous, source, destination)
            .isTrue();
      }
      assertThat(seen).hasSizeGreaterThan(1000);
    }
  }

  @Test
  void layoutTargetNamesEachImageByItsSource() {
    DestinationNaming naming = DestinationNaming.of("oci:/tmp/copies", Scheme.KEEP, null);
    assertThat(naming.destinationFor(ImageReference.parse("nginx:1.27")))
        .isEqualTo(ImageLocation.Layout.of(Path.of("/tmp/copies"), "docker.io/library/nginx:1.27"));
    assertThat(naming.destinationFor(ImageReference.parse("[::1]:5000/app:1")))
        .isEqualTo(ImageLocation.Layout.of(Path.of("/tmp/copies"), "ip6_0_0_0_0_0_0_0_1:5000/app:1"));
  }

  @ParameterizedTest(name = "rejects {0} / {1}")
  @CsvSource(delimiter = '|', textBlock = """
      docker.io          | FLATTEN | _
      docker.io/org      | FLATTEN | __
      docker.io/org      | FLATTEN | x
      ''                 | KEEP    | _
      oci:/tmp/x:name    | KEEP    | _
      bad_host/org       | KEEP    | _
      r.io/UPPER         | KEEP    | _
      """)
  void rejectsBadTargets(String target, Scheme scheme, String separator) {
    assertThatThrownBy(() -> DestinationNaming.of(target, scheme, separator))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage())
            .containsAnyOf(target.isEmpty() ? "target" : "\"" + target + "\"", "\"" + separator + "\""));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      bad target/x        | registry host "bad target" is invalid
      r.io/UPPER          | repository name "UPPER" must be lower case
      r.io/org//x         | repository name "org//x" has an empty path component
      r.io:99999/org      | registry port "99999" is invalid
      docker://r.io/a-/b  | repository path component "a-" is invalid
      """)
  void aBadTargetIsNamedWithWhatIsWrongInIt(String target, String problem) {
    assertThatThrownBy(() -> DestinationNaming.of(target, Scheme.KEEP, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("invalid target \"" + target + "\": " + problem)
        .hasMessageNotContaining("/x:t");
  }

  @Test
  void tooLongNamesAreRefusedWithTheSource() {
    DestinationNaming naming = DestinationNaming.of("r.example/" + "p".repeat(200), Scheme.KEEP, null);
    ImageReference source = ImageReference.parse("ghcr.io/" + "x".repeat(60) + ":1");
    assertThatThrownBy(() -> naming.destinationFor(source))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(source.toString())
        .hasMessageContaining("255");
  }
}
