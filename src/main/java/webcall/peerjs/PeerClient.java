package webcall.peerjs;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.logging.LogText;

/**
 * One registered PeerJS id: its token, the socket that currently speaks for it, and when it last
 * sent HEARTBEAT. Kept small on purpose: there is one per connected peer.
 */
public final class PeerClient {
  private static final Logger log = LoggerFactory.getLogger(PeerClient.class);
  private static final AttributeKey<Boolean> CLOSING =
      AttributeKey.valueOf("webcall.peerjs.closing");
  private static final long CLOSE_GRACE_MILLIS = 2000;

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
   * Sends one text frame. A socket that has let 1 MiB pile up unread is a slow consumer: it is
   * closed rather than buffered for without bound.
   */
  public void send(String json) {
    send(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sends one text frame holding these UTF-8 JSON bytes, which are not copied: the caller must not
   * change them.
   */
  public void send(byte[] json) {
    Channel ch = socket;
    if (ch == null || !ch.isActive() || isClosing(ch)) {
      return;
    }
    if (!ch.isWritable()) {
      log.info("event=peer-slow-consumer peer={}", LogText.escape(id));
      close(ch, Rejection.SLOW_CONSUMER);
      return;
    }
    // No void promise: a write that fails because the socket has just closed is no error worth a
    // log line.
    ch.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(json)));
  }

  /**
   * Sends the rejection's frame, then closes with its code. Only the first rejection of a socket is
   * sent. A client that does not read (a slow consumer) would never let the close frame out, so the
   * connection is cut after a short grace.
   */
  static void close(Channel ch, Rejection why) {
    if (!ch.isActive() || !beginClosing(ch)) {
      return;
    }
    // Counted here, where each socket's one refusal goes out, whoever refused it (the socket's
    // handler, the fragment
    // limit, the sweeps, a slow consumer): the socket's handler holds the server's meters, so no
    // peer holds them.
    PeerSocketHandler handler = ch.pipeline().get(PeerSocketHandler.class);
    if (handler != null) {
      handler.refused(why);
    }
    ch.write(new TextWebSocketFrame(why.frame()));
    ch.writeAndFlush(new CloseWebSocketFrame(why.closeCode(), why.name().toLowerCase(Locale.ROOT)))
        .addListener(ChannelFutureListener.CLOSE);
    ch.eventLoop().schedule(() -> ch.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Closes with {@code code} and no ERROR frame (a takeover or a LEAVE: nothing went wrong). */
  static void closeQuietly(Channel ch, int code, String reason) {
    if (!ch.isActive() || !beginClosing(ch)) {
      return;
    }
    ch.writeAndFlush(new CloseWebSocketFrame(code, reason))
        .addListener(ChannelFutureListener.CLOSE);
    ch.eventLoop().schedule(() -> ch.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
  }

  /**
   * Marks the socket as closing; false if it already was, so that a socket gets one close frame
   * only.
   */
  static boolean beginClosing(Channel ch) {
    return ch.attr(CLOSING).setIfAbsent(Boolean.TRUE) == null;
  }

  static boolean isClosing(Channel ch) {
    return ch.attr(CLOSING).get() != null;
  }
}
