package io.vmagent.agent.libvirt;

/** A VM resolved to its current name and its UUID (operations find it again by UUID). */
record VmTarget(String name, String uuid) {
  @Override
  public String toString() {
    return "VM '" + name + "'";
  }
}
