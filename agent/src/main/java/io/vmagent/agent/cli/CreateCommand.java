package io.vmagent.agent.cli;

import io.vmagent.agent.libvirt.CreateParams;
import io.vmagent.agent.libvirt.create.DomainBuilder;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.text.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vm-agent vm define} and {@code vm-agent vm create}: making a VM on this host. */
final class CreateCommand {
  private CreateCommand() {}

  @Command(
      name = "define",
      mixinStandardHelpOptions = true,
      description =
          "Define a VM from a complete domain XML file ('-' reads standard input), once it passed"
              + " the allowlist: disks only from storage pools, no host devices, files or"
              + " passthrough.",
      footerHeading = "%nExamples:%n",
      footer = {"  vm-agent vm define web-02.xml", "  virsh dumpxml web-01 | vm-agent vm define -"})
  static final class Define extends VmSubcommand {
    @Parameters(paramLabel = "FILE", description = "The domain XML, or '-' for standard input.")
    String file;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      String xml = read(file, CreateParams.MAX_XML_CHARS);
      output.print(out, session.run(ops -> ops.define(xml)), VmTables::created);
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create a VM from parameters: its disks as new volumes, qcow2 overlays on or clones of"
              + " a base volume, one network interface, an optional cloud-init seed.",
      footerHeading = "%nExamples:%n",
      footer = {
        "  vm-agent vm create web-02 --vcpus 2 --memory 2048 \\",
        "      --disk pool=default,base=debian-12.qcow2,size=20480 --network default \\",
        "      --cloud-init-user-data user-data.yaml --start",
        "  vm-agent vm create scratch-01 --vcpus 1 --memory 512 --disk pool=default,size=1024"
      })
  static final class Create extends VmSubcommand {
    @Parameters(paramLabel = "NAME", description = "The new VM's name.")
    String name;

    @Option(names = "--vcpus", required = true, paramLabel = "N", description = "vCPUs (1-256).")
    int vcpus;

    @Option(
        names = "--memory",
        required = true,
        paramLabel = "MIB",
        description = "Memory in MiB (16-4194304).")
    long memoryMib;

    @Option(
        names = "--disk",
        paramLabel = "SPEC",
        description =
            "A disk (repeatable; vda, vdb, ...): pool=POOL,size=MIB for a new empty volume, or"
                + " pool=POOL,base=VOLUME[,mode=overlay|clone][,size=MIB] for a qcow2 overlay on"
                + " (default) or a full copy of a volume of that pool.")
    List<String> disks = new ArrayList<>();

    @Option(names = "--network", paramLabel = "NAME", description = "libvirt network.")
    String network;

    @Option(names = "--bridge", paramLabel = "BRIDGE", description = "Host bridge.")
    String bridge;

    @Option(
        names = "--cloud-init-user-data",
        paramLabel = "FILE",
        description = "Attach a cloud-init NoCloud seed (label cidata) with this user-data.")
    Path userData;

    @Option(
        names = "--cloud-init-meta-data",
        paramLabel = "FILE",
        description = "The seed's meta-data (default: instance-id and local-hostname).")
    Path metaData;

    @Option(
        names = "--cloud-init-pool",
        paramLabel = "POOL",
        description = "Pool of the seed volume (default: the first disk's).")
    String seedPool;

    @Option(
        names = "--firmware",
        paramLabel = "bios|uefi",
        description = "Firmware (default bios).")
    String firmware = "bios";

    @Option(names = "--start", description = "Start the VM once it is created.")
    boolean start;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      String user =
          userData == null ? null : read(userData.toString(), CreateParams.CloudInit.MAX_CHARS);
      String meta =
          metaData == null ? null : read(metaData.toString(), CreateParams.CloudInit.MAX_CHARS);
      if (user == null && (meta != null || seedPool != null)) {
        throw new CommandFailure(
            ExitCodes.USAGE,
            ErrorCode.INVALID_ARGUMENT,
            "--cloud-init-meta-data and --cloud-init-pool need --cloud-init-user-data");
      }
      output.print(
          out,
          session.run(
              ops ->
                  ops.create(
                      new CreateParams.Create(
                          name,
                          vcpus,
                          memoryMib,
                          disks.stream().map(CreateParams.Disk::parse).toList(),
                          network,
                          bridge,
                          user == null ? null : new CreateParams.CloudInit(user, meta, seedPool),
                          firmware(firmware),
                          start))),
          VmTables::created);
    }
  }

  private static DomainBuilder.Firmware firmware(String text) {
    return switch (text) {
      case "bios" -> DomainBuilder.Firmware.BIOS;
      case "uefi" -> DomainBuilder.Firmware.UEFI;
      default ->
          throw new CommandFailure(
              ExitCodes.USAGE,
              ErrorCode.INVALID_ARGUMENT,
              "--firmware must be bios or uefi, not '" + Printable.escape(text) + "'");
    };
  }

  /** A file (or standard input for {@code -}) of at most {@code maxChars}, as UTF-8 text. */
  static String read(String file, int maxChars) {
    try (InputStream in = file.equals("-") ? System.in : Files.newInputStream(Path.of(file))) {
      // UTF-8 takes at most 4 bytes a character: more bytes than that are surely too many.
      byte[] bytes = in.readNBytes(maxChars * 4 + 1);
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (bytes.length > maxChars * 4 || text.length() > maxChars) {
        throw new CommandFailure(
            ExitCodes.USAGE,
            ErrorCode.INVALID_ARGUMENT,
            Printable.escape(file) + " is longer than " + maxChars + " characters");
      }
      return text;
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.USAGE,
          ErrorCode.INVALID_ARGUMENT,
          "cannot read " + Printable.escape(file) + ": " + e.getMessage(),
          e);
    }
  }
}
