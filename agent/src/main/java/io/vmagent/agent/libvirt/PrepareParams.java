package io.vmagent.agent.libvirt;

import io.vmagent.agent.operation.Params;
import java.util.Set;

/**
 * The parameters of {@code migrate_prepare}: the VM's domain XML as its source host has it (the
 * source's {@code info} with {@code include_xml}) and whether its disks will be copied.
 */
public record PrepareParams(String xml, boolean copyStorage) {
  /** The parameter names. */
  public static final Set<String> NAMES = Set.of("xml", "copy_storage");

  /** Reads a {@code migrate_prepare} command's parameters. */
  public static PrepareParams parse(Params p) {
    return new PrepareParams(p.requiredString("xml"), p.flag("copy_storage"));
  }
}
