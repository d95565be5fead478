package io.vmagent.agent.libvirt.create;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed read back with {@code isoinfo}: label {@code cidata}, both files, contents intact. */
class CloudInitSeedTest {
  @TempDir Path dir;

  @Test
  void theSeedIsAnIsoLabelledCidataHoldingUserDataAndMetaData() throws Exception {
    String userData = "#cloud-config\nusers:\n  - name: ops\n    shell: /bin/bash\n";
    String metaData = "instance-id: 1234\nlocal-hostname: web-02\n";
    Path iso = dir.resolve("seed.iso");
    Files.write(iso, CloudInitSeed.build(userData, metaData));

    assertThat(isoinfo("-d", "-i", iso.toString())).contains("Volume id: cidata");
    assertThat(isoinfo("-J", "-f", "-i", iso.toString()))
        .contains("/user-data")
        .contains("/meta-data");
    assertThat(isoinfo("-J", "-x", "/user-data", "-i", iso.toString())).isEqualTo(userData);
    assertThat(isoinfo("-J", "-x", "/meta-data", "-i", iso.toString())).isEqualTo(metaData);
  }

  private String isoinfo(String... args) throws IOException, InterruptedException {
    Path output = dir.resolve("isoinfo.out");
    List<String> command = new ArrayList<>();
    command.add("isoinfo");
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    return Files.readString(output, StandardCharsets.UTF_8);
  }
}
