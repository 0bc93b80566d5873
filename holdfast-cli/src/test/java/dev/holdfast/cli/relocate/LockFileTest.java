package dev.holdfast.cli.relocate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LockFileTest {
  private static final String D = "@sha256:" + "1".repeat(64);

  @Test
  void sortedOneLinePerImageAndReadBackTheSame() {
    SortedMap<String, String> images = new TreeMap<>();
    images.put("ghcr.io/org/app:v2", "r.example/keep/ghcr.io/org/app:v2" + D);
    images.put("[::1]:5000/app:1", "r.example/keep/ip6_0_0_0_0_0_0_0_1__5000/app:1" + D);
    images.put("docker.io/library/nginx:1.27", "[fd00::1]:5000/keep/docker.io/library/nginx:1.27" + D);
    String text = LockFile.render(images);
    assertThat(text).isEqualTo(LockFile.HEADER + """
        version: 1
        images:
          '[::1]:5000/app:1': r.example/keep/ip6_0_0_0_0_0_0_0_1__5000/app:1%1$s
          docker.io/library/nginx:1.27: '[fd00::1]:5000/keep/docker.io/library/nginx:1.27%1$s'
          ghcr.io/org/app:v2: r.example/keep/ghcr.io/org/app:v2%1$s
        """.formatted(D));
    assertThat(LockFile.parse(text, "lock.yaml")).isEqualTo(images);
  }

  @Test
  void anEmptyLockIsStillALock() {
    String text = LockFile.render(new TreeMap<>());
    assertThat(text).endsWith("version: 1\nimages: {}\n");
    assertThat(LockFile.parse(text, "lock.yaml")).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"kind: Deployment\n", "version: 2\nimages: {}\n", "version: 1\nimages: [a]\n",
      "version: 1\nimages: {a: {b: c}}\n", "version: 1\nimages: {a: [unclosed\n", ""})
  void whatIsNotALockIsRefusedNamingTheFile(String text) {
    assertThatThrownBy(() -> LockFile.parse(text, "--lock images.yaml"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--lock images.yaml: ");
  }
}
