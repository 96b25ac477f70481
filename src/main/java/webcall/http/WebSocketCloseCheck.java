package webcall.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks the close frames a WebSocket client sends, which Netty 4.1's decoder lets through with any
 * code from 3000 up (and below 0): a close with a code RFC 6455 §7.4 does not allow on the wire is
 * a protocol error (1002), one whose reason is not UTF-8 is 1007. Such a frame does not go on, so
 * that no handler echoes it; the error is fired as the {@link CorruptedWebSocketFrameException} the
 * decoder throws for broken frames, so that the socket's own handler closes with {@link
 * #closeStatus}'s code as for any other. Put it right after the WebSocket decoder. Sharable.
 */
@ChannelHandler.Sharable
public final class WebSocketCloseCheck extends ChannelInboundHandlerAdapter {
  public static final WebSocketCloseCheck INSTANCE = new WebSocketCloseCheck();

  private WebSocketCloseCheck() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof CloseWebSocketFrame close) {
      WebSocketCloseStatus wrong = check(close.content());
      if (wrong != null) {
        close.release();
        ctx.fireExceptionCaught(new CorruptedWebSocketFrameException(wrong, "invalid close frame"));
        return;
      }
    }
    super.channelRead(ctx, msg);
  }

  /** What is wrong with a received close frame's payload, or null. */
  static WebSocketCloseStatus check(ByteBuf payload) {
    int n = payload.readableBytes();
    if (n == 0) {
      return null; // no code: allowed
    }
    if (n == 1) {
      return WebSocketCloseStatus.PROTOCOL_ERROR;
    }
    if (!allowedOnTheWire(payload.getUnsignedShort(payload.readerIndex()))) {
      return WebSocketCloseStatus.PROTOCOL_ERROR;
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(payload.nioBuffer(payload.readerIndex() + 2, n - 2));
      return null;
    } catch (CharacterCodingException e) {
      return WebSocketCloseStatus.INVALID_PAYLOAD_DATA;
    }
  }

  /**
   * Codes a peer may send (1004-1006 and 1015 are reserved, below 1000 and 5000 up unassigned), as
   * ws accepts them.
   */
  public static boolean allowedOnTheWire(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  /**
   * The close code for an error a WebSocket pipeline raises: the decoder's own for a broken frame
   * (1002, 1007, 1009), 1009 for a message too big to aggregate, 1011 for anything else.
   */
  public static WebSocketCloseStatus closeStatus(Throwable cause) {
    if (cause instanceof CorruptedWebSocketFrameException bad && bad.closeStatus() != null) {
      return bad.closeStatus();
    }
    if (cause instanceof TooLongFrameException) {
      return WebSocketCloseStatus.MESSAGE_TOO_BIG;
    }
    return WebSocketCloseStatus.INTERNAL_SERVER_ERROR;
  }
}
