package dev.holdfast.oci.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The topological merge of mirror lists given for one source, as the machine-config-operator does it. */
class MirrorSetMergeTest {

  private static List<List<String>> lists(String text) {
    return Arrays.stream(text.split(";")).map(String::strip)
        .map(l -> Arrays.stream(l.split(",")).map(String::strip).toList()).toList();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      # --- Relative order kept
      a,b,c ; c,d,e         | a,b,c,d,e
      c,d,e ; a,b,c         | a,b,c,d,e
      a,b ; a,b             | a,b
      a ; b                 | a,b
      b ; a                 | a,b
      z,y ; y,x             | z,y,x
      a,c ; b,c             | a,b,c
      # --- Conflicting orders: not rejected; the cycle is broken at its first mirror by name
      a,b ; b,a             | a,b
      b,a ; a,b             | a,b
      x,b,a ; a,b           | x,a,b
      """)
  void mergesKeepingRelativeOrder(String input, String expected) {
    assertThat(MirrorSetMerger.topologicalOrder(lists(input)))
        .containsExactlyElementsOf(lists(expected).getFirst());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      src,a,b ; b,c       | false | a,b,c
      a,b ; src           | false | a,b
      a ; b               | true  | a,b
      """)
  void dropsTheSourceAndBlocksOnNeverContactSource(String input, boolean blockSecond, String expected) {
    MirrorSetMerger merger = new MirrorSetMerger();
    List<List<String>> sets = lists(input);
    merger.add("src", sets.get(0), false, "first");
    merger.add("src", sets.get(1), blockSecond, "second");
    MirrorSetMerger.Merged merged = merger.merged().getFirst();
    assertThat(merged.mirrors()).containsExactlyElementsOf(lists(expected).getFirst());
    assertThat(merged.blocked()).isEqualTo(blockSecond);
  }
}
