package dev.holdfast.oci.copy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The counters of one image copy, updated from many threads. */
final class Tally {
  final AtomicLong bytes = new AtomicLong();
  final AtomicInteger copied = new AtomicInteger();
  final AtomicInteger skipped = new AtomicInteger();
  final AtomicInteger mounted = new AtomicInteger();
  final AtomicInteger manifests = new AtomicInteger();
  final AtomicInteger referrers = new AtomicInteger();
  final AtomicInteger hashedByDestination = new AtomicInteger();

  void count(ProgressListener.BlobOutcome outcome) {
    switch (outcome) {
      case COPIED -> copied.incrementAndGet();
      case SKIPPED -> skipped.incrementAndGet();
      case MOUNTED -> mounted.incrementAndGet();
    }
  }

  CopyStats snapshot() {
    return new CopyStats(bytes.get(), copied.get(), skipped.get(), mounted.get(), manifests.get(), referrers.get(),
        hashedByDestination.get());
  }
}
