package webcall.peerjs;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AttributeKey;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A PeerJS WebSocket as a {@link PeerLink}: text frames out, the ERROR frame and close code for a
 * refusal. The closing mark lives on the channel, so the socket's handlers, which close the channel
 * before or without a link, and the link agree on the one close frame a socket gets.
 */
final class ChannelPeerLink implements PeerLink {
  private static final AttributeKey<Boolean> CLOSING =
      AttributeKey.valueOf("webcall.peerjs.closing");
  private static final long CLOSE_GRACE_MILLIS = 2000;

  private final Channel ch;

  ChannelPeerLink(Channel ch) {
    this.ch = ch;
  }

  @Override
  public boolean isOpen() {
    return ch.isActive() && !isClosing(ch);
  }

  @Override
  public boolean isWritable() {
    return ch.isWritable();
  }

  @Override
  public void send(byte[] json) {
    if (!isOpen()) {
      return;
    }
    // No void promise: a write that fails because the socket has just closed is no error worth a
    // log line.
    ch.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(json)));
  }

  @Override
  public void close(Rejection why) {
    close(ch, why);
  }

  @Override
  public void closeQuietly(int code, String reason) {
    closeQuietly(ch, code, reason);
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
    // handler, the fragment limit, the sweeps, a slow consumer): the socket's handler holds the
    // server's meters, so no peer holds them.
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
