package io.vmagent.agent.libvirt;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;

/** The libvirt test driver loaded with this module's node fixture. */
public final class TestHost {
  private TestHost() {}

  /** A fresh private copy of the fixture host: every connection to this URI gets its own. */
  public static String uri() {
    URL resource = TestHost.class.getResource("/libvirt/node.xml");
    if (resource == null) {
      throw new IllegalStateException("libvirt/node.xml missing from the test resources");
    }
    try {
      return "test://" + Path.of(resource.toURI()).toAbsolutePath();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A started manager on a private copy of the fixture host. */
  public static LibvirtConnectionManager connect() {
    LibvirtConnectionManager manager =
        new LibvirtConnectionManager(
            uri(), Duration.ofSeconds(10), 4, Duration.ofMillis(50), Duration.ofMillis(500));
    manager.start();
    return manager;
  }
}
