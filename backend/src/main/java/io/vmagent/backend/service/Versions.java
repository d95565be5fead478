package io.vmagent.backend.service;

import java.util.regex.Pattern;

/** Orders agent versions such as {@code 0.9.2} and {@code 0.10.0} the way people expect. */
public final class Versions {
  private static final Pattern PARTS = Pattern.compile("[.+_-]");

  private Versions() {}

  /** Negative, zero or positive as {@code a} is older than, equal to or newer than {@code b}. */
  public static int compare(String a, String b) {
    String[] left = PARTS.split(a, 0); // 0: trailing empty parts dropped, so 1.2. is 1.2
    String[] right = PARTS.split(b, 0);
    for (int i = 0; i < Math.max(left.length, right.length); i++) {
      String l = i < left.length ? left[i] : "0";
      String r = i < right.length ? right[i] : "0";
      int order =
          l.matches("\\d{1,9}") && r.matches("\\d{1,9}")
              ? Integer.compare(Integer.parseInt(l), Integer.parseInt(r))
              : l.compareTo(r);
      if (order != 0) {
        return order;
      }
    }
    return 0;
  }
}
