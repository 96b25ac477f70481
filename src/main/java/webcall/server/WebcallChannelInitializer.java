package webcall.server;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.messages.PacketsMessage;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Predicate;
import webcall.http.ConnectionLimit;
import webcall.http.HeaderTimeout;
import webcall.http.HttpRouter;
import webcall.http.HttpsRedirect;
import webcall.http.OriginPolicy;
import webcall.http.RequestFraming;
import webcall.http.ResponseTimeout;
import webcall.http.Responses;

/**
 * netty-socketio's pipeline with webcall's handlers put in:
 *
 * <pre>
 * packetsPastTls       (ours, with HTTPS: Socket.IO messages fired from the head skip to packetHandler)
 *   → ssl              (ours, with HTTPS: TLS, or marks a plain-HTTP connection and steps aside)
 *   → httpDecoder      (ours: netty's, except that Content-Length with chunked is marked failed)
 *   → requestFraming   (ours: 400 and close for ambiguous framing, RFC 9112 §6)
 *   → connectionLimit  (ours: at most 200 connections per client address; behind a proxy, per forwarded address)
 *   → httpAggregator → httpEncoder
 *   → headerTimeout    (ours: closes a connection whose request is not in within 30 s)
 *   → responseTimeout  (ours: closes a connection whose request is not answered within 30 s; long-polls exempt)
 *   → pollingKeepAlive (ours: clears netty-socketio's per-connection state before each request; closes on pipelining)
 *   → httpsRedirect    (ours, with HTTPS or --force-https: 308 to https:// for plain HTTP)
 *   → originGuard      (ours: 403 for Socket.IO requests from a foreign Origin, on every request)
 *   → upgradeProbes    (ours: notes the WebSocket a session probes to upgrade from polling)
 *   → packetHandler
 *   → pastFirstDataTimer (ours: channelActive goes around authorizeHandler, whose timer kept closed connections)
 *   → authorizeHandler
 *   → iceApi           (ours: GET /api/ice, the page's ICE servers)
 *   → webcallRouter    (ours: PeerJS, pages, assets; Socket.IO requests pass on)
 *   → xhrPollingTransport → webSocketTransport → socketioEncoder
 *   → pollingResponses (ours: keeps a polling connection open after its answer, unbinding the session from it)
 *   → upgradePolls     (ours: while a session upgrades, its polls are answered at once, with a NOOP if need be)
 *   → wrongUrlBlocker
 * </pre>
 *
 * The router sits after authorizeHandler, so that every request passes it, as netty-socketio expects.
 */
final class WebcallChannelInitializer extends SocketIOChannelInitializer {
  private final OriginGuard originGuard;
  /** Its handlers keep no state of their own (a session's is in its store): one pair serves every connection. */
  private final UpgradePolls upgradePolls = new UpgradePolls();
  private final HttpRouter router;
  private final ChannelHandler iceApi;
  private final SslContext ssl;
  private final HttpsRedirect httpsRedirect;
  private final long headerTimeoutMillis;
  private final ConnectionLimit connectionLimit;
  private final long requestTimeoutMillis;
  private final Predicate<HttpRequest> longPoll;

  /**
   * @param ssl the server's TLS context, or null for plain HTTP
   * @param httpsRedirect what to send to HTTPS (plain connections, or proxied plain requests), or null for nothing
   */
  WebcallChannelInitializer(String socketIoPath, OriginPolicy origins, HttpRouter router, ChannelHandler iceApi,
      SslContext ssl, HttpsRedirect httpsRedirect, long headerTimeoutMillis, ConnectionLimit connectionLimit,
      long requestTimeoutMillis) {
    this.originGuard = new OriginGuard(socketIoPath + "/", origins);
    this.router = router;
    this.iceApi = iceApi;
    this.ssl = ssl;
    this.httpsRedirect = httpsRedirect;
    this.headerTimeoutMillis = headerTimeoutMillis;
    this.connectionLimit = connectionLimit;
    this.requestTimeoutMillis = requestTimeoutMillis;
    String pollPrefix = socketIoPath + "/";
    // netty-socketio holds a poll open until it has something to send or its ping interval is over.
    this.longPoll = req -> HttpMethod.GET.equals(req.method())
        && req.uri().startsWith(pollPrefix)
        && req.uri().contains("transport=polling");
  }

