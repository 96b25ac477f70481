package webcall.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.logging.ClientErrorLog;
import webcall.logging.LogText;

/**
 * Caps the TCP connections one client address holds open on the port, of any kind (idle, waiting
 * for an answer, upgraded): without it one address could take every file descriptor of the process.
 * Directly on the internet the client is the TCP peer, counted at accept and closed at once over
 * the cap. Behind a reverse proxy ({@code proxied}) every connection comes from the proxy, so the
 * client is the last X-Forwarded-For address, counted once the first request's headers are in and
 * refused with 429 over the cap. Put it first in the pipeline; without a proxy it leaves the
 * pipeline once the connection is counted, so an admitted connection costs only its close listener.
 * Sharable: one per server.
 */
@ChannelHandler.Sharable
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  private static final Logger logger = LoggerFactory.getLogger(ConnectionLimit.class);

  /**
   * Set on a connection refused behind a proxy: what else it sends is dropped until it is closed.
   */
  private static final AttributeKey<Boolean> REFUSED =
      AttributeKey.valueOf("webcall.http.connectionRefused");

  private final int max;
  private final boolean proxied;
  private final ClientErrorLog log = new ClientErrorLog(logger);
  private final Map<String, Integer> open = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();

  /**
   * What {@code webcall_connections_refused_total} says, the same words wherever a per-address cap
   * registers it.
   */
  public static final String REFUSED_METER = "webcall.connections.refused";

  public static final String REFUSED_DESCRIPTION =
      "Connections refused by a per-address limit, by limit";

  public ConnectionLimit(int max, boolean proxied) {
    if (max < 1) {
      throw new IllegalArgumentException("connections-per-address must be at least 1");
    }
    this.max = max;
    this.proxied = proxied;
  }

  /**
   * {@code webcall_connections_refused_total{limit="connections_per_address"}}: closed at accept or
   * answered 429.
   */
  public void bindMetrics(MeterRegistry registry) {
    FunctionCounter.builder(REFUSED_METER, refused, AtomicLong::get)
        .description(REFUSED_DESCRIPTION)
        .tag("limit", "connections_per_address")
        .register(registry);
  }

  /** Connections refused since start. */
  public long refused() {
    return refused.get();
  }

  /** Says how many refusals the log held back; call it from a timer once a second. */
  public void flushLog() {
    log.flush();
  }

  /** Open connections per client address; for tests that check nothing is kept. */
  public Map<String, Integer> openByAddress() {
    return Map.copyOf(open);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (!proxied) {
      Channel ch = ctx.channel();
      String address = ClientAddress.of(ch, null, false);
      ctx.pipeline().remove(this);
      if (!admit(ch, address)) {
        ch.close(); // at once, before any handler sees it: a refused connection costs nothing more
        return;
      }
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    Channel ch = ctx.channel();
    if (ch.hasAttr(REFUSED)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof HttpRequest req)) {
      super.channelRead(ctx, msg);
      return;
    }
    String address = ClientAddress.of(ch, req, true);
    if (admit(ch, address)) {
      ctx.pipeline().remove(this);
      super.channelRead(ctx, msg);
      return;
    }
    ch.attr(REFUSED).set(Boolean.TRUE);
    ReferenceCountUtil.release(msg);
    FullHttpResponse res =
        Responses.text(
            HttpResponseStatus.TOO_MANY_REQUESTS, "Too many connections from your address");
    HttpUtil.setContentLength(res, res.content().readableBytes());
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    // From the pipeline's tail: this handler may sit before the HTTP encoder.
    ch.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Counts the connection for {@code address} unless that address has {@code max} open; uncounts it
   * when it closes.
   */
  private boolean admit(Channel ch, String address) {
    boolean[] ok = new boolean[1];
    open.compute(
        address,
        (k, n) -> {
          int now = n == null ? 0 : n;
          ok[0] = now < max;
          return ok[0] ? now + 1 : n;
        });
    if (!ok[0]) {
      refused.incrementAndGet();
      log.info(
          "connection-limit",
          "event=connection-refused addr={} limit={}",
          LogText.escape(address),
          max);
      return false;
    }
    ch.closeFuture()
        .addListener(f -> open.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1));
    return true;
  }
}
