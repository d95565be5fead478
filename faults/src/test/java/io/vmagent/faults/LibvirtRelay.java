package io.vmagent.faults;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntPredicate;

/**
 * A UNIX-socket relay between a client and a private libvirt daemon ({@code
 * qemu:///system?socket=PATH}) that forwards every RPC message unchanged, except that when the
 * client calls a chosen procedure it runs an action and drops the call instead. This is a fault
 * injector: no real part lets a test stop a client at one exact step of libvirt's migration
 * protocol.
 */
final class LibvirtRelay implements AutoCloseable {
  /** libvirt's remote program number (remote_protocol.x). */
  static final int REMOTE_PROGRAM = 0x20008086;

  /** {@code REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3}, the migration's last call on the source. */
  static final int MIGRATE_CONFIRM3 = 218;

  /**
   * {@code REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS}, the same with typed parameters, which
   * libvirt-java's migration sends (seen here after BEGIN3_PARAMS 302 and PERFORM3_PARAMS 305).
   */
  static final int MIGRATE_CONFIRM3_PARAMS = 307;

  private static final int CALL = 0;
  private static final int MAX_MESSAGE = 32 * 1024 * 1024;

  private final Path socket;
  private final UnixDomainSocketAddress upstream;
  private final ServerSocketChannel server;
  private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
  private final List<Integer> calls = new CopyOnWriteArrayList<>();
  private final Thread acceptor;
  private volatile IntPredicate trigger = procedure -> false;
  private volatile Runnable action = () -> {};

  private LibvirtRelay(Path socket, Path upstream) throws IOException {
    this.socket = socket;
    this.upstream = UnixDomainSocketAddress.of(upstream);
    Files.deleteIfExists(socket);
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    this.acceptor = new Thread(this::accept, "libvirt-relay");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A relay at {@code socket} in front of the daemon that {@code daemonUri} names. */
  static LibvirtRelay before(String daemonUri, Path socket) throws IOException {
    int at = daemonUri.indexOf("socket=");
    if (at < 0) {
      throw new IllegalArgumentException("not a private daemon's URI: " + daemonUri);
    }
    return new LibvirtRelay(socket, Path.of(daemonUri.substring(at + "socket=".length())));
  }

  /** The URI a client uses to reach the daemon through this relay. */
  String uri() {
    return "qemu:///system?socket=" + socket;
  }

  /**
   * From now on, a call of a procedure {@code trigger} accepts is not forwarded: {@code action}
   * runs instead, and the connection it came on is cut.
   */
  void onCall(IntPredicate trigger, Runnable action) {
    this.action = action;
    this.trigger = trigger;
  }

  /** The remote procedures clients called so far, in order (for a failing test's message). */
  List<Integer> calls() {
    return new ArrayList<>(calls);
  }

  private void accept() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        SocketChannel daemon = SocketChannel.open(upstream);
        open.add(client);
        open.add(daemon);
        pump(client, daemon, true);
        pump(daemon, client, false);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void pump(SocketChannel from, SocketChannel to, boolean fromClient) {
    Thread thread =
        new Thread(
            () -> {
              try {
                while (true) {
                  ByteBuffer message = readMessage(from);
                  if (fromClient && isTriggeringCall(message)) {
                    action.run();
                    break;
                  }
                  while (message.hasRemaining()) {
                    to.write(message);
                  }
                }
              } catch (IOException e) {
                // one side went away: the other goes too
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            fromClient ? "libvirt-relay-calls" : "libvirt-relay-replies");
    thread.setDaemon(true);
    thread.start();
  }

  private boolean isTriggeringCall(ByteBuffer message) {
    // length(4) program(4) version(4) procedure(4) type(4) serial(4) status(4)
    if (message.limit() < 28 || message.getInt(4) != REMOTE_PROGRAM) {
      return false;
    }
    int procedure = message.getInt(12);
    if (message.getInt(16) != CALL) {
      return false;
    }
    calls.add(procedure);
    return trigger.test(procedure);
  }

  private static ByteBuffer readMessage(SocketChannel from) throws IOException {
    ByteBuffer length = ByteBuffer.allocate(4);
    fill(from, length);
    int size = length.getInt(0);
    if (size < 4 || size > MAX_MESSAGE) {
      throw new IOException("not a libvirt RPC message: length " + size);
    }
    ByteBuffer message = ByteBuffer.allocate(size);
    message.putInt(size);
    fill(from, message);
    message.flip();
    return message;
  }

  private static void fill(SocketChannel from, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (from.read(buffer) < 0) {
        throw new EOFException();
      }
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (SocketChannel channel : open) {
      closeQuietly(channel);
    }
    Files.deleteIfExists(socket);
  }
}
