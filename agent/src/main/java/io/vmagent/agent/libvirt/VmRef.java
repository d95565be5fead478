package io.vmagent.agent.libvirt;

import io.vmagent.protocol.ErrorCode;
import java.util.Locale;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * A VM named by the caller: its libvirt name or its UUID, validated before any libvirt call.
 *
 * <p>A name is 1 to {@value #MAX_NAME_LENGTH} characters of letters, digits and {@code . _ - +
 * : @}, starting with a letter or digit: no spaces, no path characters ({@code /}, {@code \}), no
 * control characters. A UUID is the canonical 36-character form, in either case.
 */
public record VmRef(String value, boolean isUuid) {
  /** Longest VM or snapshot name accepted. */
  public static final int MAX_NAME_LENGTH = 128;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+:@-]*");
  private static final Pattern UUID =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /** Validates {@code text} as a VM name or UUID. */
  public static VmRef parse(String text) {
    if (text != null && UUID.matcher(text).matches()) {
      return new VmRef(text.toLowerCase(Locale.ROOT), true);
    }
    return new VmRef(validName("VM name", text), false);
  }

  /**
   * Checks a VM or snapshot name and returns it unchanged.
   *
   * @throws VmOperationException {@code INVALID_ARGUMENT} naming what is wrong
   */
  public static String validName(String what, String text) {
    if (text == null || text.isEmpty()) {
      throw invalid(what + " is missing or empty");
    }
    if (text.length() > MAX_NAME_LENGTH) {
      throw invalid(what + " is " + text.length() + " characters long; at most " + MAX_NAME_LENGTH);
    }
    if (text.contains("/") || text.contains("\\") || text.contains("..")) {
      throw invalid(what + " '" + printable(text) + "' contains a path character");
    }
    if (!NAME.matcher(text).matches()) {
      throw invalid(
          what
              + " '"
              + printable(text)
              + "' may only contain letters, digits and . _ - + : @ and must start with a"
              + " letter or digit");
    }
    return text;
  }

  /** Looks the VM up on {@code connect}; a missing VM throws with libvirt's error. */
  Domain lookup(Connect connect) throws LibvirtException {
    return isUuid ? connect.domainLookupByUUIDString(value) : connect.domainLookupByName(value);
  }

  /** How error messages name the VM. */
  @Override
  public String toString() {
    return isUuid ? "VM with UUID " + value : "VM '" + value + "'";
  }

  private static VmOperationException invalid(String message) {
    return new VmOperationException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /** The text with control characters escaped, so a bad name cannot forge log lines. */
  private static String printable(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .limit(MAX_NAME_LENGTH)
        .forEach(
            cp -> {
              if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
              } else {
                out.appendCodePoint(cp);
              }
            });
    return out.toString();
  }
}
