package io.vmagent.agent.libvirt;

/**
 * Receives domain lifecycle events. Called on one dispatch thread, in the order libvirt reported
 * them; an implementation must return quickly (hand work off to its own executor).
 */
@FunctionalInterface
public interface VmEventListener {
  void onEvent(VmLifecycleEvent event);
}
