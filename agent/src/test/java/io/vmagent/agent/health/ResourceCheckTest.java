package io.vmagent.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResourceCheckTest {
  private static final long GIB = 1L << 30;

  @Test
  void freeSpaceBelowTheThresholdIsDiskSpaceLowWithTheFigureAndTheThreshold() {
    ResourceCheck check =
        ResourceCheck.diskSpace("/var/lib/vm-agent", 100 * GIB, 3_100 * GIB / 1000, 5);

    assertThat(check.status()).isEqualTo(ResourceCheck.Status.EXCEEDED);
    assertThat(check.value()).isEqualTo(3.1);
    assertThat(check.reason())
        .isEqualTo(
            "disk_space_low: /var/lib/vm-agent has 3.1% free, 3.1 GiB of 100.0 GiB (threshold"
                + " 5%)");
  }

  @Test
  void freeSpaceAtTheThresholdIsStillOk() {
    ResourceCheck check = ResourceCheck.diskSpace("/srv", 100 * GIB, 5 * GIB, 5);

    assertThat(check.status()).isEqualTo(ResourceCheck.Status.OK);
    assertThat(check.reason()).isNull();
    assertThat(check.message())
        .isEqualTo("/srv has 5.0% free, 5.0 GiB of 100.0 GiB (threshold 5%)");
  }

  @Test
  void fewFreeInodesAreDiskInodesLow() {
    ResourceCheck check = ResourceCheck.diskInodes("storage pool default", 1_000_000, 12_000, 2.5);

    assertThat(check.reason())
        .isEqualTo(
            "disk_inodes_low: storage pool default has 1.2% of its inodes free, 12000 of 1000000"
                + " (threshold 2.5%)");
  }

  @Test
  void littleAvailableMemoryIsMemoryLow() {
    ResourceCheck check = ResourceCheck.memory(16 * GIB, 512L << 20, 5);

    assertThat(check.reason())
        .isEqualTo("memory_low: memory has 3.1% available, 512.0 MiB of 16.0 GiB (threshold 5%)");
  }

  @Test
  void swapAboveTheThresholdIsSwapHighAndBelowItIsOk() {
    assertThat(ResourceCheck.swap(2 * GIB, 1_288_490_189L, 50).reason())
        .isEqualTo("swap_high: swap has 60.0% in use, 1.2 GiB of 2.0 GiB (threshold 50%)");
    assertThat(ResourceCheck.swap(2 * GIB, GIB, 50).status()).isEqualTo(ResourceCheck.Status.OK);
  }

  @Test
  void loadIsHeldAgainstTheNumberOfCores() {
    ResourceCheck high = ResourceCheck.load(9.2, 4, 2);
    ResourceCheck fine = ResourceCheck.load(9.2, 8, 2);

    assertThat(high.value()).isEqualTo(2.3);
    assertThat(high.reason())
        .isEqualTo("load_high: 5-minute load 9.20 on 4 cores is 2.30 per core (threshold 2)");
    assertThat(fine.status()).isEqualTo(ResourceCheck.Status.OK);
  }
}
