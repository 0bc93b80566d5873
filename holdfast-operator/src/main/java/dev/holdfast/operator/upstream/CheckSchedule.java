package dev.holdfast.operator.upstream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Function;

/**
 * When each ImageCopy's source is checked upstream: every copy once per interval, each registry
 * within its {@link Budget} (a token bucket: a small burst, then the budget's rate). A copy that is
 * due while its registry's budget is spent waits for the next token, so a large inventory is covered
 * in cycles. Not thread-safe: one thread drives it. Pure but for the instants it is given.
 */
public final class CheckSchedule {
  private record Entry(Instant due, String name, String registry) {}

  private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> a.due().compareTo(b.due()));
  private final Map<String, Entry> byName = new HashMap<>();
  private final Map<String, Bucket> buckets = new HashMap<>();
  private final Function<String, Budget> budgets;

  /** @param budgets the budget of each registry */
  public CheckSchedule(Function<String, Budget> budgets) {
    this.budgets = budgets;
  }

  private final class Bucket {
    private final Budget budget;
    private double tokens;
    private Instant refilled;
    private Instant heldUntil = Instant.MIN;

    Bucket(Budget budget, Instant now) {
      this.budget = budget;
      this.tokens = budget.burst();
      this.refilled = now;
    }

    boolean take(Instant now) {
      if (now.isBefore(heldUntil)) {
        return false;
      }
      double spacing = budget.spacing().toNanos();
      tokens = Math.min(budget.burst(), tokens + Duration.between(refilled, now).toNanos() / spacing);
      refilled = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }

    Instant nextToken(Instant now) {
      if (now.isBefore(heldUntil)) {
        return heldUntil;
      }
      double missing = 1 - tokens;
      return now.plusNanos((long) Math.ceil(missing * budget.spacing().toNanos()));
    }

    // nothing until then, and then one check, the next at the budget's rate
    void hold(Instant until) {
      if (until.isAfter(heldUntil)) {
        heldUntil = until;
        tokens = 1;
        refilled = until;
      }
    }
  }

  /**
   * Sends nothing to {@code registry} before {@code until} (it answered 429 with {@code Retry-After}):
   * its due checks wait, and resume at the budget's rate, one at first.
   */
  public void hold(String registry, Instant until, Instant now) {
    buckets.computeIfAbsent(registry, r -> new Bucket(budgets.apply(r), now)).hold(until);
  }

  /** Checks {@code name} (of {@code registry}) at {@code due}, replacing an earlier plan for it. */
  public void plan(String name, String registry, Instant due) {
    Entry old = byName.remove(name);
    if (old != null) {
      queue.remove(old);
    }
    Entry entry = new Entry(due, name, registry);
    byName.put(name, entry);
    queue.add(entry);
  }

  /** Whether {@code name} has a planned check. */
  public boolean isPlanned(String name) {
    return byName.containsKey(name);
  }

  /** Forgets {@code name}. */
  public void forget(String name) {
    Entry old = byName.remove(name);
    if (old != null) {
      queue.remove(old);
    }
  }

  /**
   * The copies to check now: those due whose registry has budget left. They leave the schedule (the
   * caller plans their next check); those due without budget are moved to their registry's next token.
   */
  public List<String> takeDue(Instant now) {
    List<String> due = new ArrayList<>();
    List<Entry> deferred = new ArrayList<>();
    while (!queue.isEmpty() && !queue.peek().due().isAfter(now)) {
      Entry entry = queue.poll();
      Bucket bucket = buckets.computeIfAbsent(entry.registry(), r -> new Bucket(budgets.apply(r), now));
      if (bucket.take(now)) {
        byName.remove(entry.name());
        due.add(entry.name());
      } else {
        deferred.add(new Entry(bucket.nextToken(now), entry.name(), entry.registry()));
      }
    }
    for (Entry entry : deferred) {
      byName.put(entry.name(), entry);
      queue.add(entry);
    }
    return due;
  }

  /** When the next check is due, if any is planned. */
  public java.util.Optional<Instant> nextDue() {
    return java.util.Optional.ofNullable(queue.peek()).map(Entry::due);
  }

  /** How many checks are planned. */
  public int size() {
    return queue.size();
  }
}
