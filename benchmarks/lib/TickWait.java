import java.util.Set;
import org.jacoco.cli.internal.core.data.ExecutionData;
import org.jacoco.cli.internal.core.tools.ExecDumpClient;

/**
 * Waits until a JVM's timers have just run, read from its JaCoCo agent's coverage: clears the
 * coverage, then dumps it every 50 ms until a probe of each named class has been hit. A window
 * opened right after that ends before the timers' next round when it is shorter than their period
 * (timers of the same period started together run within milliseconds of each other). Run as a
 * source file with the JaCoCo CLI's nodeps jar on the class path (whose copy of JaCoCo's core
 * lives under {@code org.jacoco.cli.internal}):
 *
 * <pre>java -cp org.jacoco.cli-0.8.15-nodeps.jar TickWait.java PORT TIMEOUT_MS CLASS...</pre>
 *
 * CLASS is a JVM name such as {@code io/vmagent/backend/service/OfflineWatch}. Prints the class
 * that ran last and exits 0, or exits 1 when not all ran within TIMEOUT_MS.
 */
public final class TickWait {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long deadline = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000L;
    Set<String> timers = Set.of(java.util.Arrays.copyOfRange(args, 2, args.length));
    ExecDumpClient client = new ExecDumpClient();
    client.setReset(true);
    client.dump("127.0.0.1", port);
    client.setReset(false);
    Set<String> ran = new java.util.HashSet<>();
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      for (ExecutionData data :
          client.dump("127.0.0.1", port).getExecutionDataStore().getContents()) {
        if (timers.contains(data.getName()) && data.hasHits() && ran.add(data.getName())) {
          if (ran.size() == timers.size()) {
            System.out.println(data.getName());
            return;
          }
        }
      }
    }
    System.exit(1);
  }
}
