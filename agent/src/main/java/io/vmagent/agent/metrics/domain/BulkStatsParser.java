package io.vmagent.agent.metrics.domain;

import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Parses the typed parameters of one {@code virDomainStatsRecord} into a {@link DomainSample}.
 *
 * <p>The parameter array is copied from native memory in one read and matched byte by byte against
 * the keys we use, so a domain's ~100 parameters cost no {@code String} per key: only device names
 * are decoded. Keys not listed here are ignored; libvirt adds new ones over time.
 */
final class BulkStatsParser {
  private static final byte[] STATE_STATE = ascii("state.state");
  private static final byte[] STATE_REASON = ascii("state.reason");
  private static final byte[] CPU_TIME = ascii("cpu.time");
  private static final byte[] BALLOON_CURRENT = ascii("balloon.current");
  private static final byte[] BALLOON_MAXIMUM = ascii("balloon.maximum");
  private static final byte[] BALLOON_UNUSED = ascii("balloon.unused");
  private static final byte[] BALLOON_AVAILABLE = ascii("balloon.available");
  private static final byte[] BALLOON_USABLE = ascii("balloon.usable");
  private static final byte[] BALLOON_RSS = ascii("balloon.rss");
  private static final byte[] VCPU_CURRENT = ascii("vcpu.current");
  private static final byte[] BLOCK = ascii("block.");
  private static final byte[] NET = ascii("net.");
  private static final byte[] NAME = ascii("name");
  private static final byte[] COUNT = ascii("count");
  // Both in the order of DomainSample.DeviceCounters' slots.
  private static final byte[][] DISK_SUFFIXES = {
    ascii("rd.reqs"), ascii("rd.bytes"), ascii("wr.reqs"), ascii("wr.bytes")
  };
  private static final byte[][] NET_SUFFIXES = {
    ascii("rx.bytes"), ascii("rx.pkts"), ascii("rx.errs"), ascii("rx.drop"),
    ascii("tx.bytes"), ascii("tx.pkts"), ascii("tx.errs"), ascii("tx.drop")
  };

  private static final int TYPE_INT = 1;
  private static final int TYPE_UINT = 2;
  private static final int TYPE_LLONG = 3;
  private static final int TYPE_ULLONG = 4;
  private static final int TYPE_DOUBLE = 5;
  private static final int TYPE_BOOLEAN = 6;
  private static final int TYPE_STRING = 7;

