package io.vmagent.agent.cli;

import io.vmagent.agent.doctor.Doctor;
import io.vmagent.agent.doctor.Finding;
import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vm-agent doctor}: the troubleshooting list, each check with PASS, FAIL or SKIP. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description =
        "Check, in order: the configuration; the backend's host name, TCP port, TLS handshake,"
            + " this agent's credentials (without using a bootstrap token up) and the clock"
            + " offset; libvirt with this URI as this user; the state directory. Each check says"
            + " PASS, FAIL with a hint, or SKIP when one it needs failed. Exit code 0 when all"
            + " pass, 78 when the configuration is invalid, 69 when another check fails.",
    footerHeading = "%nExamples:%n",
    footer = {"  sudo -u vm-agent vm-agent doctor", "  vm-agent doctor --json"})
final class DoctorCommand implements Callable<Integer> {
  private static final String INDENT = " ".repeat(24);

  @Spec CommandSpec spec;
  @Mixin ConfigOptions config;
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    List<Finding> findings = new Doctor(config.loader(), Clock.systemUTC()).run();
    output.print(spec.commandLine().getOut(), findings, DoctorCommand::print);
    return exitCode(findings);
  }

  private static void print(List<Finding> findings, PrintWriter out) {
    for (Finding finding : findings) {
      out.printf(
          "%-5s %-17s %s%n", finding.status(), finding.check(), Printable.escape(finding.detail()));
      if (finding.hint() != null) {
        out.println(INDENT + "hint: " + Printable.escape(finding.hint()));
      }
    }
    long failed = findings.stream().filter(f -> f.status() == Finding.Status.FAIL).count();
    out.println(
        failed == 0 ? "no check failed" : failed + " of " + findings.size() + " checks failed");
  }

  /** 78 when the configuration is at fault, 69 when another check failed, else 0. */
  static int exitCode(List<Finding> findings) {
    if (findings.stream().noneMatch(f -> f.status() == Finding.Status.FAIL)) {
      return ExitCodes.OK;
    }
    return findings.get(0).passed() ? ExitCodes.UNAVAILABLE : ExitCodes.CONFIG;
  }
}
