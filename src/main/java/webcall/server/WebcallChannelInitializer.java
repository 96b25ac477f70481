package webcall.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.function.Predicate;
import webcall.http.ConnectionLimit;
import webcall.http.HeaderTimeout;
import webcall.http.HttpsRedirect;
import webcall.http.OneRequestAtATime;
import webcall.http.OriginPolicy;
import webcall.http.RequestFraming;
import webcall.http.ResponseTimeout;
import webcall.http.Responses;
import webcall.logging.ClientErrorLog;
import webcall.socketio.EngineIoServer;

/**
 * The whole pipeline of a connection to the call server, in order:
 *
 * <pre>
 * ssl                (with HTTPS: TLS, or marks a plain-HTTP connection and steps aside)
 *   → httpDecoder    (Netty's, except that Content-Length with chunked is marked failed)
 *   → requestFraming (400 and close for ambiguous framing, RFC 9112 §6)
 *   → connectionLimit (at most 200 connections per client address; behind a proxy, per forwarded address)
 *   → httpEncoder → httpAggregator (bodies up to --max-payload)
 *   → headerTimeout  (closes a connection whose request headers are not in within 30 s)
 *   → responseTimeout (closes a connection whose request is not answered within 30 s; long-polls exempt)
 *   → oneRequestAtATime (a request before the previous one's answer closes the connection)
 *   → httpsRedirect  (with HTTPS or --force-https: 308 to https:// for plain HTTP)
 *   → originGuard    (403 for Socket.IO requests from a foreign Origin: every handshake, poll and upgrade)
 *   → iceApi         (GET /api/ice, the page's ICE servers)
 *   → socketio       (Engine.IO and Socket.IO under /socket.io/; a WebSocket replaces everything after the codec)
 *   → webcallRouter  (PeerJS, pages, assets)
 *   → connectionErrors (a reset, TLS garbage, any exception: one capped log line, and only this connection goes)
 * </pre>
 */
final class WebcallChannelInitializer extends ChannelInitializer<SocketChannel> {
  private final OriginGuard originGuard;
  private final HttpRouter router;
  private final ChannelHandler iceApi;
  private final List<EngineIoServer> engines;
  private final SslContext ssl;
  private final HttpsRedirect httpsRedirect;
  private final long headerTimeoutMillis;
  private final int maxPayload;
  private final ConnectionErrors connectionErrors;
  private final ConnectionLimit connectionLimit;
  private final long requestTimeoutMillis;
  private final Predicate<HttpRequest> longPoll;
  private final ChannelHandler
      testPages; // tests only: pages served beside webcall's (null in production)

