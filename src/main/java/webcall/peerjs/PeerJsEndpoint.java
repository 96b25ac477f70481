package webcall.peerjs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import webcall.http.ClientAddress;
import webcall.http.Responses;
import webcall.http.WebSocketCloseCheck;

/**
 * The PeerJS server's HTTP side: the banner, {@code /{key}/id}, {@code /{key}/peers}, CORS, and the
 * upgrade of {@code {path}/peerjs} to a PeerJS WebSocket. It also runs the realm's two sweeps.
 */
public final class PeerJsEndpoint {
  /** Writes this many messages to a socket at most before flushing, even within one turn. */
  private static final int FLUSHES_BEFORE_WRITE = 64;

  static final String BANNER =
      "{\"name\":\"PeerJS Server\",\"description\":\"A server side element to broker connections between"
          + " PeerJS clients.\",\"website\":\"https://peerjs.com/\"}";

  private static final Pattern WEBSOCKET_KEY = Pattern.compile("[+/0-9A-Za-z]{22}==");

  private final PeerJsOptions options;
  private final Realm realm;
  private final ObjectMapper json;
  private final Predicate<FullHttpRequest> upgradeAllowed;
  private final String base;
  private final boolean proxied;
  private final PeerJsMetrics metrics;
  private final Predicate<String> corsOrigin;
  private final ConcurrentHashMap<String, Integer> socketsByAddress = new ConcurrentHashMap<>();
  private final List<ScheduledFuture<?>> timers = new ArrayList<>();
  // Shared by every socket (both are immutable): each costs heap per connection otherwise.
  private final WebSocketDecoderConfig decoderConfig;
  private final WriteBufferWaterMark waterMark;

