package webcall.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * A request sent before the previous one is answered (pipelining, which browsers do not do) closes
 * the connection unanswered: a long poll holds its answer back, and the client would otherwise take
 * one response for the other. One per connection; after the aggregator, before the encoder's users.
 */
public final class OneRequestAtATime extends ChannelDuplexHandler {
  private boolean waiting;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      if (waiting) {
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      waiting = true;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse res && res.status().equals(HttpResponseStatus.CONTINUE)) {
      ctx.write(msg, promise); // an interim answer: the request is still open
      return;
    }
    if (msg instanceof FullHttpResponse || msg instanceof LastHttpContent) {
      waiting = false;
    }
    ctx.write(msg, promise);
  }
}
