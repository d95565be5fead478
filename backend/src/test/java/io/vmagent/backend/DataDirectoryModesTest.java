package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data directory and the embedded database's files are the owner's alone, always. */
class DataDirectoryModesTest {
  @TempDir Path dir;

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static List<Path> databaseFiles(Path data) throws Exception {
    try (Stream<Path> files = Files.list(data.resolve("db"))) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void widerModesThatExistedBeforeAreTightenedAtStart() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve("db"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(data.resolve("db"), PosixFilePermissions.fromString("rwxr-xr-x"));

    try (RunningBackend backend =
        VmBackend.builder().dataDir(data).listen("127.0.0.1", 0).build().start()) {
      assertThat(backend.port()).isPositive();
      assertThat(mode(data)).isEqualTo("rwx------");
      assertThat(mode(data.resolve("db"))).isEqualTo("rwx------");
      assertThat(databaseFiles(data)).isNotEmpty();
      for (Path file : databaseFiles(data)) {
        assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
      }
    }

    // Loosened while it was stopped (a restore from a backup, a chmod -R): tightened again.
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (Path file : databaseFiles(data)) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
    try (RunningBackend backend =
        VmBackend.builder().dataDir(data).listen("127.0.0.1", 0).build().start()) {
      assertThat(backend.port()).isPositive();
      assertThat(mode(data)).isEqualTo("rwx------");
      for (Path file : databaseFiles(data)) {
        assertThat(mode(file)).as(file.toString()).isEqualTo("rw-------");
      }
    }
  }
}
