package webcall.socketio;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import webcall.http.WebSocketCloseCheck;

/**
 * One Engine.IO WebSocket, after its handshake: hands whole messages to its session, answers pings
 * and close frames, and closes with the RFC 6455 code for what the client broke (1002 broken frame
 * or close code, 1007 bad UTF-8, 1009 too big or too many fragments). One per connection.
 */
final class EngineWebSocket extends ChannelInboundHandlerAdapter {
  /** The channel's WebSocket handshake, until its response is written. */
  static final AttributeKey<ChannelFuture> HANDSHAKE =
      AttributeKey.valueOf("webcall.socketio.handshake");

  private static final AttributeKey<Boolean> CLOSING =
      AttributeKey.valueOf("webcall.socketio.closing");

  private final EngineIoServer server;
  private final String address;
  private EngineSession session;
  private boolean broken; // a protocol error was seen: nothing more it sends counts
  private boolean probing; // opened for an existing sid, and its "2probe" not answered yet

  EngineWebSocket(EngineIoServer server, String address) {
    this.server = server;
    this.address = address;
  }

  void session(EngineSession s, boolean probe) {
    session = s;
    probing = probe;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (broken || ctx.channel().hasAttr(CLOSING)) {
        return; // closing: nothing more counts
      }
      if (msg instanceof CloseWebSocketFrame close) {
        int code = close.statusCode();
        // closeCheck already refused codes no endpoint may send; an echo of one would break the
        // protocol in turn.
        closeWith(
            ctx.channel(),
            code < 0 ? -1 : WebSocketCloseCheck.allowedOnTheWire(code) ? code : 1002);
      } else if (msg instanceof PingWebSocketFrame ping) {
        if (ctx.channel().isWritable()) {
          ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()), ctx.voidPromise());
        }
      } else if (msg instanceof TextWebSocketFrame text && session != null) {
        String data = text.content().toString(StandardCharsets.UTF_8);
        if (probing && "2probe".equals(data)) {
          // Answered here, on this channel's own event loop, before "5" can be read: the session
          // runs on another loop,
          // and a write from there could reach the client after the 400 its next poll gets once "5"
          // is handled.
          probing = false;
          ctx.writeAndFlush(
              new TextWebSocketFrame(Unpooled.wrappedBuffer(Frame.PONG_PROBE.bytes)),
              ctx.voidPromise());
        }
        session.fromWebSocket(ctx.channel(), data);
      } else if (msg instanceof BinaryWebSocketFrame bin && session != null) {
        session.fromWebSocket(ctx.channel(), ByteBufUtil.getBytes(bin.content()));
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    int code;
    if (cause instanceof CorruptedWebSocketFrameException e) {
      code = e.closeStatus() != null ? e.closeStatus().code() : 1002;
    } else if (cause instanceof TooLongFrameException) {
      code = 1009;
    } else {
      server.clientErrors.info(
          "socketio-connection-error",
          "event=socketio-connection-error addr={} error={}",
          address,
          cause.getClass().getSimpleName());
      ctx.close();
      return;
    }
    server.clientErrors.info(
        "socketio-bad-frame", "event=socketio-bad-frame addr={} close={}", address, code);
    if (broken) {
      return;
    }
    broken = true;
    if (session != null) {
      session.webSocketFailed(ctx.channel(), code);
    } else {
      closeWith(ctx.channel(), code);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (session != null) {
      session.webSocketClosed(ctx.channel());
    }
    ctx.fireChannelInactive();
  }

  /** Sends a close frame with this code (-1: without one) once, then closes the connection. */
  static void closeWith(Channel ch, int code) {
    if (!ch.eventLoop().inEventLoop()) {
      ch.eventLoop().execute(() -> closeWith(ch, code));
      return;
    }
    ChannelFuture handshake = ch.attr(HANDSHAKE).get();
    if (handshake != null && !handshake.isDone()) {
      // Refused before its 101 is out (a probe is known to its session from the request on): a
      // close frame can only follow the handshake.
      handshake.addListener(f -> closeWith(ch, code));
      return;
    }
    if (ch.hasAttr(CLOSING)) {
      return;
    }
    ch.attr(CLOSING).set(Boolean.TRUE);
    if (!ch.isActive()) {
      return;
    }
    CloseWebSocketFrame frame =
        code < 0 ? new CloseWebSocketFrame(true, 0) : new CloseWebSocketFrame(code, "");
    ch.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    // A client that does not read would keep it open: cut it off after 2 s whatever happened.
    ch.eventLoop()
        .schedule(
            () -> {
              ch.close();
            },
            2,
            java.util.concurrent.TimeUnit.SECONDS);
  }

  /**
   * Counts the frames of one message before the aggregator: endless tiny fragments cost a read and
   * a buffer each.
   */
  static final class FragmentCap extends ChannelInboundHandlerAdapter {
    private final int max;
    private int frames;

    FragmentCap(int max) {
      this.max = max;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof TextWebSocketFrame
          || msg instanceof BinaryWebSocketFrame
          || msg instanceof ContinuationWebSocketFrame) {
        WebSocketFrame frame = (WebSocketFrame) msg;
        if (++frames > max) {
          ReferenceCountUtil.release(msg);
          if (frames == max + 1) {
            ctx.fireExceptionCaught(new TooLongFrameException("too many fragments"));
          }
          return;
        }
        if (frame.isFinalFragment()) {
          frames = 0;
        }
      }
      ctx.fireChannelRead(msg);
    }
  }
}
