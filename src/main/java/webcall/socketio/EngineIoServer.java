package webcall.socketio;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.http.ClientAddress;
import webcall.http.WebSocketCloseCheck;
import webcall.logging.ClientErrorLog;

/**
 * An Engine.IO v4 endpoint (engine.io-protocol): the handshake, HTTP long-polling and the WebSocket
 * transport with the upgrade from polling, refusing what the reference server refuses with its
 * codes. Requests under its path are answered here; everything else passes on. One instance serves
 * every connection.
 */
@ChannelHandler.Sharable
public final class EngineIoServer extends ChannelInboundHandlerAdapter {
  static final Logger log = LoggerFactory.getLogger(EngineIoServer.class);
  static final String TEXT = "text/plain; charset=UTF-8";
  private static final String JSON = "application/json";

  /** The session whose poll waits on a connection, so that its close lets go of it. */
  static final AttributeKey<EngineSession> WAITING =
      AttributeKey.valueOf("webcall.socketio.waiting");

  /**
   * The Origin of the request being answered on a connection (one at a time: OneRequestAtATime), so
   * that every answer, including a poll answered later from the session's loop, carries the CORS
   * headers it needs.
   */
  static final AttributeKey<String> ORIGIN = AttributeKey.valueOf("webcall.socketio.origin");

  private final String prefix;
  final SocketIoOptions options;
  final EngineHandler handler;
  final ClientErrorLog clientErrors;
  private final boolean proxied;
  final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
  // Shared by every WebSocket (both immutable): each would cost heap per connection otherwise.
  private final WebSocketDecoderConfig decoderConfig;
  private final WriteBufferWaterMark waterMark;
  final SocketIoMetrics metrics;

  /**
   * @param path where it is mounted, e.g. "/socket.io"
   * @param proxied behind a reverse proxy: the client address is the last X-Forwarded-For entry
   */
  public EngineIoServer(
      String path,
      SocketIoOptions options,
      EngineHandler handler,
      ClientErrorLog clientErrors,
      boolean proxied) {
    this(path, options, handler, clientErrors, proxied, SocketIoMetrics.none());
  }

  /** As above, counting its sessions in {@code metrics}. */
  public EngineIoServer(
      String path,
      SocketIoOptions options,
      EngineHandler handler,
      ClientErrorLog clientErrors,
      boolean proxied,
      SocketIoMetrics metrics) {
    this.metrics = metrics;
    this.prefix = path + "/";
    this.options = options;
    this.handler = handler;
    this.clientErrors = clientErrors;
    this.proxied = proxied;
    this.decoderConfig =
        WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(options.maxPayload())
            .allowExtensions(false)
            .closeOnProtocolViolation(
                false) // EngineWebSocket sends the close frame, with the right code
            .build();
    this.waterMark = new WriteBufferWaterMark(options.outboundBytes() / 2, options.outboundBytes());
  }

  /** Whether a request path is this endpoint's. */
  public boolean owns(String path) {
    return path.startsWith(prefix) && !isClientScript(path.substring(prefix.length()));
  }

  /**
   * {@code socket.io.js} and {@code socket.io.min.js} under the path: the reference server serves
   * its browser client there, so pages written for it load it unchanged. Not Engine.IO requests:
   * the router serves the file.
   */
  public static boolean isClientScript(String name) {
    return name.equals("socket.io.js") || name.equals("socket.io.min.js");
  }

  /** Open sessions, for tests and shutdown. */
  public int sessionCount() {
    return sessions.size();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ctx.fireChannelRead(msg);
      return;
    }
    QueryStringDecoder query = new QueryStringDecoder(req.uri());
    if (!owns(query.path())
        || req.decoderResult().isFailure()) { // the router answers what did not decode
      ctx.fireChannelRead(msg);
      return;
    }
    // The Origin was checked before (OriginGuard): an allowed other origin may read the answers.
    ctx.channel().attr(ORIGIN).set(req.headers().get(HttpHeaderNames.ORIGIN));
    try {
      handle(ctx, req, query.parameters());
    } finally {
      ReferenceCountUtil.release(req);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    EngineSession waiting = ctx.channel().attr(WAITING).getAndSet(null);
    if (waiting != null) {
      waiting.loop.execute(() -> waiting.pollGone(ctx));
    }
    ctx.fireChannelInactive();
  }

