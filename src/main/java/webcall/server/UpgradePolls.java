package webcall.server;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.corundumstudio.socketio.messages.PacketsMessage;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.nio.charset.StandardCharsets;
import java.util.Queue;

/**
 * Answers every long poll of a session that is upgrading to WebSocket at once, with a NOOP, as the reference Engine.IO
 * server does (it writes a NOOP to polling every 100 ms from the probe to the upgrade packet).
 *
 * <p>The upgrade: the client opens a WebSocket, sends the probe ({@code 2probe}), and on the answer ({@code 3probe})
 * pauses polling: it waits for its poll in flight to end, then sends the upgrade packet ({@code 5}) on the WebSocket and
 * only then what it buffered meanwhile (a {@code join-room} sent at connect). netty-socketio ends a poll once, with the
 * NOOP it queues when the probe arrives. The probe's answer and that NOOP go out on two connections: when the NOOP
 * arrives first, the client, not yet pausing, sends a new poll, pauses on it, and that poll got nothing until the
 * upgrade timeout (10 s) closed the session. Its buffered packets never left it.
 *
 * <p>From the probe until the upgrade packet (while the session's WebSocket is open), a poll that finds the session's
 * polling queue empty gets a NOOP in it, so it is answered at once. A client still polling because it has not read the
 * probe's answer polls again, at most a round trip per poll; a session that is not upgrading is not touched.
 *
 * <p>{@link #probes()} sits before netty-socketio's packet handler (after {@code originGuard}, where TLS hands the
 * packets on); {@link #polls()} after its encoder, so that it sees each packet message for polling before the encoder.
 */
final class UpgradePolls {
  /** Where a session keeps the WebSocket it has probed on (its store lives and dies with it). */
  private static final String PROBED = "webcall.upgradePolls.probed";
  private static final byte[] PROBE = "2probe".getBytes(StandardCharsets.US_ASCII);

  private final ChannelHandler probes = new Probes();
  private final ChannelHandler polls = new Polls();

  /** Put before netty-socketio's packet handler ({@code packetHandler}), after the handler TLS hands packets to. */
  ChannelHandler probes() {
    return probes;
  }

  /** Put after netty-socketio's encoder ({@code socketioEncoder}). */
  ChannelHandler polls() {
    return polls;
  }

  /** Whether the session has probed a WebSocket that is still its own, and has not sent the upgrade packet yet. */
  static boolean upgrading(ClientHead session) {
    if (session.getCurrentTransport() != Transport.POLLING) {
      return false;
    }
    Object probed = session.getStore().get(PROBED);
    return probed instanceof Channel ws && ws.isActive() && session.isTransportChannel(ws, Transport.WEBSOCKET);
  }

  private static boolean isProbe(ByteBuf content) {
    if (content.readableBytes() != PROBE.length) {
      return false;
    }
    for (int i = 0; i < PROBE.length; i++) {
      if (content.getByte(content.readerIndex() + i) != PROBE[i]) {
        return false;
      }
    }
    return true;
  }

  /** Notes the probe a session sends on its new WebSocket. */
  @ChannelHandler.Sharable
  private static final class Probes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof PacketsMessage m && m.getTransport() == Transport.WEBSOCKET && isProbe(m.getContent())) {
        m.getClient().getStore().set(PROBED, ctx.channel());
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** Puts a NOOP in an upgrading session's empty polling queue when a poll takes the session's packets. */
  @ChannelHandler.Sharable
  private static final class Polls extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
      if (msg instanceof OutPacketMessage m && m.getTransport() == Transport.POLLING) {
        ClientHead session = m.getClientHead();
        Queue<Packet> queue = session.getPacketsQueue(Transport.POLLING);
        if (queue.isEmpty() && upgrading(session)) {
          queue.add(new Packet(PacketType.NOOP, session.getEngineIOVersion()));
        }
      }
      ctx.write(msg, promise);
    }
  }
}
