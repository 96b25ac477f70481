package webcall.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Locale;

/**
 * Request framing as RFC 9112 §6 wants it: a request whose body length is ambiguous is answered 400
 * and its connection closed, so that nothing a proxy in front may have read differently is served
 * as the next request (smuggling). Refused: Content-Length with Transfer-Encoding, several or
 * malformed Content-Length values, Transfer-Encoding in HTTP/1.0 or whose last coding is not a
 * single chunked, bad chunk sizes and every other decoding failure (431 and 414 for headers and
 * lines too long). Codings other than chunked before it get 501.
 *
 * <p>Two parts: {@link #decoder} replaces Netty's HttpRequestDecoder, which on Content-Length plus
 * chunked quietly drops Content-Length and serves the request; {@link #guard} sits right after it
 * and answers. After a refusal everything else the connection sends is dropped.
 */
public final class RequestFraming {
  private static final AttributeKey<Boolean> REFUSED =
      AttributeKey.valueOf("webcall.http.framingRefused");
  private static final ChannelHandler GUARD = new Guard();

  private RequestFraming() {}

  /**
   * Netty's request decoder, except that Content-Length with Transfer-Encoding: chunked marks the
   * request failed.
   */
  public static HttpRequestDecoder decoder(int maxLine, int maxHeaders, int maxChunk) {
    return new Decoder(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(maxLine)
            .setMaxHeaderSize(maxHeaders)
            .setMaxChunkSize(maxChunk));
  }

  /** Answers badly framed requests; put it right after {@link #decoder}. Sharable. */
  public static ChannelHandler guard() {
    return GUARD;
  }

  private static final class Decoder extends HttpRequestDecoder {
    Decoder(HttpDecoderConfig config) {
      super(config);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      super.handleTransferEncodingChunkedWithContentLength(message);
      message.setDecoderResult(
          DecoderResult.failure(new IllegalArgumentException("Content-Length with chunked")));
    }
  }

  @ChannelHandler.Sharable
  private static final class Guard extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (ctx.channel().hasAttr(REFUSED)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      FullHttpResponse res = null;
      if (msg instanceof DecoderResultProvider p && p.decoderResult().isFailure()) {
        res = Responses.decodeFailure(p.decoderResult().cause());
      } else if (msg instanceof HttpRequest req) {
        HttpResponseStatus refusal = framingError(req);
        res = refusal == null ? null : Responses.text(refusal, refusal.reasonPhrase());
      }
      if (res == null) {
        super.channelRead(ctx, msg);
        return;
      }
      ctx.channel().attr(REFUSED).set(Boolean.TRUE);
      ReferenceCountUtil.release(msg);
      HttpUtil.setContentLength(res, res.content().readableBytes());
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      // From the pipeline's tail: the HTTP encoder may come after this handler.
      ctx.channel().writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** What is wrong with the request's framing headers, or null. */
  static HttpResponseStatus framingError(HttpRequest req) {
    List<String> lengths = req.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
    List<String> encodings = req.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (lengths.size() > 1
        || (lengths.size() == 1 && !lengths.get(0).trim().matches("[0-9]{1,18}"))) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    if (encodings.isEmpty()) {
      return null;
    }
    if (!lengths.isEmpty() || req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    String[] codings = String.join(",", encodings).split(",", -1);
    for (int i = 0; i < codings.length; i++) {
      String coding = codings[i].trim().toLowerCase(Locale.ROOT);
      boolean last = i == codings.length - 1;
      if (coding.equals("chunked") != last) {
        return HttpResponseStatus.BAD_REQUEST; // not last, or last but another coding
      }
    }
    return codings.length > 1 ? HttpResponseStatus.NOT_IMPLEMENTED : null;
  }
}
