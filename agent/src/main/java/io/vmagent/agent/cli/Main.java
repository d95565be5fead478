package io.vmagent.agent.cli;

/** Entry point of the {@code vm-agent} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.out.println("vm-agent");
  }
}
