package webcall.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import webcall.http.Responses;
import webcall.http.StaticFiles;
import webcall.ops.HealthEndpoints;
import webcall.ops.Readiness;
import webcall.peerjs.PeerJsEndpoint;
import webcall.rooms.RoomId;
import webcall.socketio.EngineIoServer;

/**
 * Every HTTP request that is not Socket.IO's: the PeerJS server, the redirect to a new room, the
 * call page and the static files. Socket.IO requests pass on down the pipeline untouched. It is the
 * call server's composition of the features' endpoints, so it lives with the wiring: {@code
 * webcall.http} is the HTTP plumbing every feature uses.
 */
@ChannelHandler.Sharable
public final class HttpRouter extends ChannelInboundHandlerAdapter {
  /** No inline script: the page's settings travel in data- attributes. */
  static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final String socketIoPrefix;
  private final PeerJsEndpoint peerjs;
  private final StaticFiles files;
  private final byte[][] roomPage;
  private final Readiness readiness;

  public HttpRouter(
      String socketIoPath,
      PeerJsEndpoint peerjs,
      StaticFiles files,
      Readiness readiness,
      int uploadBudgetKbps) {
    this.readiness = readiness;
    this.socketIoPrefix = socketIoPath + "/";
    this.peerjs = peerjs;
    this.files = files;
    StaticFiles.Asset page = files.get("room.html");
    if (page == null) {
      throw new IllegalStateException("static/room.html is missing");
    }
    String html =
        new String(page.body(), StandardCharsets.UTF_8)
            .replace(
                "{{peerPath}}",
                escape(peerjs.options().path().isEmpty() ? "/" : peerjs.options().path()))
            .replace("{{peerKey}}", escape(peerjs.options().key()))
            .replace("{{uploadBudgetKbps}}", String.valueOf(uploadBudgetKbps));
    String[] parts = html.split("\\{\\{room}}", -1);
    this.roomPage = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      roomPage[i] = parts[i].getBytes(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (req.decoderResult().isFailure()) {
      try {
        Responses.send(ctx, req, Responses.decodeFailure(req.decoderResult().cause()));
      } finally {
        req.release();
      }
      return;
    }
    String path = new QueryStringDecoder(req.uri()).path();
    if (path.startsWith(socketIoPrefix)
        && !EngineIoServer.isClientScript(path.substring(socketIoPrefix.length()))) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      if (peerjs.owns(path)) {
        peerjs.handle(ctx, req, path);
      } else {
        Responses.send(ctx, req, route(req, path));
      }
    } finally {
      req.release();
    }
  }

  private FullHttpResponse route(FullHttpRequest req, String path) {
    if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
      FullHttpResponse res =
          Responses.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "Method Not Allowed");
      res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      return res;
    }
    if (path.equals("/")) {
      FullHttpResponse res = Responses.empty(HttpResponseStatus.FOUND);
      // Relative, never built from Host: a forged Host cannot turn this into an open redirect.
      res.headers().set(HttpHeaderNames.LOCATION, "/" + UUID.randomUUID());
      res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      return res;
    }
    if (path.startsWith("/assets/") || path.startsWith("/vendor/")) {
      return asset(req, path.substring(1));
    }
    if (path.startsWith(
        socketIoPrefix)) { // /socket.io/socket.io.js, where the reference server serves its client
      return asset(req, "vendor/socket.io.min.js");
    }
    // Before the room route: these names are refused as room ids (RoomId), so no room is hidden by
    // them.
    FullHttpResponse health = HealthEndpoints.respond(path, readiness);
    if (health != null) {
      return health;
    }
    String room = path.substring(1);
    if (RoomId.isValid(room)) {
      return page(room);
    }
    return Responses.text(HttpResponseStatus.NOT_FOUND, "Not Found");
  }

  private FullHttpResponse asset(FullHttpRequest req, String name) {
    StaticFiles.Asset a = name.contains("..") ? null : files.get(name);
    if (a == null) {
      return Responses.text(HttpResponseStatus.NOT_FOUND, "Not Found");
    }
    FullHttpResponse res;
    if (a.etag().equals(req.headers().get(HttpHeaderNames.IF_NONE_MATCH))) {
      res = Responses.empty(HttpResponseStatus.NOT_MODIFIED);
    } else {
      res = Responses.of(HttpResponseStatus.OK, a.contentType(), a.body());
    }
    res.headers().set(HttpHeaderNames.ETAG, a.etag());
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    return res;
  }

  private FullHttpResponse page(String room) {
    int size = 0;
    for (byte[] part : roomPage) {
      size += part.length;
    }
    byte[] roomBytes = room.getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[size + roomBytes.length * (roomPage.length - 1)];
    int at = 0;
    for (int i = 0; i < roomPage.length; i++) {
      if (i > 0) {
        System.arraycopy(roomBytes, 0, body, at, roomBytes.length);
        at += roomBytes.length;
      }
      System.arraycopy(roomPage[i], 0, body, at, roomPage[i].length);
      at += roomPage[i].length;
    }
    FullHttpResponse res = Responses.of(HttpResponseStatus.OK, Responses.HTML, body);
    securityHeaders(res);
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return res;
  }

  static void securityHeaders(FullHttpResponse res) {
    res.headers().set("Content-Security-Policy", CSP);
    res.headers().set("X-Frame-Options", "DENY");
    res.headers().set("Referrer-Policy", "no-referrer");
    res.headers()
        .set("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)");
  }

  /** The room id is checked by RoomId; these come from flags, so escape them anyway. */
  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("\"", "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;");
  }
}
