package webcall.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends requests that came over plain HTTP to the same place over HTTPS (308: the method and body
 * are kept; not cached, so turning HTTPS off later does not leave browsers stuck). Three places use
 * it:
 *
 * <ul>
 *   <li>the HTTPS port itself, for connections that did not start with a TLS handshake (someone
 *       typed the address without https://): they are marked {@link #PLAIN} and redirected to the
 *       same host and port;
 *   <li>the optional {@code --http-redirect-port} listener: every request, to the HTTPS port;
 *   <li>behind a proxy with {@code --force-https}: requests whose X-Forwarded-Proto is http, to the
 *       same host.
 * </ul>
 *
 * The target is built from the Host header, but only a syntactically plain host[:port] is accepted
 * (anything else is a 400), and sending a client to the host it asked for gives an attacker
 * nothing.
 */
@ChannelHandler.Sharable
public final class HttpsRedirect extends ChannelInboundHandlerAdapter {
  /** Set on a connection to the HTTPS port that turned out to be plain HTTP. */
  public static final AttributeKey<Boolean> PLAIN = AttributeKey.valueOf("webcall.plainHttp");

  private static final Pattern AUTHORITY =
      Pattern.compile(
          "(\\[[0-9A-Fa-f:.]{2,45}]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::([0-9]{1,5}))?");

  private enum Mode {
    PLAIN_CONNECTIONS,
    EVERY_REQUEST,
    FORWARDED_HTTP
  }

  private final Mode mode;
  private final int httpsPort;

  private HttpsRedirect(Mode mode, int httpsPort) {
    this.mode = mode;
    this.httpsPort = httpsPort;
  }

  /** On the HTTPS port: plain connections go to the same host and port over HTTPS. */
  public static HttpsRedirect plainConnections() {
    return new HttpsRedirect(Mode.PLAIN_CONNECTIONS, -1);
  }

  /** On the redirect listener: everything goes to this host's HTTPS port. */
  public static HttpsRedirect everyRequest(int httpsPort) {
    return new HttpsRedirect(Mode.EVERY_REQUEST, httpsPort);
  }

  /** Behind a proxy: what reached the proxy over http goes to the same host over https. */
  public static HttpsRedirect forwardedHttp() {
    return new HttpsRedirect(Mode.FORWARDED_HTTP, -1);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req) || !applies(ctx, req)) {
      ctx.fireChannelRead(msg);
      return;
    }
    try {
      FullHttpResponse res = redirect(req);
      if (mode != Mode.FORWARDED_HTTP) {
        // Nothing else will be served on this connection: say so, so the client reconnects over
        // TLS.
        res.headers().set(HttpHeaderNames.CONNECTION, "close");
        req.headers().set(HttpHeaderNames.CONNECTION, "close");
      }
      Responses.send(ctx, req, res);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private boolean applies(ChannelHandlerContext ctx, FullHttpRequest req) {
    return switch (mode) {
      case PLAIN_CONNECTIONS -> Boolean.TRUE.equals(ctx.channel().attr(PLAIN).get());
      case EVERY_REQUEST -> true;
      case FORWARDED_HTTP ->
          "http".equalsIgnoreCase(Forwarded.first(req.headers().get("X-Forwarded-Proto")));
    };
  }

  private FullHttpResponse redirect(FullHttpRequest req) {
    String host =
        mode == Mode.FORWARDED_HTTP ? Forwarded.first(req.headers().get("X-Forwarded-Host")) : null;
    if (host == null) {
      host = req.headers().get(HttpHeaderNames.HOST);
    }
    Matcher m = host == null ? null : AUTHORITY.matcher(host.trim());
    String uri = req.uri();
    if (m == null || !m.matches() || !uri.startsWith("/") || uri.startsWith("//")) {
      return Responses.text(
          HttpResponseStatus.BAD_REQUEST, "Bad Request: open this page with https://");
    }
    String authority = host.trim();
    if (mode == Mode.EVERY_REQUEST) {
      authority = httpsPort == 443 ? m.group(1) : m.group(1) + ":" + httpsPort;
    }
    FullHttpResponse res =
        Responses.text(HttpResponseStatus.PERMANENT_REDIRECT, "This server speaks HTTPS only.");
    res.headers().set(HttpHeaderNames.LOCATION, "https://" + authority + uri);
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return res;
  }

  /**
   * X-Forwarded-* values may list several hops; the first is the client's side of the first proxy.
   */
  static final class Forwarded {
    private Forwarded() {}

    static String first(String value) {
      if (value == null) {
        return null;
      }
      int comma = value.indexOf(',');
      String v = (comma < 0 ? value : value.substring(0, comma)).trim();
      return v.isEmpty() ? null : v;
    }
  }
}
