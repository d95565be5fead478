package io.vmagent.backend.limits;

import io.github.bucket4j.Bucket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One token bucket per key (an address, a credential, an agent and endpoint), held in a map that
 * cannot grow without bound: buckets that have refilled completely are forgotten (a new one is the
 * same), and past {@code maxKeys} the keys not yet known share one overflow bucket, so a client
 * that makes up keys only throttles itself and its kind.
 */
final class KeyedBuckets {
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final Supplier<Bucket> newBucket;
  private final long capacity;
  private final int maxKeys;
  private final Bucket overflow;

  KeyedBuckets(Supplier<Bucket> newBucket, long capacity, int maxKeys) {
    this.newBucket = newBucket;
    this.capacity = capacity;
    this.maxKeys = maxKeys;
    this.overflow = newBucket.get();
  }

  /** The key's bucket, created full on first use. */
  Bucket get(String key) {
    Bucket bucket = buckets.get(key);
    if (bucket != null) {
      return bucket;
    }
    if (buckets.size() >= maxKeys) {
      forgetRefilled();
      if (buckets.size() >= maxKeys) {
        return overflow;
      }
    }
    return buckets.computeIfAbsent(key, k -> newBucket.get());
  }

  /** The key's bucket if it has one now; a key without one has its whole capacity. */
  Bucket peek(String key) {
    return buckets.get(key);
  }

  /** Drops the buckets that are full again: nothing distinguishes them from new ones. */
  void forgetRefilled() {
    buckets.values().removeIf(b -> b.getAvailableTokens() >= capacity);
  }

  int size() {
    return buckets.size();
  }
}
