package io.vmagent.agent.libvirt;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.LinkedHashMap;
import java.util.Map;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * A domain's job statistics ({@code virDomainGetJobStats}, which libvirt-java 0.5.3 lacks; they
 * carry what its older job info does not: iterations, dirty rate, downtime) and its run state.
 */
final class DomainProbe {
  /** {@code VIR_DOMAIN_JOB_STATS_COMPLETED}: the statistics of the last completed job. */
  static final int JOB_STATS_COMPLETED = 1;

  private static final int TYPED_PARAM_SIZE = 96;
  private static final int TYPED_PARAM_TYPE_OFFSET = 80;
  private static final int TYPED_PARAM_VALUE_OFFSET = 88;

  static {
    Native.register(DomainProbe.class, NativeLibrary.getInstance("virt"));
  }

  private DomainProbe() {}

  // int virDomainGetJobStats(virDomainPtr, int *type, virTypedParameterPtr *params,
  //                          int *nparams, unsigned int flags)
  private static native int virDomainGetJobStats(
      Pointer domain, IntByReference type, PointerByReference params, IntByReference n, int flags);

  // void virTypedParamsFree(virTypedParameterPtr params, int nparams)
  private static native void virTypedParamsFree(Pointer params, int n);

  /** The domain's run state. */
  static VmState state(Domain domain) throws LibvirtException {
    return NativeDomain.status(domain).state();
  }

  /**
   * The numeric fields of the domain's job statistics by libvirt's names ({@code time_elapsed},
   * {@code data_processed}, {@code memory_iteration}, {@code downtime}, ...), with {@code job_type}
   * (libvirt's {@code virDomainJobType}: 0 none, 1 bounded, 2 unbounded, 3 completed, 4 failed, 5
   * cancelled); empty when libvirt gives none.
   *
   * @param flags 0 for the running job, {@link #JOB_STATS_COMPLETED} for the last completed one
   */
  static Map<String, Long> jobStats(Domain domain, int flags) throws LibvirtException {
    IntByReference type = new IntByReference();
    PointerByReference params = new PointerByReference();
    IntByReference count = new IntByReference();
    if (virDomainGetJobStats(NativeDomain.pointerOf(domain), type, params, count, flags) < 0) {
      // libvirt-java's job info fails the same way and carries libvirt's error.
      domain.getJobInfo();
      return Map.of();
    }
    Map<String, Long> stats = new LinkedHashMap<>();
    stats.put("job_type", (long) type.getValue());
    Pointer array = params.getValue();
    if (array == null) {
      return stats;
    }
    try {
      for (int i = 0; i < count.getValue(); i++) {
        long base = (long) i * TYPED_PARAM_SIZE;
        String field = array.getString(base);
        long value = array.getLong(base + TYPED_PARAM_VALUE_OFFSET);
        switch (array.getInt(base + TYPED_PARAM_TYPE_OFFSET)) {
          case 1 -> stats.put(field, (long) array.getInt(base + TYPED_PARAM_VALUE_OFFSET));
          case 2 ->
              stats.put(
                  field, Integer.toUnsignedLong(array.getInt(base + TYPED_PARAM_VALUE_OFFSET)));
          case 3, 4 -> stats.put(field, value);
          case 5 -> stats.put(field, Math.round(array.getDouble(base + TYPED_PARAM_VALUE_OFFSET)));
          default -> {
            // booleans and strings: no job statistic of interest has those types
          }
        }
      }
    } finally {
      virTypedParamsFree(array, count.getValue());
    }
    return stats;
  }
}
