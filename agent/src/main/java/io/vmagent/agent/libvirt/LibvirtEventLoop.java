package io.vmagent.agent.libvirt;

import io.vmagent.agent.util.NamedThreads;
import org.libvirt.Connect;
import org.libvirt.ErrorCallback;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide libvirt event loop. libvirt has one default event implementation per process; it
 * must be registered before connections are opened (keepalive, close callbacks and domain events
 * depend on it), and it runs on one named daemon thread.
 */
final class LibvirtEventLoop {
  private static final Logger log = LoggerFactory.getLogger(LibvirtEventLoop.class);
  private static Thread thread;
  // libvirt-java does not keep the callback it hands to libvirt; if the JVM collected it, the
  // next libvirt error would jump into freed memory. This reference lives as long as the class.
  private static final ErrorCallback SILENT_ERRORS = new ErrorCallback();

  private LibvirtEventLoop() {}

  /** Registers the event implementation and starts its thread, once per process. */
  static synchronized void ensureRunning() {
    if (thread != null) {
      return;
    }
    try {
      // libvirt prints every error to stderr unless a handler is set; errors reach the agent
      // through LibvirtException instead, so the default printer is replaced by a silent one.
      Connect.setErrorCallback(SILENT_ERRORS);
      Library.initEventLoop();
    } catch (LibvirtException e) {
      throw new VmOperationException(
          io.vmagent.protocol.ErrorCode.LIBVIRT_UNAVAILABLE,
          "cannot start the libvirt event loop: " + LibvirtErrors.messageOf(e),
          e);
    }
    Thread loop = NamedThreads.thread("libvirt-event-loop", true, LibvirtEventLoop::run);
    loop.start();
    thread = loop;
  }

  private static void run() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Library.runEventLoop();
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (LibvirtException e) {
        log.warn("libvirt event loop iteration failed: {}", LibvirtErrors.messageOf(e));
        try {
          Thread.sleep(100);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
