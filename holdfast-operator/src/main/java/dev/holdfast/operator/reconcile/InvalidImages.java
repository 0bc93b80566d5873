package dev.holdfast.operator.reconcile;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Images that workloads name and that do not parse, by policy, so that the policy's status can list
 * them next to its failing copies. A workload's entry goes when it names valid images again.
 */
public final class InvalidImages {
  private final Map<String, Map<String, String>> byPolicy = new ConcurrentHashMap<>();

  /** Records what is invalid in a workload ({@code ns/Kind/name}); an empty text clears it. */
  public boolean set(String policy, String workload, String problems) {
    Map<String, String> entries = byPolicy.computeIfAbsent(policy, p -> new ConcurrentHashMap<>());
    String before = problems.isEmpty() ? entries.remove(workload) : entries.put(workload, problems);
    return !problems.equals(before == null ? "" : before);
  }

  /** Forgets the workloads ({@code ns/Kind/name}) that no longer exist. */
  public void prune(String policy, java.util.function.Predicate<String> exists) {
    Map<String, String> entries = byPolicy.get(policy);
    if (entries != null) {
      entries.keySet().removeIf(workload -> !exists.test(workload));
    }
  }

  /** The invalid images of a policy's workloads, sorted. */
  public List<String> of(String policy) {
    return byPolicy.getOrDefault(policy, Map.of()).entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + ": " + e.getValue()).toList();
  }
}
