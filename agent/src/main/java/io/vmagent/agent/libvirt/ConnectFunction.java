package io.vmagent.agent.libvirt;

import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/** Work done with the live libvirt connection, on a libvirt worker thread under a deadline. */
@FunctionalInterface
public interface ConnectFunction<T> {
  T apply(Connect connect) throws LibvirtException;
}
