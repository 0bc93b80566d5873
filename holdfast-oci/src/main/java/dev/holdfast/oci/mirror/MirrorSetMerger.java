package dev.holdfast.oci.mirror;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Merges the mirror lists that several ImageDigestMirrorSet / ImageTagMirrorSet /
 * ImageContentSourcePolicy entries give for the same source, the way the machine-config-operator
 * does (openshift/runtime-utils {@code pkg/registries}): a topological merge that keeps each list's
 * relative order ({@code a,b,c} with {@code c,d,e} gives {@code a,b,c,d,e}), ties broken by name,
 * a cycle broken at its alphabetically first mirror; a mirror equal to the source is dropped; any
 * NeverContactSource blocks the source; an entry with no real mirror is ignored altogether.
 */
final class MirrorSetMerger {

  /** One merged source: its mirrors in order, whether it is blocked, and where it came from. */
  record Merged(String source, List<String> mirrors, boolean blocked, String origin) {}

  private final Map<String, List<List<String>>> listsBySource = new TreeMap<>();
  private final Set<String> blockedSources = new TreeSet<>();
  private final Map<String, String> firstOrigin = new HashMap<>();

  void add(String source, List<String> mirrors, boolean neverContactSource, String origin) {
    List<String> real = mirrors.stream().filter(m -> !m.equals(source)).toList();
    if (real.isEmpty()) {
      return; // Not a mirror set; its source policy is ignored too, as the MCO does.
    }
    listsBySource.computeIfAbsent(source, s -> new ArrayList<>()).add(real);
    firstOrigin.putIfAbsent(source, origin);
    if (neverContactSource) {
      blockedSources.add(source);
    }
  }

  /** The merged sets, sorted by source. */
  List<Merged> merged() {
    List<Merged> result = new ArrayList<>();
    listsBySource.forEach(
        (source, lists) ->
            result.add(
                new Merged(
                    source,
                    topologicalOrder(lists),
                    blockedSources.contains(source),
                    firstOrigin.get(source))));
    return result;
  }

  /**
   * Kahn's algorithm over the "comes before" edges of consecutive mirrors. Ready nodes are taken
   * first-in first-out; the nodes that become ready together are queued in name order; when only
   * cycles remain, the alphabetically first unused node is taken.
   */
  static List<String> topologicalOrder(List<List<String>> lists) {
    Map<String, Set<String>> successors = new TreeMap<>();
    Map<String, Set<String>> pendingPredecessors = new HashMap<>();
    for (List<String> list : lists) {
      for (String mirror : list) {
        successors.computeIfAbsent(mirror, m -> new LinkedHashSet<>());
        pendingPredecessors.computeIfAbsent(mirror, m -> new java.util.HashSet<>());
      }
      for (int i = 0; i + 1 < list.size(); i++) {
        successors.get(list.get(i)).add(list.get(i + 1));
        pendingPredecessors.get(list.get(i + 1)).add(list.get(i));
      }
    }
    List<String> allSorted = new ArrayList<>(successors.keySet());
    Deque<String> ready = new ArrayDeque<>();
    for (String node : allSorted) {
      if (pendingPredecessors.get(node).isEmpty()) {
        ready.add(node);
      }
    }
    Set<String> used = new java.util.HashSet<>();
    List<String> order = new ArrayList<>();
    int nextUnused = 0;
    while (!ready.isEmpty() || nextUnused < allSorted.size()) {
      String node;
      if (!ready.isEmpty()) {
        node = ready.poll();
      } else {
        node = allSorted.get(nextUnused++);
        if (used.contains(node)) {
          continue;
        }
      }
      used.add(node);
      order.add(node);
      TreeSet<String> nowReady = new TreeSet<>();
      for (String next : successors.get(node)) {
        Set<String> pending = pendingPredecessors.get(next);
        pending.remove(node);
        if (pending.isEmpty() && !used.contains(next)) {
          nowReady.add(next);
        }
      }
      ready.addAll(nowReady);
    }
    return order;
  }
}