  /**
   * @param engines the Engine.IO endpoints: Socket.IO's, and in tests others
   * @param ssl the server's TLS context, or null for plain HTTP
   * @param httpsRedirect what to send to HTTPS (plain connections, or proxied plain requests), or
   *     null for nothing
   */
  WebcallChannelInitializer(
      OriginPolicy origins,
      HttpRouter router,
      ChannelHandler iceApi,
      List<EngineIoServer> engines,
      SslContext ssl,
      HttpsRedirect httpsRedirect,
      long headerTimeoutMillis,
      int maxPayload,
      ClientErrorLog clientErrors,
      ConnectionLimit connectionLimit,
      long requestTimeoutMillis,
      ChannelHandler testPages) {
    this.testPages = testPages;
    this.originGuard = new OriginGuard(engines, origins);
    this.router = router;
    this.iceApi = iceApi;
    this.engines = List.copyOf(engines);
    this.ssl = ssl;
    this.httpsRedirect = httpsRedirect;
    this.headerTimeoutMillis = headerTimeoutMillis;
    this.maxPayload = maxPayload;
    this.connectionErrors = new ConnectionErrors(clientErrors);
    this.connectionLimit = connectionLimit;
    this.requestTimeoutMillis = requestTimeoutMillis;
    // A poll is held open until there is something to send or the ping interval is over.
    this.longPoll =
        req ->
            HttpMethod.GET.equals(req.method())
                && req.uri().contains("transport=polling")
                && this.engines.stream()
                    .anyMatch(e -> e.owns(new QueryStringDecoder(req.uri()).path()));
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    if (ssl != null) {
      // A connection whose first bytes are not a TLS record is plain HTTP to the HTTPS port: it is
      // marked, and
      // answered with a redirect instead of a handshake error the browser would show as an empty
      // page.
      p.addLast(
          "ssl",
          new OptionalSslHandler(ssl) {
            @Override
            protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
              ctx.channel().attr(HttpsRedirect.PLAIN).set(Boolean.TRUE);
              return null; // nothing replaces this handler: the HTTP decoder reads the plain bytes
            }
          });
    }
    p.addLast("httpDecoder", RequestFraming.decoder(8192, 8192, 8192));
    // Right after the decoder, so that no other handler sees a request whose length is ambiguous.
    p.addLast("requestFraming", RequestFraming.guard());
    // Counts the TCP peer at accept, or behind a proxy the first request's forwarded address,
    // before anything else
    // reads the request.
    p.addLast("connectionLimit", connectionLimit);
    p.addLast("httpEncoder", new HttpResponseEncoder());
    p.addLast("httpAggregator", new HttpObjectAggregator(maxPayload));
    // After the encoder, so that they see responses (and a 101) before they become bytes.
    p.addLast("headerTimeout", new HeaderTimeout(headerTimeoutMillis));
    p.addLast("responseTimeout", new ResponseTimeout(requestTimeoutMillis, longPoll));
    p.addLast("oneRequestAtATime", new OneRequestAtATime());
    if (httpsRedirect != null) {
      p.addLast("httpsRedirect", httpsRedirect);
    }
    p.addLast("originGuard", originGuard);
    p.addLast("iceApi", iceApi);
    for (int i = 0; i < engines.size(); i++) {
      p.addLast(i == 0 ? "socketio" : "engineio-" + i, engines.get(i));
    }
    if (testPages != null) {
      p.addLast("testPages", testPages);
    }
    p.addLast("webcallRouter", router);
    p.addLast("connectionErrors", connectionErrors);
  }

  /**
   * The end of the pipeline: an exception nothing before handled closes its connection, logged as
   * one line.
   */
  @ChannelHandler.Sharable
  static final class ConnectionErrors extends ChannelInboundHandlerAdapter {
    private final ClientErrorLog log;

    ConnectionErrors(ClientErrorLog log) {
      this.log = log;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Only the class: some messages quote the bytes received (a plain request to the TLS port,
      // say).
      Throwable root = cause;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      log.info(
          "connection-error",
          "event=connection-error remote={} error={}",
          ctx.channel().remoteAddress(),
          root.getClass().getSimpleName());
      ctx.close();
    }
  }

  /** Refuses Socket.IO handshakes, polls and upgrades from origins the policy does not allow. */
  @ChannelHandler.Sharable
  static final class OriginGuard extends ChannelInboundHandlerAdapter {
    private final List<EngineIoServer> engines;
    private final OriginPolicy origins;

    OriginGuard(List<EngineIoServer> engines, OriginPolicy origins) {
      this.engines = List.copyOf(engines);
      this.origins = origins;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpRequest req
          && !origins.allows(req)
          && ours(new QueryStringDecoder(req.uri()).path())) {
        try {
          Responses.send(
              ctx, req, Responses.text(HttpResponseStatus.FORBIDDEN, "Origin not allowed"));
        } finally {
          ReferenceCountUtil.release(msg);
        }
        return;
      }
      ctx.fireChannelRead(msg);
    }

    private boolean ours(String path) {
      for (EngineIoServer e : engines) {
        if (e.owns(path)) {
          return true;
        }
      }
      return false;
    }
  }
}
