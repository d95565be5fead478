package io.vmagent.agent.metrics.domain;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.reflect.Field;
import org.libvirt.Connect;
import org.libvirt.jna.ConnectionPointer;

/**
 * JNA binding of the few libvirt C calls that libvirt-java 0.5.3 does not wrap and that metrics
 * need: {@code virConnectGetAllDomainStats} (every domain's statistics in one round trip) and the
 * per-domain calls used when a driver leaves groups out of it.
 *
 * <p>Direct mapping ({@link Native#register}) rather than a proxy interface: a call costs no
 * reflection and no argument boxing, which matters at hundreds of domains per collection. Structs
 * are read from raw memory at the offsets of the LP64 ABI (Linux on x86_64 and aarch64), the only
 * platforms the agent supports; each layout is spelled out next to its reader.
 *
 * <p>The raw {@code virConnectPtr} is taken from {@link Connect}'s protected {@code vcp} field:
 * libvirt-java exposes no accessor, and both sides must share one connection so that the agent
 * keeps a single libvirt session.
 */
final class DomainStatsBinding {
  /** {@code VIR_DOMAIN_STATS_STATE | CPU_TOTAL | BALLOON | VCPU | INTERFACE | BLOCK}. */
  static final int STATS_GROUPS = 1 | 2 | 4 | 8 | 16 | 32;

  /** {@code sizeof(virTypedParameter)}: char field[80]; int type; (pad) union value (8 bytes). */
  static final int TYPED_PARAM_SIZE = 96;

  static final int TYPED_PARAM_TYPE_OFFSET = 80;
  static final int TYPED_PARAM_VALUE_OFFSET = 88;

  /** {@code VIR_ERR_NO_SUPPORT}: the driver does not implement the call. */
  static final int ERR_NO_SUPPORT = 3;

  private static final Field CONNECTION_POINTER = connectionPointerField();

  static {
    Native.register(DomainStatsBinding.class, NativeLibrary.getInstance("virt"));
  }

  private DomainStatsBinding() {}

  // int virConnectGetAllDomainStats(virConnectPtr, unsigned int stats,
  //                                 virDomainStatsRecordPtr **retStats, unsigned int flags)
  static native int virConnectGetAllDomainStats(
      Pointer conn, int stats, PointerByReference retStats, int flags);

  // void virDomainStatsRecordListFree(virDomainStatsRecordPtr *stats)
  static native void virDomainStatsRecordListFree(Pointer stats);

  // int virConnectListAllDomains(virConnectPtr, virDomainPtr **domains, unsigned int flags)
  static native int virConnectListAllDomains(Pointer conn, PointerByReference domains, int flags);

  static native int virDomainFree(Pointer domain);

  // Local accessors: they read the client-side virDomain object, no round trip.
  static native String virDomainGetName(Pointer domain);

  static native int virDomainGetUUIDString(Pointer domain, byte[] buf);

  static native int virDomainGetID(Pointer domain);

  // int virDomainGetInfo(virDomainPtr, virDomainInfoPtr): struct of 40 bytes, see DomainInfo.
  static native int virDomainGetInfo(Pointer domain, Pointer info);

  // int virDomainBlockStats(virDomainPtr, const char *disk, virDomainBlockStatsPtr, size_t)
  static native int virDomainBlockStats(Pointer domain, String disk, Pointer stats, long size);

  // int virDomainInterfaceStats(virDomainPtr, const char *device, virDomainInterfaceStatsPtr,
  //                             size_t)
  static native int virDomainInterfaceStats(
      Pointer domain, String device, Pointer stats, long size);

  // int virDomainMemoryStats(virDomainPtr, virDomainMemoryStatPtr, unsigned int nr_stats,
  //                          unsigned int flags)
  static native int virDomainMemoryStats(Pointer domain, Pointer stats, int nrStats, int flags);

  // char *virDomainGetXMLDesc(virDomainPtr, unsigned int flags): caller frees.
  static native Pointer virDomainGetXMLDesc(Pointer domain, int flags);

  // virErrorPtr virGetLastError(void): thread-local; code is the first int of virError.
  static native Pointer virGetLastError();

  static native String virGetLastErrorMessage();

  static native void free(Pointer p);

  /** The {@code virConnectPtr} behind a libvirt-java connection. */
  static Pointer connectionPointer(Connect connect) {
    try {
      ConnectionPointer vcp = (ConnectionPointer) CONNECTION_POINTER.get(connect);
      if (vcp == null || vcp.getPointer() == null) {
        throw new IllegalStateException("libvirt connection is closed");
      }
      return vcp.getPointer();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot read libvirt-java's connection pointer", e);
    }
  }

  /** libvirt's last error on this thread, as an exception carrying its code and message. */
  static DomainStatsException lastError(String call) {
    Pointer err = virGetLastError();
    int code = err == null ? 0 : err.getInt(0);
    String message = virGetLastErrorMessage();
    return new DomainStatsException(call, code, message);
  }

  static Memory buffer(long size) {
    return new Memory(size);
  }

  private static Field connectionPointerField() {
    try {
      Field field = Connect.class.getDeclaredField("vcp");
      field.setAccessible(true);
      return field;
    } catch (NoSuchFieldException e) {
      throw new ExceptionInInitializerError(
          "libvirt-java's Connect has no 'vcp' field; the metrics binding needs updating: " + e);
    }
  }
}
