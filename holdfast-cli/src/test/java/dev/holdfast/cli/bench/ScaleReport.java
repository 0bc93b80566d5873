package dev.holdfast.cli.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Prints what {@link Scale} measured, against issue 25's goals. */
record ScaleReport(PrintStream out, int pods, int namespaces, int images, String mode, Map<String, Scale.Seen> seen,
    long podsCreatedNanos, long allReadyNanos, MemorySampler memory, String heapInfo, List<PrometheusText> windows,
    PrometheusText webhookBuckets, PrometheusText webhookRequests, List<String> webhookLoad, Duration settle,
    List<String> loads) {
  private static final long GOAL_NANOS = 30_000_000_000L;
  private static final long GOAL_RSS_KIB = 512 * 1024;

  void print() {
    out.println();
    out.printf(Locale.ROOT, "## %d Pods, %d namespaces, %d images, rewrite %s%n%n", pods, namespaces, images, mode);
    out.printf(Locale.ROOT, "load average (1, 5, 15 min): at the first Pod %s; all Ready %s; after the settle %s%n%n",
        loads.get(0), loads.get(1), loads.get(2));
    long[] created = seen.values().stream().mapToLong(s -> s.created).filter(t -> t >= 0).sorted().toArray();
    long[] ready = seen.values().stream().mapToLong(s -> s.ready).filter(t -> t >= 0).sorted().toArray();
    out.println("| from the first Pod's creation | s |");
    out.println("| --- | ---: |");
    out.printf(Locale.ROOT, "| all %d Pods created | %.1f |%n", pods, podsCreatedNanos / 1e9);
    out.printf(Locale.ROOT, "| ImageCopies existing: half / 90 %% / all %d (%d seen) | %s / %s / %s |%n", images,
        created.length, at(created, 0.5), at(created, 0.9), created.length >= images ? at(created, 1.0) : "never");
    out.printf(Locale.ROOT, "| ImageCopies Ready: half / 90 %% / all (%d Ready) | %s / %s / %s |%n", ready.length,
        at(ready, 0.5), at(ready, 0.9), ready.length >= images ? at(ready, 1.0) : "never");
    out.println();

    long hwm = memory.peakRssKib();
    out.printf(Locale.ROOT, "operator memory: peak RSS (VmHWM) %d MiB; heap used at most %d MiB, committed at most"
        + " %d MiB (jstat -gc, sampled each second); GCs %s%n", hwm / 1024, memory.maxHeapUsedKib() / 1024,
        memory.maxHeapCommittedKib() / 1024, memory.gcs());
    out.println("GC.heap_info after the settle:");
    heapInfo.lines().filter(l -> !l.isBlank()).forEach(l -> out.println("    " + l.strip()));
    out.println();

    out.printf(Locale.ROOT, "API server requests (apiserver_request_total, all clients: the operator, this benchmark"
        + " creating Pods, the API server's own admission plugins, kube-controller-manager) in three windows: the"
        + " operator's start (from before its process starts to 5 s after /readyz), the run (first Pod to all"
        + " Ready), and %d s of settling after:%n%n", settle.toSeconds());
    out.println("| verb | resource | start | run | settle | non-2xx |");
    out.println("| --- | --- | ---: | ---: | ---: | ---: |");
    java.util.Set<String> keys = new java.util.TreeSet<>();
    List<Map<String, Double>> byWindow = windows.stream().map(w -> w.sumBy(ScaleReport::verbResource)).toList();
    byWindow.forEach(m -> keys.addAll(m.keySet()));
    Map<String, Double> failed = new TreeMap<>();
    windows.forEach(w -> w.samples().forEach((labels, value) -> {
      if (!labels.getOrDefault("code", "200").startsWith("2")) {
        failed.merge(verbResource(labels), value, Double::sum);
      }
    }));
    Map<String, Double> watches = new TreeMap<>();
    for (String key : keys) {
      if (key.startsWith("WATCH ")) {
        for (int w = 0; w < 3; w++) {
          watches.merge(List.of("start", "run", "settle").get(w), byWindow.get(w).getOrDefault(key, 0.0), Double::sum);
        }
        continue;
      }
      out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f |%n", key.replace(" ", " | "),
          byWindow.get(0).getOrDefault(key, 0.0), byWindow.get(1).getOrDefault(key, 0.0),
          byWindow.get(2).getOrDefault(key, 0.0), failed.getOrDefault(key, 0.0));
    }
    out.printf(Locale.ROOT, "%nWATCH requests, all resources (watches opened or re-opened; most are"
        + " kube-controller-manager's, whose watches time out and re-open every 5-10 min): %s%n", watches);
    PrometheusText run = windows.get(1);
    PrometheusText settled = windows.get(2);
    out.printf(Locale.ROOT, "%nLIST by resource: start %s; run %s; settle %s%n",
        lists(windows.get(0)), lists(run), lists(settled));
    out.println("  (the operator's informers list each resource they watch once, at its start. Not the operator's:"
        + " LIST limitranges, the API server's LimitRanger admission plugin looking a namespace's LimitRanges up on"
        + " Pod creation, cached 30 s; LIST services, the API server's own ClusterIP/NodePort repair loop, every"
        + " 3 min; the operator reads neither)");
    java.util.Set<String> watched = new java.util.TreeSet<>();
    windows.get(0).samples().keySet().stream().filter(l -> "LIST".equals(l.get("verb")))
        .forEach(l -> watched.add(l.get("resource")));
    double operatorListsAfterStart = 0;
    for (String resource : watched) {
      operatorListsAfterStart += run.sum(Map.of("verb", "LIST", "resource", resource))
          + settled.sum(Map.of("verb", "LIST", "resource", resource));
    }
    out.printf(Locale.ROOT, "LIST of the resources listed at the operator's start, after it: %.0f%n",
        operatorListsAfterStart);
    double statusWrites = 0;
    for (String verb : List.of("APPLY", "PATCH", "UPDATE")) {
      statusWrites += run.sum(Map.of("verb", verb, "resource", "imagecopies", "subresource", "status"))
          + settled.sum(Map.of("verb", verb, "resource", "imagecopies", "subresource", "status"));
    }
    Map<Integer, Long> modified = seen.values().stream().collect(Collectors.groupingBy(s -> s.statusChanges.get(),
        TreeMap::new, Collectors.counting()));
    int maxStatus = seen.values().stream().mapToInt(s -> s.statusChanges.get()).max().orElse(0);
    long statusSeen = seen.values().stream().mapToLong(s -> s.statusChanges.get()).sum();
    int maxModified = seen.values().stream().mapToInt(s -> s.modified.get()).max().orElse(0);
    out.printf(Locale.ROOT, "status writes (imagecopies/status, APPLY, PATCH or UPDATE, run and settle): %.0f, %.2f per"
        + " ImageCopy; status changes seen on the watch: %d (a write that changes nothing sends no event); ImageCopies"
        + " by their status changes: %s, at most %d; changes of any kind at most %d%n", statusWrites,
        statusWrites / Math.max(1, seen.size()), statusSeen, modified, maxStatus, maxModified);
    Map<String, Long> kinds = seen.values().stream().flatMap(x -> x.changes.stream())
        .collect(Collectors.groupingBy(c -> c, TreeMap::new, Collectors.counting()));
    out.println("what the changes touched (fields, changes in all):");
    kinds.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.printf(Locale.ROOT, "    %s: %d%n", e.getKey(), e.getValue()));
    out.println();

    printWebhook();

    boolean allExist = created.length >= images;
    boolean allReady = ready.length >= images;
    out.println("| goal (issue 25) | measured | met |");
    out.println("| --- | --- | --- |");
    out.printf(Locale.ROOT, "| every ImageCopy within 30 s | exist: %s s; Ready: %s s | exist %s, Ready %s |%n",
        allExist ? at(created, 1.0) : "never", allReady ? at(ready, 1.0) : "never",
        yes(allExist && created[created.length - 1] <= GOAL_NANOS), yes(allReady && ready[ready.length - 1] <= GOAL_NANOS));
    out.printf(Locale.ROOT, "| operator RSS <= 512 MB | %d MiB peak | %s |%n", hwm / 1024, yes(hwm <= GOAL_RSS_KIB));
    out.printf(Locale.ROOT, "| no periodic LIST | %.0f LIST of the operator's resources after its start |"
        + " %s |%n", operatorListsAfterStart, yes(operatorListsAfterStart == 0));
    out.printf(Locale.ROOT, "| status written a bounded number of times | %.2f writes per ImageCopy; at most %d status"
        + " changes on one | - |%n", statusWrites / Math.max(1, seen.size()), maxStatus);
  }

  private void printWebhook() {
    Map<String, Double> codes = webhookRequests.sumBy(l -> l.getOrDefault("code", "?") + " "
        + l.getOrDefault("rejected", "?"));
    if (!codes.isEmpty()) {
      out.println("The operator's webhook as the API server saw it on this run's Pod creations (code, rejected; 503 is"
          + " a call that failed or passed the 2 s timeout, after which failurePolicy Ignore admitted the Pod"
          + " unchanged): " + codes);
      Map<Double, Double> buckets = new TreeMap<>();
      webhookBuckets.samples().forEach((labels, value) -> {
        if ("CREATE".equals(labels.get("operation")) && !"+Inf".equals(labels.get("le"))) {
          buckets.merge(Double.parseDouble(labels.get("le")), value, Double::sum);
        }
      });
      double total = webhookBuckets.sum(Map.of("operation", "CREATE", "le", "+Inf"));
      out.print("  admission duration (apiserver_admission_webhook_admission_duration_seconds), share within:");
      buckets.forEach((le, count) -> out.printf(Locale.ROOT, " %s ms %.2f %%;", fmt(le * 1000), 100 * count / total));
      out.printf(Locale.ROOT, " of %.0f%n%n", total);
    }
    if (!webhookLoad.isEmpty()) {
      out.println("OperatorWebhookLoad (1,000 AdmissionReviews/s straight to the operator's webhook, alongside;"
          + " t from the first Pod):");
      webhookLoad.forEach(line -> out.println("    " + line));
      out.println();
    }
  }

  private static String lists(PrometheusText window) {
    Map<String, Double> byResource = window.samples().entrySet().stream()
        .filter(e -> "LIST".equals(e.getKey().get("verb")))
        .collect(Collectors.groupingBy(e -> e.getKey().getOrDefault("resource", "?"), TreeMap::new,
            Collectors.summingDouble(Map.Entry::getValue)));
    return byResource.isEmpty() ? "none" : byResource.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
  }

  private static String verbResource(Map<String, String> labels) {
    String sub = labels.getOrDefault("subresource", "");
    return labels.getOrDefault("verb", "?") + " " + labels.getOrDefault("resource", "?") + (sub.isEmpty() ? ""
        : "/" + sub);
  }

  private static String at(long[] sorted, double share) {
    if (sorted.length == 0) {
      return "-";
    }
    int index = Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(share * sorted.length) - 1));
    return String.format(Locale.ROOT, "%.1f", sorted[index] / 1e9);
  }

  private static String fmt(double ms) {
    return ms == Math.rint(ms) ? Long.toString((long) ms) : Double.toString(ms);
  }

  private static String yes(boolean met) {
    return met ? "yes" : "**no**";
  }
}
