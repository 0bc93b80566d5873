package dev.holdfast.cli;

import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.copy.ProgressListener;
import dev.holdfast.oci.manifest.Descriptor;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows a copy's progress: on a terminal, a few lines redrawn five times a second (images, blobs,
 * bytes, rate, the images in flight); otherwise one log line per finished image.
 */
final class CopyProgress implements ProgressListener, AutoCloseable {
  private static final int LINES = 3;

  private final PrintWriter out;
  private final boolean live;
  private final int total;
  private final long start = System.nanoTime();
  private final AtomicInteger done = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger copied = new AtomicInteger();
  private final AtomicInteger skipped = new AtomicInteger();
  private final AtomicInteger mounted = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();
  private final Set<CopyRequest> inFlight = new LinkedHashSet<>(); // guarded by this
  private final ScheduledExecutorService ticker;
  private final int width = terminalWidth();
  private boolean drawn;

  CopyProgress(PrintWriter out, boolean live, int total) {
    this.out = out;
    this.live = live;
    this.total = total;
    if (live) {
      ticker = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("progress").factory());
      ticker.scheduleAtFixedRate(this::redraw, 0, 200, TimeUnit.MILLISECONDS);
    } else {
      ticker = null;
    }
  }

  /**
   * Whether to draw live: an interactive console, a terminal that understands cursor movement, and
   * not a CI job.
   */
  static boolean terminalIsLive() {
    String term = System.getenv("TERM");
    return isTerminal(System.console()) && System.getenv("CI") == null && term != null && !term.equals("dumb");
  }

  /** Java 21 returns a console only for a terminal; from Java 22 on, {@code Console.isTerminal()} says. */
  private static boolean isTerminal(java.io.Console console) {
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true;
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }

  private static int terminalWidth() {
    try {
      return Math.max(40, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100")));
    } catch (NumberFormatException e) {
      return 100;
    }
  }

  @Override
  public synchronized void imageStarted(CopyRequest request) {
    inFlight.add(request);
  }

  @Override
  public void blobProgress(CopyRequest request, Descriptor blob, long n) {
    bytes.addAndGet(n);
  }

  @Override
  public void blobDone(CopyRequest request, Descriptor blob, BlobOutcome outcome) {
    switch (outcome) {
      case COPIED -> copied.incrementAndGet();
      case SKIPPED -> skipped.incrementAndGet();
      case MOUNTED -> mounted.incrementAndGet();
    }
  }

  @Override
  public void imageDone(CopyResult result) {
    synchronized (this) {
      inFlight.remove(result.request());
    }
    done.incrementAndGet();
    if (result instanceof CopyResult.Failed) {
      failed.incrementAndGet();
    }
    if (!live) {
      synchronized (this) {
        out.println(CopyReport.line(result));
        out.flush();
      }
    }
  }

  /**
   * What to say when the process is stopped (SIGTERM, Ctrl-C) before the copies finished: how far
   * they got, and that no unfinished image has its tag at the destination.
   */
  String stoppedEarly() {
    int finished = done.get();
    int failures = failed.get();
    int open = total - finished;
    return "stopped before the end: " + finished + " of " + total + " images done"
        + (failures > 0 ? " (" + failures + " failed)" : "")
        + "; the " + open + " not done " + (open == 1 ? "has" : "have") + " no tag at the destination"
        + " (a tag is written last, when its image is complete); run the same command again to finish";
  }

  private synchronized void redraw() {
    double seconds = Math.max(0.001, (System.nanoTime() - start) / 1e9);
    String[] lines = {
      String.format(Locale.ROOT, "images %d/%d done%s", done.get(), total,
          failed.get() > 0 ? ", " + failed.get() + " failed" : ""),
      String.format(Locale.ROOT, "blobs  %d copied, %d skipped, %d mounted   %s at %s/s", copied.get(), skipped.get(),
          mounted.get(), CopyReport.bytes(bytes.get()), CopyReport.bytes((long) (bytes.get() / seconds))),
      "now    " + inFlight.stream().limit(3).map(r -> r.source().toString().replaceFirst("^docker://", "")).reduce((a, b) -> a + ", " + b)
          .orElse("-") + (inFlight.size() > 3 ? " and " + (inFlight.size() - 3) + " more" : ""),
    };
    StringBuilder frame = new StringBuilder();
    if (drawn) {
      frame.append("\033[").append(LINES).append('F'); // back to the first line of the last frame
    }
    for (String line : lines) {
      // A line wider than the terminal would wrap and break the redraw: cut it.
      String cut = line.length() < width ? line : line.substring(0, width - 2) + "…";
      frame.append("\033[2K").append(cut).append('\n');
    }
    out.print(frame);
    out.flush();
    drawn = true;
  }

  @Override
  public void close() {
    if (ticker != null) {
      ticker.shutdownNow();
      try {
        ticker.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      redraw();
    }
  }
}
