package io.vmagent.agent.libvirt;

/** A registration that stops delivery when closed. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
