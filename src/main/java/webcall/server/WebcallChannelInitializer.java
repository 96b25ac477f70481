package webcall.server;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import webcall.http.HeaderTimeout;
import webcall.http.HttpRouter;
import webcall.http.OriginPolicy;
import webcall.http.Responses;

/**
 * netty-socketio's pipeline with webcall's two handlers put in:
 *
 * <pre>
 * httpDecoder → httpAggregator → httpEncoder
 *   → headerTimeout    (ours: closes a connection whose request is not in within 30 s)
 *   → originGuard      (ours: 403 for Socket.IO requests from a foreign Origin, on every request)
 *   → packetHandler → authorizeHandler
 *   → webcallRouter    (ours: PeerJS, pages, assets; Socket.IO requests pass on)
 *   → xhrPollingTransport → webSocketTransport → socketioEncoder → wrongUrlBlocker
 * </pre>
 *
 * The router sits after authorizeHandler because that handler cancels the "no data yet" timer that would otherwise
 * close every non-Socket.IO connection after five seconds.
 */
final class WebcallChannelInitializer extends SocketIOChannelInitializer {
  private final OriginGuard originGuard;
  private final HttpRouter router;
  private final long headerTimeoutMillis;

  WebcallChannelInitializer(
      String socketIoPath, OriginPolicy origins, HttpRouter router, long headerTimeoutMillis) {
    this.originGuard = new OriginGuard(socketIoPath + "/", origins);
    this.router = router;
    this.headerTimeoutMillis = headerTimeoutMillis;
  }

  @Override
  protected void addSocketioHandlers(ChannelPipeline pipeline) {
    super.addSocketioHandlers(pipeline);
    // After the encoder, so that it sees responses (and a 101) before they become bytes.
    pipeline.addAfter(HTTP_ENCODER, "headerTimeout", new HeaderTimeout(headerTimeoutMillis));
    pipeline.addBefore(PACKET_HANDLER, "originGuard", originGuard);
    pipeline.addAfter(AUTHORIZE_HANDLER, "webcallRouter", router);
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
