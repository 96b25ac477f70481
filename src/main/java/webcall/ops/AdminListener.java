package webcall.ops;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.http.Responses;
import webcall.http.SideListener;

/**
 * {@code --admin-port}: {@code /metrics}, {@code /healthz} and {@code /readyz} for the operator's
 * monitoring, on a listener of its own (loopback by default) so that metrics never reach the call
 * port's public. A {@link SideListener}, like the redirect listener: a slow scraper never delays a
 * call, and a flood on the call port never hides the metrics that would show it.
 */
public final class AdminListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminListener.class);

  /** The text format Micrometer's Prometheus registry writes. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final String host;
  private final int port;
  private final Metrics metrics;
  private final Readiness readiness;
  private SideListener listener;

  public AdminListener(String host, int port, Metrics metrics, Readiness readiness) {
    this.host = host;
    this.port = port;
    this.metrics = metrics;
    this.readiness = readiness;
  }

  public InetSocketAddress start() {
    Handler handler = new Handler();
    listener =
        SideListener.bind(
            "admin",
            host,
            port,
            30,
            p ->
                p.addLast(
                    new HttpServerCodec(4096, 8192, 8192),
                    new HttpObjectAggregator(0), // these GETs have no body
                    handler));
    InetSocketAddress bound = listener.address();
    log.info("event=admin-listening address={}:{}", host, bound.getPort());
    return bound;
  }

  @Override
  public void close() {
    if (listener != null) {
      listener.close();
    }
  }

  @ChannelHandler.Sharable
  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      Responses.send(ctx, req, respond(req));
    }

    private FullHttpResponse respond(FullHttpRequest req) {
      if (req.decoderResult().isFailure()) {
        return Responses.text(HttpResponseStatus.BAD_REQUEST, "Bad Request");
      }
      if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
        FullHttpResponse res =
            Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
        res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        return res;
      }
      String path = new QueryStringDecoder(req.uri()).path();
      if (HealthEndpoints.METRICS.equals(path) && metrics.enabled()) {
        FullHttpResponse res =
            Responses.of(
                HttpResponseStatus.OK,
                PROMETHEUS_TEXT,
                metrics.scrape().getBytes(StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return res;
      }
      FullHttpResponse health = HealthEndpoints.respond(path, readiness);
      return health != null ? health : Responses.text(HttpResponseStatus.NOT_FOUND, "Not Found");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // a timeout or a reset concerns this one connection
    }
  }
}
