package io.vmagent.agent.metrics.domain;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLStreamException;
import org.libvirt.Connect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the raw counters of every domain on a connection: one {@code virConnectGetAllDomainStats}
 * call, then per-domain calls only for the groups the driver left out of it (libvirt's test driver
 * gives state only; QEMU gives everything). When the driver has no bulk call at all, it lists the
 * domains and asks each one.
 *
 * <p>One reader belongs to one collector. {@link #read} is synchronized because a collection
 * abandoned at its deadline keeps running on its libvirt worker, and the next one must not share
 * the parse buffers with it.
 */
final class DomainStatsReader {
  private static final Logger LOG = LoggerFactory.getLogger(DomainStatsReader.class);

  // struct virDomainStatsRecord { virDomainPtr dom; virTypedParameterPtr params; int nparams; }
  private static final int RECORD_PARAMS_OFFSET = 8;
  private static final int RECORD_NPARAMS_OFFSET = 16;

  private final BulkStatsParser parser = new BulkStatsParser();
  private final BulkStatsParser.Coverage coverage = new BulkStatsParser.Coverage();
  private final DeviceInventory inventory;
  private final PerDomainStats perDomain;
  private final RoundTrips roundTrips;
  private final byte[] uuid = new byte[37];

  /** Samples reused from one collection to the next; the first {@code used} are this one's. */
  private final List<DomainSample> pool = new ArrayList<>();

  private int used;
  private boolean bulkUnsupported;

  DomainStatsReader(RoundTrips roundTrips, long deviceCacheNanos) {
    this.roundTrips = roundTrips;
    this.inventory = new DeviceInventory(deviceCacheNanos);
    this.perDomain = new PerDomainStats(inventory, roundTrips);
  }

  /** Every domain's sample. The samples are reused by the next call: consume them before it. */
  synchronized List<DomainSample> read(Connect connect, long nowNanos)
      throws DomainStatsException, XMLStreamException {
    Pointer conn = DomainStatsBinding.connectionPointer(connect);
    used = 0;
    List<DomainSample> samples;
    if (bulkUnsupported) {
      samples = readOneByOne(conn, nowNanos);
    } else {
      PointerByReference records = new PointerByReference();
      roundTrips.increment();
      int count =
          DomainStatsBinding.virConnectGetAllDomainStats(
              conn, DomainStatsBinding.STATS_GROUPS, records, 0);
      if (count < 0) {
        DomainStatsException error = DomainStatsBinding.lastError("virConnectGetAllDomainStats");
        if (error.libvirtCode() != DomainStatsBinding.ERR_NO_SUPPORT) {
          throw error;
        }
        LOG.debug("driver has no bulk domain statistics; asking each domain instead");
        bulkUnsupported = true;
        samples = readOneByOne(conn, nowNanos);
      } else {
        samples = readRecords(records.getValue(), count, nowNanos);
      }
    }
    inventory.endCollection();
    return samples;
  }

  private List<DomainSample> readRecords(Pointer list, int count, long nowNanos)
      throws DomainStatsException, XMLStreamException {
    List<DomainSample> samples = new ArrayList<>(count);
    Fallbacks fallbacks = new Fallbacks();
    try {
      for (int i = 0; i < count; i++) {
        Pointer record = list.getPointer((long) i * Native.POINTER_SIZE);
        Pointer domain = record.getPointer(0);
        DomainSample sample = identify(domain);
        parser.parse(
            record.getPointer(RECORD_PARAMS_OFFSET),
            record.getInt(RECORD_NPARAMS_OFFSET),
            sample,
            coverage);
        complete(domain, sample, nowNanos, fallbacks);
        samples.add(sample);
      }
    } finally {
      DomainStatsBinding.virDomainStatsRecordListFree(list);
    }
    fallbacks.log();
    return samples;
  }

  private List<DomainSample> readOneByOne(Pointer conn, long nowNanos)
      throws DomainStatsException, XMLStreamException {
    PointerByReference domains = new PointerByReference();
    roundTrips.increment();
    int count = DomainStatsBinding.virConnectListAllDomains(conn, domains, 0);
    if (count < 0) {
      throw DomainStatsBinding.lastError("virConnectListAllDomains");
    }
    Pointer array = domains.getValue();
    List<DomainSample> samples = new ArrayList<>(count);
    Fallbacks fallbacks = new Fallbacks();
    int next = 0;
    try {
      for (; next < count; next++) {
        Pointer domain = array.getPointer((long) next * Native.POINTER_SIZE);
        DomainSample sample = identify(domain);
        coverage.reset();
        complete(domain, sample, nowNanos, fallbacks);
        samples.add(sample);
        DomainStatsBinding.virDomainFree(domain);
      }
      fallbacks.log();
    } finally {
      for (int rest = next; rest < count; rest++) {
        DomainStatsBinding.virDomainFree(array.getPointer((long) rest * Native.POINTER_SIZE));
      }
      DomainStatsBinding.free(array);
    }
    return samples;
  }

  private DomainSample identify(Pointer domain) {
    DomainSample sample;
    if (used < pool.size()) {
      sample = pool.get(used);
      sample.reset();
    } else {
      sample = new DomainSample();
      pool.add(sample);
    }
    used++;
    sample.name = DomainStatsBinding.virDomainGetName(domain);
    if (DomainStatsBinding.virDomainGetUUIDString(domain, uuid) == 0) {
      sample.uuid = new String(uuid, 0, 36, StandardCharsets.US_ASCII);
    }
    sample.id = DomainStatsBinding.virDomainGetID(domain);
    return sample;
  }

  /** Fetches per domain whatever the bulk record lacked. */
  private void complete(Pointer domain, DomainSample sample, long nowNanos, Fallbacks fallbacks)
      throws DomainStatsException, XMLStreamException {
    boolean needInfo = !coverage.cpu || !coverage.balloon || !coverage.vcpu || sample.state < 0;
    if (needInfo) {
      perDomain.info(domain, sample, !coverage.cpu, !coverage.balloon, !coverage.vcpu);
      fallbacks.info++;
    }
    if (!sample.active()) {
      return;
    }
    if (!coverage.balloonDetail) {
      perDomain.balloon(domain, sample);
      fallbacks.balloon++;
    }
    if (!coverage.block || !coverage.net) {
      perDomain.devices(domain, sample, !coverage.block, !coverage.net, nowNanos);
      fallbacks.devices++;
    }
  }

  /** How many domains needed which per-domain calls in one collection, for one DEBUG line. */
  private static final class Fallbacks {
    int info;
    int balloon;
    int devices;

    void log() {
      if (info + balloon + devices > 0) {
        LOG.debug(
            "bulk domain statistics lacked figures; fetched per domain: cpu/memory/vcpus for {},"
                + " balloon details for {}, block/interface counters for {} domains",
            info,
            balloon,
            devices);
      }
    }
  }

  private static final class Native {
    static final int POINTER_SIZE = com.sun.jna.Native.POINTER_SIZE;
  }
}
