package io.vmagent.protocol;

import java.util.List;

/**
 * VMs as last reported, ordered by agent then name.
 *
 * @param vms the VMs
 */
public record VmList(List<VmView> vms) {

  /** Normalises an absent list to an empty one. */
  public VmList {
    vms = Copies.list(vms);
  }
}
