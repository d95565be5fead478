package io.vmagent.backend.service;

import io.vmagent.backend.store.MetricsRollupStore;
import io.vmagent.backend.store.MetricsRollupStore.Bucket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of a batch's samples gathered per VM, series and minute, so each bucket is written
 * once per batch however many samples fall in it.
 */
final class RollupBuckets {
  private record Key(String vm, String series, long bucketStart) {}

  private final Map<Key, double[]> buckets = new LinkedHashMap<>();

  /** Adds the figures of a sample taken at {@code at}. */
  void add(Instant at, List<SnapshotFigures.Figure> figures) {
    long bucketStart =
        Math.floorDiv(at.getEpochSecond(), MetricsRollupStore.BUCKET_SECONDS)
            * MetricsRollupStore.BUCKET_SECONDS;
    for (SnapshotFigures.Figure figure : figures) {
      double[] bucket =
          buckets.computeIfAbsent(
              new Key(figure.vm(), figure.series().wireName(), bucketStart),
              k -> new double[] {0, 0, Double.NEGATIVE_INFINITY});
      bucket[0]++;
      bucket[1] += figure.value();
      bucket[2] = Math.max(bucket[2], figure.value());
    }
  }

  /** The buckets gathered, each with its count, sum and maximum. */
  List<Bucket> buckets() {
    List<Bucket> rows = new ArrayList<>(buckets.size());
    buckets.forEach(
        (key, bucket) ->
            rows.add(
                new Bucket(
                    key.vm(),
                    key.series(),
                    key.bucketStart(),
                    (int) bucket[0],
                    bucket[1],
                    bucket[2])));
    return rows;
  }
}
