package webcall.peerjs;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * One registered PeerJS id: its token, the socket that currently speaks for it, and when it last sent HEARTBEAT. Kept
 * small on purpose: there is one per connected peer.
 */
public final class PeerClient {
  private final String id;
  private final byte[] token;
  private volatile Channel socket;
  private volatile long lastPing;

  PeerClient(String id, String token, Channel socket, long now) {
    this.id = id;
    this.token = token.getBytes(StandardCharsets.UTF_8);
    this.socket = socket;
    this.lastPing = now;
  }

  public String id() {
    return id;
  }

  /** Compares in constant time so the token cannot be guessed byte by byte. */
  public boolean tokenMatches(String candidate) {
    return candidate != null
        && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
  }

  public Channel socket() {
    return socket;
  }

  void attach(Channel channel) {
    this.socket = channel;
  }

  long lastPing() {
    return lastPing;
  }

  void heartbeat(long now) {
    lastPing = now;
  }

  /**
   * Sends one text frame. A socket that has let 1 MiB pile up unread is a slow consumer: it is closed rather than
   * buffered for without bound.
   */
  public void send(String json) {
    Channel ch = socket;
    if (ch == null || !ch.isActive()) {
      return;
    }
    if (!ch.isWritable()) {
      close(ch, Rejection.SLOW_CONSUMER);
      return;
    }
    ch.writeAndFlush(new TextWebSocketFrame(json), ch.voidPromise());
  }

  /** Sends the rejection's frame, then closes with its code. */
  static void close(Channel ch, Rejection why) {
    if (!ch.isActive()) {
      return;
    }
    ch.write(new TextWebSocketFrame(why.frame()), ch.voidPromise());
    ch.writeAndFlush(new CloseWebSocketFrame(why.closeCode(), why.name().toLowerCase()))
        .addListener(ChannelFutureListener.CLOSE);
  }
}
