package webcall.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;

/** Builds and sends plain HTTP responses, minding keep-alive and HEAD. */
public final class Responses {
  public static final String TEXT = "text/plain; charset=utf-8";
  public static final String HTML = "text/html; charset=utf-8";
  public static final String JSON = "application/json; charset=utf-8";

  private Responses() {}

  public static FullHttpResponse of(HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    if (contentType != null) {
      res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    res.headers().set("X-Content-Type-Options", "nosniff");
    return res;
  }

  public static FullHttpResponse text(HttpResponseStatus status, String body) {
    return of(status, TEXT, body.getBytes(StandardCharsets.UTF_8));
  }

  /** The answer to a request the decoder gave up on: 414, 431, 413 or 400. */
  public static FullHttpResponse decodeFailure(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return text(HttpResponseStatus.REQUEST_URI_TOO_LONG, "URI Too Long");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return text(
          HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Request Header Fields Too Large");
    }
    if (cause instanceof TooLongFrameException) {
      return text(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "Payload Too Large");
    }
    return text(HttpResponseStatus.BAD_REQUEST, "Bad Request");
  }

  public static FullHttpResponse empty(HttpResponseStatus status) {
    return of(status, null, new byte[0]);
  }

  /** Writes the response, keeping the connection open when the client asked for it. */
  public static void send(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse res) {
    send(ctx, req, res, HttpUtil.isKeepAlive(req) && res.status().code() < 500);
  }

  /** Writes the response and closes the connection after it, whatever the client asked for. */
  public static void sendAndClose(
      ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse res) {
    send(ctx, req, res, false);
  }

  private static void send(
      ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse res, boolean keepAlive) {
    HttpUtil.setContentLength(res, res.content().readableBytes());
    if (req.method().equals(HttpMethod.HEAD)) {
      res.content().clear();
    }
    if (keepAlive) {
      if (!req.protocolVersion().isKeepAliveDefault()) {
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      ctx.writeAndFlush(res);
    } else {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
