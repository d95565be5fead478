import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.software.os.OperatingSystem;

/**
 * Prints the host figures the agent's metrics take from OSHI, one {@code key=value} a line, so
 * that dist-tests.sh can compare them inside and outside the systemd unit's sandbox. Run with
 * the agent's jar on the class path: {@code java -cp vm-agent.jar OshiProbe.java}.
 */
final class OshiProbe {
  private OshiProbe() {}

  public static void main(String[] args) {
    SystemInfo si = new SystemInfo();
    HardwareAbstractionLayer hal = si.getHardware();
    OperatingSystem os = si.getOperatingSystem();
    GlobalMemory memory = hal.getMemory();
    CentralProcessor cpu = hal.getProcessor();
    print("memory_total_bytes", memory.getTotal());
    print("memory_available_bytes", memory.getAvailable());
    print("swap_total_bytes", memory.getVirtualMemory().getSwapTotal());
    print("cpu_logical", cpu.getLogicalProcessorCount());
    print("cpu_physical", cpu.getPhysicalProcessorCount());
    print("cpu_ticks_user", cpu.getSystemCpuLoadTicks()[CentralProcessor.TickType.USER.getIndex()]);
    print("load1", cpu.getSystemLoadAverage(1)[0]);
    print("uptime_seconds", os.getSystemUptime());
    os.getFileSystem()
        .getFileStores(true)
        .forEach(fs -> print("file_store", fs.getMount() + " " + fs.getVolume() + " " + fs.getTotalSpace()));
    print("file_stores", os.getFileSystem().getFileStores(true).size());
    print("disk_stores", hal.getDiskStores().size());
    print("network_ifs", hal.getNetworkIFs().size());
    print("processes", os.getProcessCount());
    print("hostname", os.getNetworkParams().getHostName());
  }

  private static void print(String key, Object value) {
    System.out.println(key + "=" + value);
  }
}
