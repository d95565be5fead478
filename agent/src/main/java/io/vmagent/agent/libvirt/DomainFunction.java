package io.vmagent.agent.libvirt;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/** Work on one domain, found afresh by UUID on the live connection. */
@FunctionalInterface
interface DomainFunction<T> {
  T apply(Connect connect, Domain domain) throws LibvirtException;
}
