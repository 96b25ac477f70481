package webcall.ice;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import webcall.http.Responses;

/**
 * {@code GET /api/ice}: the ICE servers for the page's next call, with fresh TURN credentials. The
 * answer is personal and short-lived, so it is never cached; the secret itself is never sent.
 *
 * <pre>{"iceServers":[{"urls":[...]}, {"urls":[...],"username":"...","credential":"..."}],
 *  "stunPort":3478, "iceTransportPolicy":"all", "ttl":3600}</pre>
 *
 * The built-in STUN responder travels as {@code stunPort}: the page pairs it with the host it was
 * loaded from, so the server never echoes a Host header it cannot trust.
 */
@ChannelHandler.Sharable
public final class IceApi extends ChannelInboundHandlerAdapter {
  public static final String PATH = "/api/ice";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final IceOptions options;
  private final TurnCredentials turn;
  private final java.util.function.IntSupplier stunPort;
  private final boolean proxied;
  private final PerClientLimit limit;
  private final Counter answered;
  private final Counter limited;
  private final Counter refusedMethod;
  private final Counter credentials;

  /**
   * @param stunPort the port the STUN responder actually bound, or -1 when it is off
   * @param proxied take the client address from X-Forwarded-For (its last entry, the one our proxy
   *     added)
   */
  public IceApi(
      IceOptions options, java.util.function.IntSupplier stunPort, boolean proxied, Clock clock) {
    this(options, stunPort, proxied, clock, new CompositeMeterRegistry());
  }

  /**
   * @param registry where {@code webcall_ice_api_requests_total} and {@code
   *     webcall_turn_credentials_issued_total} go
   */
  public IceApi(
      IceOptions options,
      java.util.function.IntSupplier stunPort,
      boolean proxied,
      Clock clock,
      MeterRegistry registry) {
    this.answered = requests(registry, "200");
    this.limited = requests(registry, "429");
    this.refusedMethod = requests(registry, "405");
    this.credentials =
        Counter.builder("webcall.turn.credentials.issued")
            .description("TURN credentials handed out by /api/ice")
            .register(registry);
    this.options = options;
    this.turn =
        options.turnSecrets().isEmpty()
            ? null
            : new TurnCredentials(options.turnSecrets(), options.credentialLifetime(), clock);
    this.stunPort = stunPort;
    this.proxied = proxied;
    this.limit = new PerClientLimit(options.apiRequestsPerMinute(), System::nanoTime);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)
        || req.decoderResult().isFailure()
        || !new QueryStringDecoder(req.uri()).path().equals(PATH)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      Responses.send(ctx, req, respond(req, clientAddress(ctx, req)));
    } finally {
      req.release();
    }
  }

  private FullHttpResponse respond(FullHttpRequest req, String client) {
    FullHttpResponse res;
    if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
      refusedMethod.increment();
      res = Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
      res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
    } else if (!limit.allow(client)) {
      limited.increment();
      res = Responses.text(HttpResponseStatus.TOO_MANY_REQUESTS, "Too Many Requests");
      res.headers().set(HttpHeaderNames.RETRY_AFTER, "60");
    } else {
      answered.increment();
      res = Responses.of(HttpResponseStatus.OK, Responses.JSON, body());
    }
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return res;
  }

  private static Counter requests(MeterRegistry registry, String status) {
    return Counter.builder("webcall.ice.api.requests")
        .description("GET /api/ice requests, by response status (429: over the per-client rate)")
        .tag("status", status)
        .register(registry);
  }

  byte[] body() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode servers = root.putArray("iceServers");
    if (!options.stunUrls().isEmpty()) {
      ArrayNode urls = servers.addObject().putArray("urls");
      options.stunUrls().forEach(urls::add);
    }
    if (turn != null && !options.turnUrls().isEmpty()) {
      TurnCredentials.Credential c = turn.issue();
      credentials.increment();
      ObjectNode server = servers.addObject();
      ArrayNode urls = server.putArray("urls");
      options.turnUrls().forEach(urls::add);
      server.put("username", c.username());
      server.put("credential", c.password());
    }
    int port = stunPort.getAsInt();
    if (port > 0) {
      root.put("stunPort", port);
    }
    root.put("iceTransportPolicy", options.iceTransportPolicy());
    root.put("ttl", options.credentialLifetime().toSeconds());
    try {
      return JSON.writeValueAsBytes(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private String clientAddress(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (proxied) {
      String forwarded = req.headers().get("X-Forwarded-For");
      if (forwarded != null && !forwarded.isBlank()) {
        String[] hops = forwarded.split(",");
        return hops[hops.length - 1].trim(); // the earlier entries are whatever the client claimed
      }
    }
    return ctx.channel().remoteAddress() instanceof InetSocketAddress a
        ? a.getAddress().getHostAddress()
        : String.valueOf(ctx.channel().remoteAddress());
  }

  /**
   * Requests per client address per minute, in fixed one-minute windows. Stale windows are swept
   * when the map grows past a bound, so a scan from many addresses cannot grow it forever.
   */
  static final class PerClientLimit {
    private static final int SWEEP_AT = 10_000;
    private final int perMinute;
    private final Map<String, long[]> windows = new ConcurrentHashMap<>();
    private final java.util.function.LongSupplier nanoClock;

    PerClientLimit(int perMinute, java.util.function.LongSupplier nanoClock) {
      this.perMinute = perMinute;
      this.nanoClock = nanoClock;
    }

    boolean allow(String client) {
      long minute = nanoClock.getAsLong() / 60_000_000_000L;
      if (windows.size() > SWEEP_AT) {
        windows.values().removeIf(w -> w[0] != minute);
        if (windows.size() > SWEEP_AT) {
          windows.clear(); // all current: forget them rather than scan again on every request
          // (amortised O(1))
        }
      }
      long[] w =
          windows.compute(
              client,
              (k, old) ->
                  old == null || old[0] != minute
                      ? new long[] {minute, 1}
                      : new long[] {minute, old[1] + 1});
      return w[1] <= perMinute;
    }
  }
}
