package webcall.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Closes a connection whose request has not been answered in time: a request no handler answers (a
 * bug, or a shape nobody foresaw) would otherwise hold its connection, and its file descriptor, for
 * as long as the client likes. The clock runs from a request's headers to the start of its
 * response; a request the {@code exempt} predicate names (a long-poll, answered within its own ping
 * interval) runs none, and a 101 ends the watch for good: the WebSocket's own limits apply. Sits
 * after the HTTP encoder, so that it sees responses before they are bytes; one per connection. The
 * timer runs on the channel's own event loop, so nothing here locks.
 */
public final class ResponseTimeout extends ChannelDuplexHandler {
  /** Requests one connection may have waiting at once; browsers do not pipeline at all. */
  private static final int MAX_PENDING = 16;

  private final long millis;
  private final Predicate<HttpRequest> exempt;

  /**
   * Per request read whose response has not started, oldest first (pipelining): whether it is
   * exempt.
   */
  private final ArrayDeque<Boolean> pending = new ArrayDeque<>(1);

  private ScheduledFuture<?> timer;

  /**
   * @param exempt requests that may wait longer for their answer (long-polls); none when null
   */
  public ResponseTimeout(long millis, Predicate<HttpRequest> exempt) {
    this.millis = millis;
    this.exempt = exempt == null ? r -> false : exempt;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest req) {
      if (pending.size() >= MAX_PENDING) {
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      pending.addLast(exempt.test(req));
      if (pending.size() == 1) {
        watchOldest(ctx);
      }
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof HttpResponse res) {
      HttpResponseStatus status = res.status();
      if (status.equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
        disarm();
        ctx.pipeline().remove(this);
      } else if (status.codeClass() != HttpStatusClass.INFORMATIONAL
          && pending.pollFirst() != null) {
        watchOldest(ctx);
      }
    }
    super.write(ctx, msg, promise);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    disarm();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    disarm();
    super.channelInactive(ctx);
  }

  /**
   * Starts the clock for the oldest request still waiting, unless there is none or it is exempt.
   */
  private void watchOldest(ChannelHandlerContext ctx) {
    disarm();
    if (Boolean.FALSE.equals(pending.peekFirst())) {
      timer = ctx.executor().schedule(() -> ctx.channel().close(), millis, TimeUnit.MILLISECONDS);
    }
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
