package io.vmagent.benchmarks;

import io.vmagent.testing.TestDriverNodeXml;
import java.nio.file.Path;

/**
 * Writes a libvirt test-driver node XML with N domains for the agent benchmarks and prints its
 * {@code test://} URI. Run as a source file against the agent jar: {@code java -cp
 * agent/target/vm-agent.jar benchmarks/src/main/java/io/vmagent/benchmarks/NodeFixture.java N
 * FILE}.
 */
public final class NodeFixture {
  private NodeFixture() {}

  /** {@code NodeFixture DOMAINS FILE}. */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: NodeFixture DOMAINS FILE");
      System.exit(2);
    }
    int domains = Integer.parseInt(args[0]);
    if (domains < 0) {
      System.err.println("DOMAINS must be 0 or more, got " + domains);
      System.exit(2);
    }
    System.out.println(TestDriverNodeXml.write(Path.of(args[1]), domains));
  }
}