  /**
   * @param upgradeAllowed decides whether a WebSocket upgrade may proceed (the Origin check); a
   *     refused one gets 403 before any 101
   * @param proxied behind a reverse proxy: the client address is the last X-Forwarded-For entry
   * @param corsOrigins the origins the HTTP API's CORS headers name, as the reference's {@code
   *     --cors}; empty for every origin (the reference's default). The WebSocket is not concerned,
   *     as with the reference.
   */
  public PeerJsEndpoint(
      Realm realm,
      Predicate<FullHttpRequest> upgradeAllowed,
      boolean proxied,
      List<String> corsOrigins) {
    this.options = realm.options();
    List<String> cors = List.copyOf(corsOrigins);
    this.corsOrigin = cors.isEmpty() ? origin -> true : cors::contains;
    this.proxied = proxied;
    this.metrics = realm.metrics();
    this.realm = realm;
    this.upgradeAllowed = upgradeAllowed;
    this.base = options.path().toLowerCase(Locale.ROOT);
    PeerJsOptions.Limits limits = options.limits();
    this.decoderConfig =
        WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(limits.maxFrameBytes())
            .allowExtensions(false)
            // Our handler sends the close frame: from the decoder's place in the pipeline the
            // encoder is behind it, so Netty's own close frame would never be encoded.
            .closeOnProtocolViolation(false)
            .build();
    this.waterMark = new WriteBufferWaterMark(limits.outboundBytes() / 2, limits.outboundBytes());
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(32)
                    .maxStringLength(100_000)
                    .build())
            .build();
    this.json = new ObjectMapper(factory);
  }

  public Realm realm() {
    return realm;
  }

  public PeerJsOptions options() {
    return options;
  }

  /** Starts the liveness sweep (every 300 ms, as the reference) and the queue expiry sweep. */
  public void startTimers(ScheduledExecutorService executor) {
    timers.add(
        executor.scheduleAtFixedRate(
            () -> realm.dropSilentClients(realm.now()), 300, 300, TimeUnit.MILLISECONDS));
    long every = options.cleanupInterval().toMillis();
    timers.add(
        executor.scheduleAtFixedRate(realm::expireQueues, every, every, TimeUnit.MILLISECONDS));
  }

  public void stopTimers() {
    timers.forEach(t -> t.cancel(false));
    timers.clear();
  }

  /**
   * Shutting down: every registered client's socket is closed with 1001 (going away), so clients
   * know at once.
   */
  public void goingAway() {
    for (PeerClient c : realm.localClients()) {
      c.link().closeQuietly(1001, "server shutting down");
    }
  }

  /**
   * Whether a request path belongs to the PeerJS server (HTTP routing is case-insensitive, as
   * Express's).
   */
  public boolean owns(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    return base.isEmpty() || p.equals(base) || p.startsWith(base + "/");
  }

  /**
   * Handles a request for which {@link #owns} is true. Releases nothing: the caller owns the
   * request.
   */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
    if (path.equals(options.webSocketPath()) && isUpgrade(req)) {
      upgrade(ctx, req);
      return;
    }
    FullHttpResponse res = route(req, path);
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && corsOrigin.test(origin)) {
      res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    res.headers().add(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
    Responses.send(ctx, req, res);
  }

  private static boolean isUpgrade(FullHttpRequest req) {
    return req.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(
            req.headers().get(HttpHeaderNames.UPGRADE));
  }

  private FullHttpResponse route(FullHttpRequest req, String path) {
    if (isUpgrade(req)) {
      // The reference answers a WebSocket upgrade on any other path with a bare 400.
      return Responses.of(
          HttpResponseStatus.BAD_REQUEST,
          Responses.HTML,
          "Bad Request".getBytes(StandardCharsets.UTF_8));
    }
    if (req.method().equals(HttpMethod.OPTIONS)) {
      FullHttpResponse res = Responses.empty(HttpResponseStatus.NO_CONTENT);
      res.headers()
          .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET,HEAD,PUT,PATCH,POST,DELETE");
      String asked = req.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
      if (asked != null) {
        res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, asked);
      }
      // The reference's cors package varies on it whether or not the request names any.
      res.headers().add(HttpHeaderNames.VARY, HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
      return res;
    }
    boolean get = req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD);
    String rest = path.substring(Math.min(path.length(), base.length()));
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    String[] parts = rest.isEmpty() ? new String[0] : rest.substring(1).split("/", -1);
    if (get && parts.length == 0) {
      return Responses.of(
          HttpResponseStatus.OK, Responses.JSON, BANNER.getBytes(StandardCharsets.UTF_8));
    }
    if (get && parts.length == 2 && parts[1].equalsIgnoreCase("id")) {
      return Responses.of(
          HttpResponseStatus.OK, Responses.HTML, newId().getBytes(StandardCharsets.UTF_8));
    }
    if (get && parts.length == 2 && parts[1].equalsIgnoreCase("peers")) {
      if (!options.allowDiscovery()) {
        return Responses.text(HttpResponseStatus.UNAUTHORIZED, "Unauthorized");
      }
      try {
        return Responses.of(
            HttpResponseStatus.OK, Responses.JSON, json.writeValueAsBytes(realm.ids()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    return Responses.text(HttpResponseStatus.NOT_FOUND, "Not Found");
  }

  /**
   * A fresh UUID that no connected client holds. Ids are not reserved: the WebSocket claims them.
   */
  private String newId() {
    String id;
    do {
      id = UUID.randomUUID().toString();
    } while (realm.get(id) != null);
    return id;
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req) {
    Channel ch = ctx.channel();
    if (!upgradeAllowed.test(req)) {
      Responses.send(ctx, req, Responses.text(HttpResponseStatus.FORBIDDEN, "Origin not allowed"));
      return;
    }
    if (!validHandshake(req)) {
      // As the reference (ws) does, and at once: the handshaker would fail on it after the pipeline
      // was taken apart,
      // leaving the connection open with nothing to answer or time it out.
      Responses.sendAndClose(
          ctx, req, Responses.text(HttpResponseStatus.BAD_REQUEST, "Bad Request"));
      return;
    }
    PeerJsOptions.Limits limits = options.limits();
    String scheme = ch.pipeline().get(SslHandler.class) != null ? "wss" : "ws";
    String url =
        scheme
            + "://"
            + req.headers().get(HttpHeaderNames.HOST, "localhost")
            + options.webSocketPath();
    WebSocketServerHandshaker handshaker =
        new WebSocketServerHandshakerFactory(url, null, decoderConfig).newHandshaker(req);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
      return;
    }
    Map<String, List<String>> params = new QueryStringDecoder(req.uri()).parameters();
    String address = ClientAddress.of(ch, req, proxied);
    PeerSocketHandler socket = new PeerSocketHandler(realm, json.getFactory(), address, ch);
    keepOnlyHttpCodec(ch.pipeline());
    // One write syscall per socket and event-loop turn, not one per relayed message: a call's
    // OFFER, ANSWER and
    // CANDIDATE bursts, and every busy relay, go out together. A lone message waits only for the
    // turn to end.
    ch.pipeline()
        .addLast("peerjs-flush", new FlushConsolidationHandler(FLUSHES_BEFORE_WRITE, true));
    // Right after the WebSocket decoder (the handshaker puts it where the HTTP decoder is), before
    // anything reads frames.
    ch.pipeline().addLast("ws-close-check", WebSocketCloseCheck.INSTANCE);
    ch.pipeline().addLast("peerjs-fragments", new FragmentLimit(limits.fragmentsPerMessage()));
    ch.pipeline()
        .addLast("peerjs-aggregator", new WebSocketFrameAggregator(limits.maxFrameBytes()));
    ch.pipeline().addLast("peerjs-socket", socket);
    ch.config().setWriteBufferWaterMark(waterMark);
    handshaker
        .handshake(ch, req)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                ch.close();
                return;
              }
              metrics.socketOpened();
              boolean acquired = socket.brokenBeforeUpgrade() == null && acquire(address);
              // One listener for both: a second one per socket costs a listener array on every idle
              // connection.
              ch.closeFuture()
                  .addListener(
                      c -> {
                        metrics.socketClosed();
                        if (acquired) {
                          release(address);
                        }
                      });
              if (socket.brokenBeforeUpgrade() != null) {
                socket.reject(socket.brokenBeforeUpgrade(), last(params, "id"));
              } else if (!acquired) {
                socket.reject(Rejection.TOO_MANY_CONNECTIONS_FROM_ADDRESS, last(params, "id"));
              } else {
                socket.start(last(params, "id"), last(params, "token"), last(params, "key"));
              }
            });
  }

  /** A GET with a base64 Sec-WebSocket-Key of 16 bytes and version 13 (or 8), what ws accepts. */
  private static boolean validHandshake(FullHttpRequest req) {
    String key = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
    String version = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
    return req.method().equals(HttpMethod.GET)
        && key != null
        && WEBSOCKET_KEY.matcher(key.trim()).matches()
        && ("13".equals(version) || "8".equals(version));
  }

  /** Counts one more socket from {@code address}, unless it has socketsPerAddress open already. */
  private boolean acquire(String address) {
    int max = options.limits().socketsPerAddress();
    boolean[] ok = new boolean[1];
    socketsByAddress.compute(
        address,
        (k, n) -> {
          int open = n == null ? 0 : n;
          ok[0] = open < max;
          return ok[0] ? open + 1 : n;
        });
    return ok[0];
  }

  /**
   * Forgets a closed socket; the entry goes when its count reaches zero, so nothing is kept per
   * address.
   */
  private void release(String address) {
    socketsByAddress.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Open PeerJS sockets per client address; for tests that check nothing is kept. */
  public Map<String, Integer> socketsByAddress() {
    return Map.copyOf(socketsByAddress);
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
              || h instanceof HttpObjectAggregator;
      if (!keep) {
        p.remove(e.getKey());
      }
    }
  }

  /** URLSearchParams semantics: the last of repeated parameters wins. */
  private static String last(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
  }
}
