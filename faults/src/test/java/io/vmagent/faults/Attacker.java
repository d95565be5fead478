package io.vmagent.faults;

import io.vmagent.backend.client.TlsTrust;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.testing.RawPollFlood;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One client attacking the backend from a process of its own (the file-descriptor limit is per
 * process) and an address of its own ({@code ATTACK_SOURCE}, 127.0.0.2 unless set): {@code slow}
 * connections that send the start of a TLS record and then nothing, and {@code polls} concurrent
 * long polls with one agent's access token (environment {@code ATTACK_TOKEN}), each sent again the
 * moment it is answered, for {@code seconds}. Prints what it got on its last line. Arguments: URL
 * CA_PEM AGENT_ID SLOW POLLS SECONDS.
 */
public final class Attacker {
  private Attacker() {}

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args[0]);
    Path ca = Path.of(args[1]);
    String agentId = args[2];
    int slow = Integer.parseInt(args[3]);
    int polls = Integer.parseInt(args[4]);
    Instant until = Instant.now().plusSeconds(Long.parseLong(args[5]));
    String token = System.getenv("ATTACK_TOKEN");

    String source = System.getenv().getOrDefault("ATTACK_SOURCE", "127.0.0.2");
    RawPollFlood flood =
        RawPollFlood.start(
            base,
            TlsTrust.trusting(ca).getSocketFactory(),
            source,
            ProtocolPaths.commands(agentId, 30) + "&max=1",
            token,
            polls,
            until);
    int[] slowState = holdSlowConnections(base, source, slow, until);
    flood.join();
    System.out.println(
        "ATTACK slow connected "
            + slowState[0]
            + " of "
            + slow
            + ", polls answered "
            + flood.statuses()
            + ", poll failures "
            + flood.failures());
    System.exit(0);
  }

  /** Opens the connections without blocking and holds them until {@code until}. */
  private static int[] holdSlowConnections(URI base, String source, int count, Instant until)
      throws Exception {
    InetSocketAddress address = new InetSocketAddress(base.getHost(), base.getPort());
    List<SocketChannel> channels = new ArrayList<>();
    int connected = 0;
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < count; i++) {
        SocketChannel channel = SocketChannel.open();
        channel.bind(new InetSocketAddress(source, 0));
        channel.configureBlocking(false);
        channel.connect(address);
        channel.register(selector, SelectionKey.OP_CONNECT);
        channels.add(channel);
      }
      while (Instant.now().isBefore(until)) {
        selector.select(500);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel channel = (SocketChannel) key.channel();
          try {
            if (key.isConnectable() && channel.finishConnect()) {
              channel.write(ByteBuffer.wrap(new byte[] {0x16, 0x03, 0x01}));
              key.interestOps(0);
              connected++;
            }
          } catch (java.io.IOException refused) {
            key.cancel();
          }
        }
        selector.selectedKeys().clear();
      }
    }
    for (SocketChannel channel : channels) {
      channel.close();
    }
    return new int[] {connected};
  }
}
