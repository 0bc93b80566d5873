package dev.holdfast.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Samples a JVM's memory once a second: its RSS and peak RSS from {@code /proc/PID/status} (VmRSS,
 * VmHWM), and its heap from {@code jstat -gc PID 1000} (used: survivors, eden and old generation;
 * committed: their capacities). Each sample is a line of {@code csv}.
 */
final class MemorySampler {
  private final long pid;
  private final Process jstat;
  private final Path csv;
  private final long started = System.nanoTime();
  private volatile boolean stopped;
  private volatile long rssKib;
  private volatile long hwmKib;
  private volatile long heapUsedKib;
  private volatile long maxHeapUsedKib;
  private volatile long maxHeapCommittedKib;
  private volatile long youngGcs;
  private volatile long fullGcs;

  private MemorySampler(long pid, Process jstat, Path csv) {
    this.pid = pid;
    this.jstat = jstat;
    this.csv = csv;
  }

  static MemorySampler start(Path java, long pid, Path csv) throws IOException {
    Path jstatBin = java.resolveSibling("jstat");
    Process jstat = new ProcessBuilder(jstatBin.toString(), "-gc", Long.toString(pid), "1000")
        .redirectErrorStream(true).start();
    Files.writeString(csv, "seconds,rss_kib,hwm_kib,heap_used_kib\n", StandardCharsets.UTF_8);
    MemorySampler sampler = new MemorySampler(pid, jstat, csv);
    Thread.ofPlatform().daemon().name("jstat").start(sampler::readJstat);
    Thread.ofPlatform().daemon().name("proc-status").start(sampler::sampleProc);
    return sampler;
  }

  private void readJstat() {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(jstat.getInputStream(),
        StandardCharsets.UTF_8))) {
      List<String> header = null;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        List<String> fields = Arrays.asList(line.trim().split("\\s+"));
        if (fields.contains("EU")) {
          header = fields;
          continue;
        }
        if (header == null || fields.size() != header.size()) {
          continue;
        }
        double used = 0;
        double committed = 0;
        for (String column : List.of("S0U", "S1U", "EU", "OU")) {
          used += Double.parseDouble(fields.get(header.indexOf(column)));
        }
        for (String column : List.of("S0C", "S1C", "EC", "OC")) {
          committed += Double.parseDouble(fields.get(header.indexOf(column)));
        }
        heapUsedKib = (long) used;
        maxHeapUsedKib = Math.max(maxHeapUsedKib, (long) used);
        maxHeapCommittedKib = Math.max(maxHeapCommittedKib, (long) committed);
        youngGcs = Long.parseLong(fields.get(header.indexOf("YGC")));
        fullGcs = Long.parseLong(fields.get(header.indexOf("FGC")));
      }
    } catch (IOException | RuntimeException e) {
      // jstat ended with the operator
    }
  }

  private void sampleProc() {
    while (!stopped) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
          if (line.startsWith("VmRSS:")) {
            rssKib = kib(line);
          } else if (line.startsWith("VmHWM:")) {
            hwmKib = kib(line);
          }
        }
        Files.writeString(csv, String.format(java.util.Locale.ROOT, "%.0f,%d,%d,%d%n",
            (System.nanoTime() - started) / 1e9, rssKib, hwmKib, heapUsedKib), StandardCharsets.UTF_8,
            StandardOpenOption.APPEND);
        Thread.sleep(1000);
      } catch (IOException e) {
        return; // the process is gone
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  Process jstat() {
    return jstat;
  }

  long rssKib() {
    return rssKib;
  }

  long peakRssKib() {
    return hwmKib;
  }

  long maxHeapUsedKib() {
    return maxHeapUsedKib;
  }

  long maxHeapCommittedKib() {
    return maxHeapCommittedKib;
  }

  String gcs() {
    return youngGcs + " young, " + fullGcs + " full";
  }

  void stop() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          hwmKib = kib(line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("read the operator's /proc status", e);
    }
    stopped = true;
    jstat.destroy();
  }
}