  private void handle(
      ChannelHandlerContext ctx, FullHttpRequest req, Map<String, List<String>> params) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (req.method().equals(HttpMethod.OPTIONS)) {
      FullHttpResponse res =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST");
      String asked = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
      if (asked != null) {
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, asked);
      }
      send(ctx, keepAlive, res);
      return;
    }
    String transport = first(params, "transport");
    boolean polling = "polling".equals(transport);
    if (!polling && !"websocket".equals(transport)) {
      refuse(ctx, keepAlive, EngineError.UNKNOWN_TRANSPORT);
      return;
    }
    boolean upgrade = isWebSocketUpgrade(req);
    if (polling == upgrade) { // a WebSocket without its upgrade, or an upgrade that says polling
      refuse(ctx, keepAlive, EngineError.BAD_REQUEST);
      return;
    }
    String sid = first(params, "sid");
    String address = ClientAddress.of(ctx.channel(), req, proxied);
    if (sid == null) {
      if (!req.method().equals(HttpMethod.GET)) {
        refuse(ctx, keepAlive, EngineError.BAD_HANDSHAKE_METHOD);
      } else if (!"4".equals(first(params, "EIO"))) {
        refuse(ctx, keepAlive, EngineError.UNSUPPORTED_PROTOCOL_VERSION);
      } else if (polling) {
        EngineSession s = newSession(ctx.channel(), address, false);
        FullHttpResponse res = response(HttpResponseStatus.OK, TEXT, handshake(s, true));
        send(ctx, keepAlive, res);
        s.start();
        handler.opened(s);
      } else {
        webSocket(ctx, req, address, null);
      }
      return;
    }
    EngineSession s = sessions.get(sid);
    if (s == null) {
      clientErrors.info("socketio-unknown-sid", "event=socketio-unknown-sid addr={}", address);
      refuse(ctx, keepAlive, EngineError.UNKNOWN_SID);
      return;
    }
    if (!polling) {
      webSocket(ctx, req, address, s);
    } else if (req.method().equals(HttpMethod.GET)) {
      s.loop.execute(() -> s.onPoll(ctx, keepAlive));
    } else if (req.method().equals(HttpMethod.POST)) {
      if (req.content().readableBytes() > options.maxPayload()) {
        send(
            ctx,
            false,
            response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, TEXT, "Payload Too Large"));
        s.close();
        return;
      }
      List<Object> packets = decodePayload(req.content());
      s.loop.execute(() -> s.onPost(ctx, keepAlive, packets));
    } else {
      refuse(ctx, keepAlive, EngineError.BAD_REQUEST);
    }
  }

  private EngineSession newSession(Channel ch, String address, boolean overWebSocket) {
    EngineSession s =
        new EngineSession(this, ch.eventLoop(), UUID.randomUUID().toString(), address);
    s.counted(overWebSocket); // on the session's event loop: the connection's, where this runs
    sessions.put(s.id(), s);
    return s;
  }

  private String handshake(EngineSession s, boolean polling) {
    return "0{\"sid\":\""
        + s.id()
        + "\",\"upgrades\":"
        + (polling ? "[\"websocket\"]" : "[]")
        + ",\"pingInterval\":"
        + options.pingIntervalMillis()
        + ",\"pingTimeout\":"
        + options.pingTimeoutMillis()
        + ",\"maxPayload\":"
        + options.maxPayload()
        + "}";
  }

  /**
   * A polling body: packets separated by the record separator, binary ones as "b" and base64; null
   * if malformed.
   */
  static List<Object> decodePayload(ByteBuf body) {
    String text = body.toString(StandardCharsets.UTF_8);
    List<Object> packets = new ArrayList<>(2);
    int from = 0;
    while (from <= text.length()) {
      int sep = text.indexOf('\u001e', from);
      int to = sep < 0 ? text.length() : sep;
      if (to == from) {
        return null;
      }
      char type = text.charAt(from);
      if (type == 'b') {
        try {
          packets.add(Base64.getDecoder().decode(text.substring(from + 1, to)));
        } catch (IllegalArgumentException e) {
          return null;
        }
      } else if (type >= '0' && type <= '6') {
        packets.add(text.substring(from, to));
      } else {
        return null;
      }
      if (sep < 0) {
        break;
      }
      from = sep + 1;
    }
    return packets;
  }

  private void webSocket(
      ChannelHandlerContext ctx, FullHttpRequest req, String address, EngineSession existing) {
    Channel ch = ctx.channel();
    String scheme = ch.pipeline().get(SslHandler.class) != null ? "wss" : "ws";
    String url = scheme + "://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + prefix;
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(url, null, decoderConfig).newHandshaker(req);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
      return;
    }
    EngineWebSocket socket = new EngineWebSocket(this, address);
    ChannelPipeline p = ch.pipeline();
    keepOnlyHttpCodec(p);
    // No flush consolidation: each packet is its own write, as the reference server sends them;
    // clients (the
    // protocol suite's among them) read "40" and the events emitted on connect as separate
    // messages.
    // A close frame with a code or reason no client may send becomes the decoder's error (1002,
    // 1007), never an echo.
    p.addLast("socketio-close-check", WebSocketCloseCheck.INSTANCE);
    p.addLast("socketio-fragments", new EngineWebSocket.FragmentCap(options.fragmentsPerMessage()));
    p.addLast("socketio-aggregator", new WebSocketFrameAggregator(options.maxPayload()));
    p.addLast("socketio-websocket", socket);
    ch.config().setWriteBufferWaterMark(waterMark);
    EngineSession fresh = existing == null ? newSession(ch, address, true) : null;
    socket.session(existing != null ? existing : fresh, existing != null);
    if (fresh != null) {
      fresh.useWebSocket(ch);
    }
    ChannelPromise handshake = ch.newPromise();
    if (existing != null) {
      // Known to the session before the 101 goes out: a second WebSocket the client opens after
      // reading it is then always the second one there, whatever loops the two run on.
      ch.attr(EngineWebSocket.HANDSHAKE).set(handshake);
      existing.loop.execute(() -> existing.probeOpened(ch));
    }
    handshaker
        .handshake(ch, req, null, handshake)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    ch.close();
                    if (fresh != null) {
                      fresh.close();
                    }
                  } else if (fresh != null) {
                    fresh.send(Frame.text(handshake(fresh, false)));
                    fresh.start();
                    handler.opened(fresh);
                  }
                });
  }

  /**
   * Removes every handler but TLS and the HTTP codec, which the handshaker swaps for the WebSocket
   * codec.
   */
  private static void keepOnlyHttpCodec(ChannelPipeline p) {
    for (Map.Entry<String, ChannelHandler> e : new ArrayList<>(p.toMap().entrySet())) {
      ChannelHandler h = e.getValue();
      boolean keep =
          h instanceof SslHandler
              || h instanceof HttpRequestDecoder
              || h instanceof HttpResponseEncoder
              || h instanceof HttpServerCodec
              || h instanceof HttpObjectAggregator
              || KEEP.test(h);
      if (!keep) {
        p.remove(e.getKey());
      }
    }
  }

  /** Handlers that stay for the WebSocket too (connection-wide limits). */
  private static final Predicate<ChannelHandler> KEEP = h -> false;

  private static boolean isWebSocketUpgrade(FullHttpRequest req) {
    return req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(
            req.headers().get(HttpHeaderNames.UPGRADE));
  }

  private static String first(Map<String, List<String>> params, String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  /** Closes every session (server shutdown). */
  public void shutdown() {
    Collection<EngineSession> all = new ArrayList<>(sessions.values());
    all.forEach(EngineSession::shutdown);
  }

  // ---- responses

  static FullHttpResponse response(HttpResponseStatus status, String type, String body) {
    return response(status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  static FullHttpResponse response(HttpResponseStatus status, String type, byte[] body) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    res.headers().set("X-Content-Type-Options", "nosniff");
    return res;
  }

  static void respond(
      ChannelHandlerContext ctx,
      boolean keepAlive,
      HttpResponseStatus status,
      String type,
      String body) {
    send(ctx, keepAlive, response(status, type, body));
  }

  static void refuse(ChannelHandlerContext ctx, boolean keepAlive, EngineError error) {
    send(ctx, keepAlive, response(HttpResponseStatus.BAD_REQUEST, JSON, error.body));
  }

  /**
   * Writes a response; the connection stays open for the next request unless the client asked
   * otherwise.
   */
  static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse res) {
    HttpUtil.setContentLength(res, res.content().readableBytes());
    String origin = ctx.channel().attr(ORIGIN).get();
    if (origin != null) {
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
      res.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
    }
    if (keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(res, ctx.voidPromise());
    } else {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