  /**
   * TLS from a Netty SslContext built from PEM files (netty-socketio's own hook wants a Java key store). A connection
   * whose first bytes are not a TLS record is plain HTTP to the HTTPS port: it is marked, and answered with a redirect
   * instead of a handshake error the browser would show as an empty page.
   */
  @Override
  protected void addSslHandler(ChannelPipeline pipeline) {
    if (ssl == null) {
      return;
    }
    pipeline.addLast("packetsPastTls", PacketsPastTls.INSTANCE);
    pipeline.addLast(SSL_HANDLER, new OptionalSslHandler(ssl) {
      @Override
      protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
        ctx.channel().attr(HttpsRedirect.PLAIN).set(Boolean.TRUE);
        return null; // nothing replaces this handler: the HTTP decoder reads the plain bytes
      }
    });
  }

  @Override
  protected void addSocketioHandlers(ChannelPipeline pipeline) {
    super.addSocketioHandlers(pipeline);
    // After the encoder, so that it sees responses (and a 101) before they become bytes.
    pipeline.addAfter(HTTP_ENCODER, "headerTimeout", new HeaderTimeout(headerTimeoutMillis));
    // Right after the decoder: counts the TCP peer at accept, or behind a proxy the first request's forwarded address
    // before anything else reads the request.
    pipeline.addAfter(HTTP_REQUEST_DECODER, "connectionLimit", connectionLimit);
    // The decoder's settings are those WebcallServer gives netty-socketio. The guard goes right after it, so that no
    // other handler sees a request whose length is ambiguous.
    pipeline.replace(HTTP_REQUEST_DECODER, HTTP_REQUEST_DECODER, RequestFraming.decoder(8192, 8192, 8192));
    pipeline.addAfter(HTTP_REQUEST_DECODER, "requestFraming", RequestFraming.guard());
    // After the encoder, to see responses before they are bytes; its clock starts at the aggregated request.
    pipeline.addAfter("headerTimeout", "responseTimeout", new ResponseTimeout(requestTimeoutMillis, longPoll));
    // First of the request handlers, so that it sees every request and response (pipelining); and after the
    // encoder, so that it sees the encoder's messages and the responses it makes of them.
    PollingKeepAlive keepAlive = new PollingKeepAlive();
    pipeline.addAfter("responseTimeout", "pollingKeepAlive", keepAlive.requests());
    pipeline.addAfter(SOCKETIO_ENCODER, "pollingResponses", keepAlive.responses());
    pipeline.addBefore(PACKET_HANDLER, "originGuard", originGuard);
    // After originGuard, where TLS hands Socket.IO messages on; and after the encoder, closest to the tail, so that it
    // sees a poll's packet message before pollingResponses and the encoder do.
    pipeline.addBefore(PACKET_HANDLER, "upgradeProbes", upgradePolls.probes());
    pipeline.addBefore(WRONG_URL_HANDLER, "upgradePolls", upgradePolls.polls());
    if (httpsRedirect != null) {
      pipeline.addBefore("originGuard", "httpsRedirect", httpsRedirect);
    }
    pipeline.addBefore(AUTHORIZE_HANDLER, "pastFirstDataTimer", PastFirstDataTimer.INSTANCE);
    pipeline.addAfter(AUTHORIZE_HANDLER, "webcallRouter", router);
    pipeline.addBefore("webcallRouter", "iceApi", iceApi);
  }

  /**
   * authorizeHandler starts a five-second "no data yet" timer for each new connection, and only a request that reaches
   * it stops the timer. A connection that closes without sending anything (a browser's unused preconnection, a client
   * that gave up) stayed on the heap with its whole pipeline until the timer fired: under load, a thousand at a time,
   * copied by every young collection. headerTimeout already closes a connection whose first request is not in, and
   * lets go of it as soon as it closes; so channelActive goes on past authorizeHandler, its only user.
   */
  @ChannelHandler.Sharable
  static final class PastFirstDataTimer extends ChannelInboundHandlerAdapter {
    static final PastFirstDataTimer INSTANCE = new PastFirstDataTimer();

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      ChannelHandlerContext authorize = ctx.pipeline().context(AUTHORIZE_HANDLER);
      if (authorize != null) {
        authorize.fireChannelActive();
      } else {
        ctx.fireChannelActive();
      }
    }
  }

  /**
   * netty-socketio hands a decoded Socket.IO message on by firing it from the pipeline's head, and releases the request
   * that carried it as soon as that call returns. Fired from the head, it passes the SslHandler, which is still
   * unwrapping that very request and holds it back until it is done: by then the buffer is released and the message
   * lost (IllegalReferenceCountException). So, with TLS, such messages skip straight to netty-socketio's packet
   * handler; the handlers in between (TLS, HTTP codec, ours) would only have passed them on anyway.
   */
  @ChannelHandler.Sharable
  static final class PacketsPastTls extends ChannelInboundHandlerAdapter {
    static final PacketsPastTls INSTANCE = new PacketsPastTls();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ChannelHandlerContext beforePackets = msg instanceof PacketsMessage ? ctx.pipeline().context("originGuard") : null;
      if (beforePackets != null) {
        beforePackets.fireChannelRead(msg);
      } else {
        ctx.fireChannelRead(msg);
      }
    }
  }

  /** Refuses Socket.IO handshakes, polls and upgrades from origins the policy does not allow. */
  @ChannelHandler.Sharable
  static final class OriginGuard extends ChannelInboundHandlerAdapter {
    private final String prefix;
    private final OriginPolicy origins;

    OriginGuard(String prefix, OriginPolicy origins) {
      this.prefix = prefix;
      this.origins = origins;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FullHttpRequest req
          && new QueryStringDecoder(req.uri()).path().startsWith(prefix)
          && !origins.allows(req)) {
        try {
          Responses.send(ctx, req, Responses.text(HttpResponseStatus.FORBIDDEN, "Origin not allowed"));
        } finally {
          ReferenceCountUtil.release(msg);
        }
        return;
      }
      ctx.fireChannelRead(msg);
    }
  }
}
