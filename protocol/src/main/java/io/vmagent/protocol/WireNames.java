package io.vmagent.protocol;

import java.util.Locale;

/** Maps the protocol's enums to and from their lower-case wire names. */
final class WireNames {
  private WireNames() {}

  static String of(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  static <E extends Enum<E>> E parse(Class<E> type, String wire) {
    if (wire != null) {
      for (E value : type.getEnumConstants()) {
        if (of(value).equals(wire)) {
          return value;
        }
      }
    }
    throw new IllegalArgumentException(
        "'" + wire + "' is not a " + type.getSimpleName() + "; expected one of " + names(type));
  }

  private static <E extends Enum<E>> String names(Class<E> type) {
    StringBuilder names = new StringBuilder();
    for (E value : type.getEnumConstants()) {
      names.append(names.length() == 0 ? "" : ", ").append(of(value));
    }
    return names.toString();
  }
}
