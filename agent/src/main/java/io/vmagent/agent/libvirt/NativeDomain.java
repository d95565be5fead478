package io.vmagent.agent.libvirt;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.PointerType;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import io.vmagent.protocol.ErrorCode;
import java.lang.reflect.Field;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;
import org.libvirt.jna.virError;

/**
 * The domain calls libvirt-java 0.5.3 gets wrong or lacks: {@code virDomainGetState} (state and
 * reason; not bound at all), {@code virDomainGetInfo} (its binding fails with an index error for a
 * pmsuspended domain because its state enum stops at "crashed") and {@code virDomainSetMemoryFlags}
 * (not bound: only the live-only and maximum-only calls are).
 */
final class NativeDomain {
  /** Run state, reason, memory and vCPUs of a domain, read in two calls. */
  record Status(VmState state, String reason, long maxMemoryKib, long memoryKib, int vcpus) {}

  /** The C functions, bound directly. */
  interface Lib extends Library {
    int virDomainGetState(Pointer domain, IntByReference state, IntByReference reason, int flags);

    int virDomainGetInfo(Pointer domain, RawInfo info);

    int virDomainSetMemoryFlags(Pointer domain, NativeLong memoryKib, int flags);
  }

  /** {@code VIR_DOMAIN_AFFECT_LIVE}. */
  static final int AFFECT_LIVE = 1;

  /** {@code VIR_DOMAIN_AFFECT_CONFIG}. */
  static final int AFFECT_CONFIG = 2;

  /** {@code VIR_DOMAIN_MEM_MAXIMUM}. */
  static final int MEMORY_MAXIMUM = 4;

  /** {@code struct virDomainInfo}. */
  @Structure.FieldOrder({"state", "maxMem", "memory", "nrVirtCpu", "cpuTime"})
  public static final class RawInfo extends Structure {
    public byte state;
    public NativeLong maxMem;
    public NativeLong memory;
    public short nrVirtCpu;
    public long cpuTime;
  }

  private static final Lib LIB = Native.load("virt", Lib.class);
  private static final Field POINTER_FIELD = pointerField();

  private NativeDomain() {}

  /** Reads state, reason, memory and vCPU count of {@code domain}. */
  static Status status(Domain domain) throws LibvirtException {
    Pointer pointer = pointerOf(domain);
    IntByReference state = new IntByReference();
    IntByReference reason = new IntByReference();
    if (LIB.virDomainGetState(pointer, state, reason, 0) < 0) {
      throw failure(domain);
    }
    RawInfo info = new RawInfo();
    if (LIB.virDomainGetInfo(pointer, info) < 0) {
      throw failure(domain);
    }
    VmState vmState = VmState.fromLibvirt(state.getValue());
    return new Status(
        vmState,
        vmState.reason(reason.getValue()),
        info.maxMem.longValue(),
        info.memory.longValue(),
        Short.toUnsignedInt(info.nrVirtCpu));
  }

  /**
   * Sets the memory of {@code domain} to {@code kib}, live and/or in its persistent configuration
   * as {@code flags} say ({@link #AFFECT_LIVE}, {@link #AFFECT_CONFIG}, {@link #MEMORY_MAXIMUM}).
   */
  static void setMemory(Domain domain, long kib, int flags) {
    if (LIB.virDomainSetMemoryFlags(pointerOf(domain), new NativeLong(kib), flags) < 0) {
      virError last = Libvirt.INSTANCE.virGetLastError();
      org.libvirt.Error error = last == null ? null : new org.libvirt.Error(last);
      String reason = error == null ? null : error.getMessage();
      throw new VmOperationException(
          LibvirtErrors.codeOf(error),
          "set the memory: " + (reason == null ? "libvirt gave no reason" : reason.strip()));
    }
  }

  /**
   * Turns a failed native call into libvirt-java's exception by repeating a cheap call through
   * libvirt-java, which fails the same way (unknown domain, broken connection) and carries
   * libvirt's error number and message.
   */
  private static LibvirtException failure(Domain domain) throws LibvirtException {
    domain.isActive();
    throw new VmOperationException(
        ErrorCode.OPERATION_FAILED, "libvirt could not read the state of the domain");
  }

  static Pointer pointerOf(Domain domain) {
    try {
      PointerType handle = (PointerType) POINTER_FIELD.get(domain);
      if (handle == null) {
        throw new VmOperationException(ErrorCode.OPERATION_FAILED, "the domain handle was freed");
      }
      return handle.getPointer();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("libvirt-java's domain handle is not accessible", e);
    }
  }

  private static Field pointerField() {
    try {
      Field field = Domain.class.getDeclaredField("vdp");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException("unsupported libvirt-java version: Domain.vdp missing", e);
    }
  }
}
