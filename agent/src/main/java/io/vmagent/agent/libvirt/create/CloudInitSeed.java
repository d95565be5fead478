package io.vmagent.agent.libvirt.create;

import io.vmagent.agent.operation.OperationFailure;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.text.Printable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A cloud-init NoCloud seed: an ISO 9660 image labelled {@code cidata} holding {@code user-data}
 * and {@code meta-data}. Made with Debian's {@code genisoimage}, or {@code xorriso} where that is
 * what is installed (the package depends on one of them): no maintained Java library writes ISO
 * 9660 with Joliet and Rock Ridge.
 */
public final class CloudInitSeed {
  /** The volume label cloud-init looks for. */
  public static final String LABEL = "cidata";

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final List<Path> GENISOIMAGE =
      List.of(Path.of("/usr/bin/genisoimage"), Path.of("/usr/bin/mkisofs"));
  private static final Path XORRISO = Path.of("/usr/bin/xorriso");

  private CloudInitSeed() {}

  /**
   * The ISO image's bytes.
   *
   * @throws OperationFailure {@code UNSUPPORTED} when neither tool is installed, {@code
   *     OPERATION_FAILED} when the tool fails
   */
  public static byte[] build(String userData, String metaData) {
    List<String> command = new ArrayList<>(tool());
    Path dir = null;
    try {
      dir = Files.createTempDirectory("vm-agent-seed-");
      Files.writeString(dir.resolve("user-data"), userData, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("meta-data"), metaData, StandardCharsets.UTF_8);
      Path iso = dir.resolve("seed.iso");
      command.addAll(
          List.of(
              "-output",
              iso.toString(),
              "-volid",
              LABEL,
              "-joliet",
              "-rock",
              "-quiet",
              dir.resolve("user-data").toString(),
              dir.resolve("meta-data").toString()));
      run(command, dir.resolve("output.txt"));
      return Files.readAllBytes(iso);
    } catch (IOException e) {
      throw new OperationFailure(
          ErrorCode.OPERATION_FAILED, "cannot make the cloud-init seed: " + e.getMessage(), e);
    } finally {
      deleteTree(dir);
    }
  }

  private static List<String> tool() {
    for (Path path : GENISOIMAGE) {
      if (Files.isExecutable(path)) {
        return List.of(path.toString());
      }
    }
    if (Files.isExecutable(XORRISO)) {
      return List.of(XORRISO.toString(), "-as", "mkisofs");
    }
    throw new OperationFailure(
        ErrorCode.UNSUPPORTED,
        "a cloud-init seed needs genisoimage or xorriso (apt install genisoimage)");
  }

  private static void run(List<String> command, Path log) throws IOException {
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      process.getOutputStream().close();
      if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(
            command.get(0) + " did not finish within " + TIMEOUT.toSeconds() + " s");
      }
      if (process.exitValue() != 0) {
        throw new IOException(
            command.get(0)
                + " exited with "
                + process.exitValue()
                + ": "
                + Printable.escape(Files.readString(log, StandardCharsets.UTF_8).strip()));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making the cloud-init seed", e);
    }
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // A leftover temporary directory costs a few KiB; the seed itself was read or failed.
    }
  }
}
