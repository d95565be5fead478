package io.vmagent.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Defensive copies for the records' collections: absent becomes empty, the copy is immutable. */
final class Copies {
  private Copies() {}

  static <T> List<T> list(List<T> values) {
    return values == null ? List.of() : List.copyOf(values);
  }

  /** Keeps the caller's order, which makes a command's parameters print as they were given. */
  static Map<String, String> map(Map<String, String> values) {
    if (values == null || values.isEmpty()) {
      return Map.of();
    }
    Map<String, String> copy = new LinkedHashMap<>();
    values.forEach(
        (key, value) -> copy.put(java.util.Objects.requireNonNull(key, "key == null"), value));
    return Collections.unmodifiableMap(copy);
  }
}
