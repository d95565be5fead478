package io.vmagent.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.protocol.text.Printable;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How large a command's parameters may be, checked by the backend when a command is queued and by
 * the agent before it reads them: each value of most operations at most {@value #MAX_VALUE_CHARS}
 * characters; {@code define} and {@code create}, which carry a domain XML or cloud-init user-data,
 * at most {@value #MAX_LARGE_PARAMS_CHARS} characters for all their parameters written as one JSON
 * object (the form the backend stores); the {@code vm} of any at most {@value #MAX_VM_CHARS}.
 */
public final class ParamLimits {
  /**
   * Longest {@code vm} parameter of any operation (a VM's name or UUID), as the backend keeps it.
   */
  public static final int MAX_VM_CHARS = 256;

  /** Longest value of a parameter of an operation not in {@link #LARGE_PARAMS_OPERATIONS}. */
  public static final int MAX_VALUE_CHARS = 4096;

  /** Longest JSON object of the parameters of an operation in {@link #LARGE_PARAMS_OPERATIONS}. */
  public static final int MAX_LARGE_PARAMS_CHARS = 256 * 1024;

  /** The operations whose parameters may be large. */
  public static final Set<String> LARGE_PARAMS_OPERATIONS = Set.of("create", "define");

  private static final ObjectMapper JSON = ProtocolJson.strictMapper();

  private ParamLimits() {}

  /** How many characters {@code params} take written as a JSON object. */
  public static int jsonChars(Map<String, ?> params) {
    try {
      return JSON.writeValueAsString(params).length();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("parameters that cannot be written as JSON", e);
    }
  }

  /**
   * Why {@code params} are too large for {@code operation}, naming the limit; empty when they fit.
   */
  public static Optional<String> problem(String operation, Map<String, ?> params) {
    if (params == null) {
      return Optional.empty();
    }
    Object vm = params.get(Command.PARAM_VM);
    if (vm != null && String.valueOf(vm).length() > MAX_VM_CHARS) {
      return Optional.of(
          "parameter 'vm' is "
              + String.valueOf(vm).length()
              + " characters long; at most "
              + MAX_VM_CHARS);
    }
    if (LARGE_PARAMS_OPERATIONS.contains(operation)) {
      int chars = jsonChars(params);
      return chars <= MAX_LARGE_PARAMS_CHARS
          ? Optional.empty()
          : Optional.of(
              "the parameters of '"
                  + operation
                  + "' take "
                  + chars
                  + " characters as JSON; at most "
                  + MAX_LARGE_PARAMS_CHARS
                  + " (256 KiB)");
    }
    for (Map.Entry<String, ?> param : params.entrySet()) {
      int length = String.valueOf(param.getValue()).length();
      if (length > MAX_VALUE_CHARS) {
        return Optional.of(
            "parameter '"
                + Printable.escape(cut(param.getKey()))
                + "' of '"
                + Printable.escape(cut(operation))
                + "' is "
                + length
                + " characters long; at most "
                + MAX_VALUE_CHARS
                + " (only "
                + String.join(" and ", LARGE_PARAMS_OPERATIONS.stream().sorted().toList())
                + " take up to "
                + MAX_LARGE_PARAMS_CHARS
                + " characters in all)");
      }
    }
    return Optional.empty();
  }

  private static String cut(String text) {
    return text == null || text.length() <= 64
        ? String.valueOf(text)
        : text.substring(0, 64) + "...";
  }
}
