package webcall.server;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.handler.EncoderHandler;
import com.corundumstudio.socketio.messages.HttpMessage;
import com.corundumstudio.socketio.messages.OutPacketMessage;
import com.corundumstudio.socketio.messages.XHRPostMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Keeps a Socket.IO long-polling connection open after each poll and post, as the response's "Connection:
 * keep-alive" promises. netty-socketio closes it after every response, so a browser on polling paid a new TCP (and
 * TLS) handshake per request.
 *
 * <p>netty-socketio assumes one request per connection and ties a connection to a session in two places:
 *
 * <ul>
 *   <li>the session's polling {@code TransportState} and {@code ClientsBox}'s channel-to-session map, both set by
 *       {@code ClientHead.bindChannel} when a GET arrives: while they point at a connection, whatever the session
 *       sends is written to it;
 *   <li>the connection's attributes: {@code WRITE_ONCE}, set by the first response and keeping every later write off
 *       the connection; {@code CLIENT}, the session a handshake on this connection created, which a request without
 *       {@code sid} then acts for; {@code ORIGIN}, {@code USER_AGENT}, {@code B64} and {@code JSONP_INDEX}, how the
 *       response is encoded, of which the last two are set only when the request names them.
 * </ul>
 *
 * Both are reset between requests, so that each request finds the connection as netty-socketio would find a new one:
 *
 * <ul>
 *   <li>just before the last part of a GET's response is written, the session lets go of the connection
 *       ({@code releasePollingChannel}, what netty-socketio does itself once the connection is closed). Nothing of the
 *       response is flushed yet, so the client cannot have sent its next poll, over whatever connection, before that;
 *       what the session sends from then on waits in its queue for that next poll;
 *   <li>when the next request arrives, the attributes are cleared;
 *   <li>a packet message that still reaches this connection for a session other than the one whose GET it holds
 *       (another thread read the binding just before the release) is not handed to the encoder: the packets stay in
 *       their session's queue. Its promise is completed only when the connection closes, because {@code
 *       ClientHead.disconnect()} adds a close to it, which would cut the other session's request.
 * </ul>
 *
 * The connection is still closed after: a request that asked for it ({@code Connection: close}, HTTP/1.0 without
 * keep-alive); OPTIONS (netty-socketio's answer has no Content-Length, so only the close ends it); a {@code
 * disconnect} request; every error netty-socketio answers (it writes those itself, with a close); and a request that
 * arrives before the previous one's response is out (pipelining: netty-socketio would answer it ahead of a waiting
 * poll, and the client would pair the responses wrongly). Browsers do not pipeline.
 *
 * <p>Two handlers share the state of one connection: {@link #requests()} sits before every handler that reads a
 * request, {@link #responses()} after netty-socketio's encoder, so that it sees the encoder's messages before the
 * encoder does and the response parts the encoder writes from the pipeline's tail. Both run on the connection's event
 * loop, so nothing here locks.
 */
final class PollingKeepAlive {
  /** netty-socketio's per-connection attributes, cleared before each request. */
  private static final List<AttributeKey<?>> PER_REQUEST = List.of(EncoderHandler.WRITE_ONCE, ClientHead.CLIENT,
      EncoderHandler.ORIGIN, EncoderHandler.USER_AGENT, EncoderHandler.B64, EncoderHandler.JSONP_INDEX);

  private static final Exception NOT_ANSWERED =
      new IllegalStateException("the connection served another request; the packets wait in their queue");

  /** A request is in whose response has not been written to its end. */
  private boolean awaiting;
  /** That request, when it is a long-polling one; null otherwise. */
  private Poll poll;
  /** While the encoder writes an answer: whether the connection stays open after it. */
  private Boolean keepOpen;
  /** While the encoder writes the answer to a GET: its session, to be released before the answer's end. */
  private ClientHead answering;

  private final ChannelHandler requests = new Requests();
  private final ChannelHandler responses = new Responses();

  /** Put before every handler that reads or answers requests. */
  ChannelHandler requests() {
    return requests;
  }

  /** Put after netty-socketio's encoder ({@code socketioEncoder}). */
  ChannelHandler responses() {
    return responses;
  }

  /** A Socket.IO polling request, recognised as netty-socketio's PollingTransport does. */
  private record Poll(HttpMethod method, UUID sid, boolean keepAlive) {
    static Poll of(HttpRequest req) {
      Map<String, List<String>> params;
      try {
        params = new QueryStringDecoder(req.uri()).parameters();
      } catch (IllegalArgumentException e) {
        return null; // a broken query: netty-socketio fails on it as it is
      }
      List<String> transport = params.get("transport");
      if (transport == null || !"polling".equals(transport.get(0))) {
        return null;
      }
      boolean getOrPost = HttpMethod.GET.equals(req.method()) || HttpMethod.POST.equals(req.method());
      boolean keepAlive = getOrPost && !params.containsKey("disconnect") && HttpUtil.isKeepAlive(req);
      List<String> sid = params.get("sid");
      if (sid == null || sid.get(0) == null) {
        return new Poll(req.method(), null, keepAlive);
      }
      try {
        return new Poll(req.method(), UUID.fromString(sid.get(0)), keepAlive);
      } catch (IllegalArgumentException e) {
        return new Poll(req.method(), null, false); // netty-socketio fails on it too, and closes
      }
    }

    boolean isGet() {
      return HttpMethod.GET.equals(method);
    }

    boolean isPost() {
      return HttpMethod.POST.equals(method);
    }
  }

  /** Sees each request first and each response last (before the HTTP encoder). */
  private final class Requests extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof HttpRequest req)) {
        ctx.fireChannelRead(msg);
        return;
      }
      if (awaiting) { // pipelined: its answer could overtake the waiting one's
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      awaiting = true;
      poll = Poll.of(req);
      Channel ch = ctx.channel();
      for (AttributeKey<?> key : PER_REQUEST) {
        if (ch.hasAttr(key)) {
          ch.attr(key).set(null);
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof LastHttpContent) {
        awaiting = false;
      }
      ctx.write(msg, promise);
    }
  }

  /** Sees netty-socketio's messages before its encoder, and the response parts the encoder writes. */
  private final class Responses extends ChannelOutboundHandlerAdapter {
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof OutPacketMessage m) {
        if (m.getTransport() != Transport.POLLING) {
          ctx.write(msg, promise);
        } else if (holdsPollOf(ctx.channel(), m.getSessionId())) {
          answer(ctx, msg, promise, poll.keepAlive(), m.getClientHead());
        } else {
          ctx.channel().closeFuture().addListener(f -> promise.tryFailure(NOT_ANSWERED));
        }
        return;
      }
      if (msg instanceof XHRPostMessage) {
        answer(ctx, msg, promise, awaiting && poll != null && poll.isPost() && poll.keepAlive(), null);
        return;
      }
      if (msg instanceof HttpMessage) {
        answer(ctx, msg, promise, false, null); // OPTIONS, and errors
        return;
      }
      // What follows are the parts of a response the encoder is writing.
      if (keepOpen != null && !keepOpen && msg instanceof HttpResponse res) {
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
      if (answering != null && msg instanceof LastHttpContent) {
        ClientHead session = answering;
        answering = null;
        session.releasePollingChannel(ctx.channel());
      }
      ctx.write(msg, promise);
    }

    /** Whether the request on this connection is a GET of that session (a handshake's: of the session it made). */
    private boolean holdsPollOf(Channel ch, UUID session) {
      if (!awaiting || poll == null || !poll.isGet()) {
        return false;
      }
      UUID expected = poll.sid();
      if (expected == null) {
        ClientHead made = ch.attr(ClientHead.CLIENT).get();
        expected = made == null ? null : made.getSessionId();
      }
      return session.equals(expected);
    }

    private void answer(ChannelHandlerContext ctx, Object msg, ChannelPromise promise, boolean keep,
        ClientHead session) {
      ChannelPromise toEncoder = promise;
      if (keep) {
        KeepOpenPromise p = new KeepOpenPromise(ctx.channel());
        p.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        p.addListener(f -> {
          if (f.isSuccess()) {
            promise.trySuccess();
          } else {
            promise.tryFailure(f.cause());
          }
        });
        toEncoder = p;
      }
      keepOpen = keep;
      answering = session;
      try {
        ctx.write(msg, toEncoder);
      } finally {
        keepOpen = null;
        answering = null;
      }
    }
  }

  /**
   * The promise the encoder gets for an answer that keeps the connection: it ignores the encoder's {@code
   * addListener(ChannelFutureListener.CLOSE)}, and only that; completion is passed on to the caller's promise, on
   * which a close added by the caller (as {@code ClientHead.disconnect()} does) still works.
   */
  private static final class KeepOpenPromise extends DefaultChannelPromise {
    KeepOpenPromise(Channel channel) {
      super(channel);
    }

    @Override
    public ChannelPromise addListener(GenericFutureListener<? extends Future<? super Void>> listener) {
      return listener == ChannelFutureListener.CLOSE ? this : super.addListener(listener);
    }

    @Override
    @SafeVarargs
    @SuppressWarnings("varargs")
    public final ChannelPromise addListeners(GenericFutureListener<? extends Future<? super Void>>... listeners) {
      for (GenericFutureListener<? extends Future<? super Void>> l : listeners) {
        addListener(l);
      }
      return this;
    }
  }
}