  private byte[] bytes = new byte[DomainStatsBinding.TYPED_PARAM_SIZE * 128];
  private ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());

  /** Which groups the record carried, so the caller knows what to fetch per domain. */
  static final class Coverage {
    boolean cpu;
    boolean balloon;
    boolean vcpu;
    boolean block;
    boolean net;
    boolean balloonDetail;

    void reset() {
      cpu = false;
      balloon = false;
      vcpu = false;
      block = false;
      net = false;
      balloonDetail = false;
    }
  }

  void parse(Pointer params, int count, DomainSample out, Coverage coverage) {
    coverage.reset();
    int size = count * DomainStatsBinding.TYPED_PARAM_SIZE;
    if (size > bytes.length) {
      bytes = new byte[Math.max(size, bytes.length * 2)];
      view = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }
    if (size > 0) {
      params.read(0, bytes, 0, size);
    }
    for (int i = 0; i < count; i++) {
      int base = i * DomainStatsBinding.TYPED_PARAM_SIZE;
      int length = fieldLength(base);
      if (startsWith(base, length, BLOCK)) {
        coverage.block = true;
        device(params, base, length, BLOCK.length, out, true);
      } else if (startsWith(base, length, NET)) {
        coverage.net = true;
        device(params, base, length, NET.length, out, false);
      } else {
        domainField(base, length, out, coverage);
      }
    }
  }

  /** A parameter of the domain itself: state, CPU, balloon or vCPU. */
  private void domainField(int base, int length, DomainSample out, Coverage coverage) {
    if (equals(base, length, STATE_STATE)) {
      out.state = (int) number(base);
    } else if (equals(base, length, STATE_REASON)) {
      out.reason = (int) number(base);
    } else if (equals(base, length, CPU_TIME)) {
      coverage.cpu = true;
      out.cpuTimeNanos = number(base);
    } else if (equals(base, length, BALLOON_CURRENT)) {
      coverage.balloon = true;
      out.memoryCurrentKib = number(base);
    } else if (equals(base, length, BALLOON_MAXIMUM)) {
      out.memoryMaxKib = number(base);
    } else if (equals(base, length, BALLOON_UNUSED)) {
      coverage.balloonDetail = true;
      out.balloonUnusedKib = number(base);
    } else if (equals(base, length, BALLOON_AVAILABLE)) {
      coverage.balloonDetail = true;
      out.balloonAvailableKib = number(base);
    } else if (equals(base, length, BALLOON_USABLE)) {
      coverage.balloonDetail = true;
      out.balloonUsableKib = number(base);
    } else if (equals(base, length, BALLOON_RSS)) {
      coverage.balloonDetail = true;
      out.balloonRssKib = number(base);
    } else if (equals(base, length, VCPU_CURRENT)) {
      coverage.vcpu = true;
      out.vcpus = (int) number(base);
    }
  }

  /** {@code block.<N>.<suffix>} or {@code net.<N>.<suffix>}; {@code block.count} sizes the list. */
  private void device(
      Pointer params, int base, int length, int prefix, DomainSample out, boolean disk) {
    int pos = base + prefix;
    int end = base + length;
    int index = 0;
    int digits = 0;
    while (pos < end && bytes[pos] >= '0' && bytes[pos] <= '9') {
      index = index * 10 + (bytes[pos] - '0');
      pos++;
      digits++;
    }
    if (digits == 0 && region(pos, end - pos, COUNT)) {
      int count = (int) Math.min(number(base), 4096);
      if (disk) {
        out.expectDisks(count);
      } else {
        out.expectInterfaces(count);
      }
    } else if (digits > 0 && pos < end && bytes[pos] == '.') {
      DomainSample.DeviceCounters counters = disk ? out.disk(index) : out.networkInterface(index);
      deviceField(
          params, base, pos + 1, end - pos - 1, counters, disk ? DISK_SUFFIXES : NET_SUFFIXES);
    }
  }

  /** The device's name, or the counter whose key ends with one of {@code suffixes}. */
  private void deviceField(
      Pointer params,
      int base,
      int suffix,
      int suffixLength,
      DomainSample.DeviceCounters counters,
      byte[][] suffixes) {
    if (region(suffix, suffixLength, NAME)) {
      if (type(base) == TYPE_STRING) {
        counters.name =
            params
                .getPointer((long) base + DomainStatsBinding.TYPED_PARAM_VALUE_OFFSET)
                .getString(0);
      }
      return;
    }
    for (int k = 0; k < suffixes.length; k++) {
      if (region(suffix, suffixLength, suffixes[k])) {
        counters.values[k] = number(base);
        return;
      }
    }
  }

  private int type(int base) {
    return view.getInt(base + DomainStatsBinding.TYPED_PARAM_TYPE_OFFSET);
  }

  /** The parameter's value as a long; unsigned 64-bit counters beyond 2^63 do not occur. */
  private long number(int base) {
    int at = base + DomainStatsBinding.TYPED_PARAM_VALUE_OFFSET;
    return switch (type(base)) {
      case TYPE_INT -> view.getInt(at);
      case TYPE_UINT -> view.getInt(at) & 0xffffffffL;
      case TYPE_LLONG, TYPE_ULLONG -> view.getLong(at);
      case TYPE_DOUBLE -> (long) view.getDouble(at);
      case TYPE_BOOLEAN -> bytes[at] != 0 ? 1 : 0;
      default -> DomainSample.ABSENT;
    };
  }

  private int fieldLength(int base) {
    int length = 0;
    while (length < DomainStatsBinding.TYPED_PARAM_TYPE_OFFSET && bytes[base + length] != 0) {
      length++;
    }
    return length;
  }

  private boolean startsWith(int base, int length, byte[] prefix) {
    return length > prefix.length && region(base, prefix.length, prefix);
  }

  private boolean equals(int base, int length, byte[] key) {
    return length == key.length && region(base, length, key);
  }

  private boolean region(int from, int length, byte[] key) {
    if (length != key.length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      if (bytes[from + i] != key[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String key) {
    return key.getBytes(StandardCharsets.US_ASCII);
  }
}
